/* The NAT session table: a preallocated pool of slots, three hash indexes (LAN side, WAN side,
 * WAN port), a creation-order list for the view and one idle list per lifetime class. All
 * entries of a class share one lifetime, so each idle list is ordered by expiry time too:
 * expiry looks at list heads only. */
#include "nat/table.h"

#include <stdlib.h>

#define NIL UINT32_MAX
#define MAX_ENTRIES ((size_t)1 << 24)
#define MIN_BUCKETS 16
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ESP 50
#define PROTO_AH 51
#define PORT_IKE 500
#define PORT_IKE_NATT 4500

enum life_class { LC_ESP = 0, LC_IKE, LC_UDP, LC_TCP, LC_ICMP, LC__COUNT };

struct link {
	uint32_t prev, next;
};

struct slot {
	struct nat_entry e;        /* first: a struct nat_entry * is a struct slot * */
	uint32_t h_lan, h_wan, h_port; /* next in each hash chain */
	struct link order;         /* creation order */
	struct link idle;          /* idle list of its class, least recently used first */
	uint8_t cls;
	bool used;
};

struct list {
	uint32_t head, tail;
};

struct nat_table {
	struct slot *slots;
	size_t cap, count;
	uint32_t free_head;        /* free slots chained through order.next */
	uint32_t *b_lan, *b_wan, *b_port;
	uint32_t bucket_mask;
	uint32_t seed;
	struct list order;
	struct list idle[LC__COUNT];
	struct cfg_nat life;
	struct nat_table_stats stats;
};

/* ---- keys and hashing ---- */

struct key {
	uint8_t proto;
	ikg_ip4 a, b;
	uint16_t pa, pb;
};

static uint32_t hash_key(const struct nat_table *t, const struct key *k)
{
	uint64_t x = ((uint64_t)k->a << 32 | k->b) ^ t->seed;
	uint64_t y = (uint64_t)k->pa << 32 | (uint64_t)k->pb << 16 | k->proto;

	x *= 0x9e3779b97f4a7c15ULL;
	x ^= y + (x >> 29);
	x *= 0xc2b2ae3d27d4eb4fULL;
	x ^= x >> 32;
	return (uint32_t)x & t->bucket_mask;
}

/* Ports as stored: none for port-less protocols, ICMP has no remote port. */
static void normalise_ports(uint8_t proto, uint16_t *local, uint16_t *wan, uint16_t *rem)
{
	if (!nat_proto_has_ports(proto)) {
		*local = 0;
		*wan = 0;
		*rem = 0;
	} else if (proto == PROTO_ICMP) {
		*rem = 0;
	}
}

static struct key lan_key(const struct nat_entry *e)
{
	return (struct key){e->proto, e->lan_ip, e->rem_ip, e->lan_port, e->rem_port};
}

static struct key wan_key(const struct nat_entry *e)
{
	return (struct key){e->proto, e->wan_ip, e->rem_ip, e->wan_port, e->rem_port};
}

static struct key port_key(const struct nat_entry *e)
{
	return (struct key){e->proto, e->wan_ip, 0, e->wan_port, 0};
}

static bool key_eq(const struct key *x, const struct key *y)
{
	return x->proto == y->proto && x->a == y->a && x->b == y->b && x->pa == y->pa &&
	       x->pb == y->pb;
}

static uint32_t slot_index(const struct nat_table *t, const struct nat_entry *e)
{
	return (uint32_t)((const struct slot *)(const void *)e - t->slots);
}

/* ---- intrusive lists ---- */

static struct link *link_of(struct nat_table *t, uint32_t i, bool idle)
{
	return idle ? &t->slots[i].idle : &t->slots[i].order;
}

static void list_append(struct nat_table *t, struct list *l, uint32_t i, bool idle)
{
	struct link *n = link_of(t, i, idle);

	n->prev = l->tail;
	n->next = NIL;
	if (l->tail != NIL)
		link_of(t, l->tail, idle)->next = i;
	else
		l->head = i;
	l->tail = i;
}

static void list_unlink(struct nat_table *t, struct list *l, uint32_t i, bool idle)
{
	struct link *n = link_of(t, i, idle);

	if (n->prev != NIL)
		link_of(t, n->prev, idle)->next = n->next;
	else
		l->head = n->next;
	if (n->next != NIL)
		link_of(t, n->next, idle)->prev = n->prev;
	else
		l->tail = n->prev;
	n->prev = n->next = NIL;
}

/* ---- hash chains (singly linked through the slot field named by which) ---- */

enum chain { CH_LAN, CH_WAN, CH_PORT };

static uint32_t *chain_next(struct slot *s, enum chain c)
{
	return c == CH_LAN ? &s->h_lan : c == CH_WAN ? &s->h_wan : &s->h_port;
}

static uint32_t *chain_bucket(struct nat_table *t, enum chain c, uint32_t h)
{
	return c == CH_LAN ? &t->b_lan[h] : c == CH_WAN ? &t->b_wan[h] : &t->b_port[h];
}

static void chain_insert(struct nat_table *t, enum chain c, const struct key *k, uint32_t i)
{
	uint32_t *b = chain_bucket(t, c, hash_key(t, k));

	*chain_next(&t->slots[i], c) = *b;
	*b = i;
}

static void chain_remove(struct nat_table *t, enum chain c, const struct key *k, uint32_t i)
{
	uint32_t *p = chain_bucket(t, c, hash_key(t, k));

	while (*p != NIL) {
		if (*p == i) {
			*p = *chain_next(&t->slots[i], c);
			*chain_next(&t->slots[i], c) = NIL;
			return;
		}
		p = chain_next(&t->slots[*p], c);
	}
}

/* ---- lifetimes ---- */

static uint32_t or_default(uint32_t v, uint32_t def)
{
	return v ? v : def;
}

void nat_lifetimes_default(struct cfg_nat *out)
{
	out->esp_life = NAT_DEFAULT_ESP_LIFE;
	out->ike_life = NAT_DEFAULT_IKE_LIFE;
	out->udp_life = NAT_DEFAULT_UDP_LIFE;
	out->tcp_life = NAT_DEFAULT_TCP_LIFE;
	out->icmp_life = NAT_DEFAULT_ICMP_LIFE;
}

static void set_life(struct nat_table *t, const struct cfg_nat *l)
{
	nat_lifetimes_default(&t->life);
	if (!l)
		return;
	t->life.esp_life = or_default(l->esp_life, NAT_DEFAULT_ESP_LIFE);
	t->life.ike_life = or_default(l->ike_life, NAT_DEFAULT_IKE_LIFE);
	t->life.udp_life = or_default(l->udp_life, NAT_DEFAULT_UDP_LIFE);
	t->life.tcp_life = or_default(l->tcp_life, NAT_DEFAULT_TCP_LIFE);
	t->life.icmp_life = or_default(l->icmp_life, NAT_DEFAULT_ICMP_LIFE);
}

static bool is_ike_port(uint16_t p)
{
	return p == PORT_IKE || p == PORT_IKE_NATT;
}

static enum life_class class_of(const struct nat_entry *e)
{
	switch (e->proto) {
	case PROTO_ESP:
	case PROTO_AH:
		return LC_ESP;
	case PROTO_TCP:
		return LC_TCP;
	case PROTO_ICMP:
		return LC_ICMP;
	case PROTO_UDP:
		if (is_ike_port(e->lan_port) || is_ike_port(e->wan_port) || is_ike_port(e->rem_port))
			return LC_IKE;
		return LC_UDP;
	default:
		return LC_UDP;
	}
}

static uint32_t class_life(const struct nat_table *t, enum life_class c)
{
	switch (c) {
	case LC_ESP:
		return t->life.esp_life;
	case LC_IKE:
		return t->life.ike_life;
	case LC_TCP:
		return t->life.tcp_life;
	case LC_ICMP:
		return t->life.icmp_life;
	case LC_UDP:
	case LC__COUNT:
		break;
	}
	return t->life.udp_life;
}

/* ---- creation and destruction ---- */

static void reset_slots(struct nat_table *t)
{
	size_t nb = (size_t)t->bucket_mask + 1;

	for (size_t i = 0; i < nb; i++)
		t->b_lan[i] = t->b_wan[i] = t->b_port[i] = NIL;
	for (size_t i = 0; i < t->cap; i++) {
		struct slot *s = &t->slots[i];

		s->used = false;
		s->h_lan = s->h_wan = s->h_port = NIL;
		s->idle.prev = s->idle.next = NIL;
		s->order.prev = NIL;
		s->order.next = i + 1 < t->cap ? (uint32_t)(i + 1) : NIL;
	}
	t->free_head = 0;
	t->count = 0;
	t->order.head = t->order.tail = NIL;
	for (size_t c = 0; c < LC__COUNT; c++)
		t->idle[c].head = t->idle[c].tail = NIL;
}

struct nat_table *nat_table_new(const struct cfg_nat *lifetimes, size_t max_entries)
{
	if (max_entries == 0 || max_entries > MAX_ENTRIES)
		return NULL;
	struct nat_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	size_t nb = MIN_BUCKETS;
	while (nb < max_entries)
		nb <<= 1;
	t->cap = max_entries;
	t->bucket_mask = (uint32_t)(nb - 1);
	t->slots = calloc(max_entries, sizeof(*t->slots));
	t->b_lan = calloc(nb, sizeof(uint32_t));
	t->b_wan = calloc(nb, sizeof(uint32_t));
	t->b_port = calloc(nb, sizeof(uint32_t));
	if (!t->slots || !t->b_lan || !t->b_wan || !t->b_port) {
		nat_table_free(t);
		return NULL;
	}
	set_life(t, lifetimes);
	reset_slots(t);
	return t;
}

void nat_table_free(struct nat_table *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->b_lan);
	free(t->b_wan);
	free(t->b_port);
	free(t);
}

void nat_table_set_lifetimes(struct nat_table *t, const struct cfg_nat *lifetimes)
{
	set_life(t, lifetimes);
	for (uint32_t i = t->order.head; i != NIL; i = t->slots[i].order.next)
		t->slots[i].e.lifetime_s = class_life(t, (enum life_class)t->slots[i].cls);
}

int nat_table_set_seed(struct nat_table *t, uint32_t seed)
{
	if (t->count != 0)
		return -1;
	t->seed = seed;
	return 0;
}

static void unlink_slot(struct nat_table *t, uint32_t i)
{
	struct slot *s = &t->slots[i];
	struct key k;

	k = lan_key(&s->e);
	chain_remove(t, CH_LAN, &k, i);
	k = wan_key(&s->e);
	chain_remove(t, CH_WAN, &k, i);
	k = port_key(&s->e);
	chain_remove(t, CH_PORT, &k, i);
	list_unlink(t, &t->order, i, false);
	list_unlink(t, &t->idle[s->cls], i, true);
	s->used = false;
	s->order.next = t->free_head;
	t->free_head = i;
	t->count--;
}

void nat_table_remove(struct nat_table *t, struct nat_entry *e)
{
	uint32_t i = slot_index(t, e);

	if (i >= t->cap || !t->slots[i].used)
		return;
	unlink_slot(t, i);
	t->stats.removed++;
}

void nat_table_clear(struct nat_table *t)
{
	t->stats.removed += t->count;
	reset_slots(t);
}

/* The entry idle for longest over all classes (smallest last_used; creation order breaks
 * ties through the list order within a class). */
static uint32_t longest_idle(const struct nat_table *t)
{
	uint32_t best = NIL;

	for (size_t c = 0; c < LC__COUNT; c++) {
		uint32_t h = t->idle[c].head;

		if (h != NIL && (best == NIL || t->slots[h].e.last_used < t->slots[best].e.last_used))
			best = h;
	}
	return best;
}

struct nat_entry *nat_table_create(struct nat_table *t, ikg_ms now, enum nat_dir dir,
				   uint8_t proto, ikg_ip4 lan_ip, uint16_t lan_port,
				   ikg_ip4 wan_ip, uint16_t wan_port, ikg_ip4 rem_ip,
				   uint16_t rem_port)
{
	if (t->free_head == NIL) {
		uint32_t victim = longest_idle(t);

		if (victim == NIL)
			return NULL;
		unlink_slot(t, victim);
		t->stats.evicted++;
	}
	uint32_t i = t->free_head;
	struct slot *s = &t->slots[i];
	struct key k;

	t->free_head = s->order.next;
	normalise_ports(proto, &lan_port, &wan_port, &rem_port);
	s->e = (struct nat_entry){
		.lan_ip = lan_ip, .wan_ip = wan_ip, .rem_ip = rem_ip,
		.lan_port = lan_port, .wan_port = wan_port, .rem_port = rem_port,
		.proto = proto, .dir = dir, .created = now, .last_used = now,
	};
	s->cls = (uint8_t)class_of(&s->e);
	s->e.lifetime_s = class_life(t, (enum life_class)s->cls);
	s->used = true;
	k = lan_key(&s->e);
	chain_insert(t, CH_LAN, &k, i);
	k = wan_key(&s->e);
	chain_insert(t, CH_WAN, &k, i);
	k = port_key(&s->e);
	chain_insert(t, CH_PORT, &k, i);
	list_append(t, &t->order, i, false);
	list_append(t, &t->idle[s->cls], i, true);
	t->count++;
	t->stats.created++;
	return &s->e;
}

void nat_table_refresh(struct nat_table *t, struct nat_entry *e, ikg_ms now)
{
	uint32_t i = slot_index(t, e);
	struct slot *s = &t->slots[i];

	if (now > e->last_used)
		e->last_used = now;
	/* keep the idle list ordered by last_used: the refreshed entry goes last */
	if (s->idle.next != NIL) {
		list_unlink(t, &t->idle[s->cls], i, true);
		list_append(t, &t->idle[s->cls], i, true);
	}
}

/* ---- lookups ---- */

struct nat_entry *nat_table_lookup_out(const struct nat_table *t, uint8_t proto, ikg_ip4 lan_ip,
				       uint16_t lan_port, ikg_ip4 rem_ip, uint16_t rem_port)
{
	uint16_t unused = 0;

	normalise_ports(proto, &lan_port, &unused, &rem_port);
	struct key k = {proto, lan_ip, rem_ip, lan_port, rem_port};

	for (uint32_t i = t->b_lan[hash_key(t, &k)]; i != NIL; i = t->slots[i].h_lan) {
		struct key x = lan_key(&t->slots[i].e);

		if (key_eq(&k, &x))
			return &t->slots[i].e;
	}
	return NULL;
}

struct nat_entry *nat_table_lookup_in(const struct nat_table *t, uint8_t proto, ikg_ip4 wan_ip,
				      uint16_t wan_port, ikg_ip4 rem_ip, uint16_t rem_port)
{
	uint16_t unused = 0;
	struct slot *best = NULL;

	normalise_ports(proto, &unused, &wan_port, &rem_port);
	struct key k = {proto, wan_ip, rem_ip, wan_port, rem_port};

	for (uint32_t i = t->b_wan[hash_key(t, &k)]; i != NIL; i = t->slots[i].h_wan) {
		struct key x = wan_key(&t->slots[i].e);

		if (key_eq(&k, &x) && (!best || t->slots[i].e.last_used > best->e.last_used))
			best = &t->slots[i];
	}
	return best ? &best->e : NULL;
}

bool nat_table_wan_port_used(const struct nat_table *t, uint8_t proto, ikg_ip4 wan_ip,
			     uint16_t wan_port)
{
	struct key k = {proto, wan_ip, 0, wan_port, 0};

	for (uint32_t i = t->b_port[hash_key(t, &k)]; i != NIL; i = t->slots[i].h_port) {
		struct key x = port_key(&t->slots[i].e);

		if (key_eq(&k, &x))
			return true;
	}
	return false;
}

struct nat_entry *nat_table_touch(struct nat_table *t, ikg_ms now, enum nat_dir dir,
				  uint8_t proto, ikg_ip4 lan_ip, uint16_t lan_port,
				  ikg_ip4 wan_ip, uint16_t wan_port, ikg_ip4 rem_ip,
				  uint16_t rem_port)
{
	struct nat_entry *e = nat_table_lookup_out(t, proto, lan_ip, lan_port, rem_ip, rem_port);

	if (e) {
		nat_table_refresh(t, e, now);
		return e;
	}
	return nat_table_create(t, now, dir, proto, lan_ip, lan_port, wan_ip, wan_port, rem_ip,
				rem_port);
}

/* ---- ageing ---- */

size_t nat_table_expire(struct nat_table *t, ikg_ms now)
{
	size_t n = 0;

	for (size_t c = 0; c < LC__COUNT; c++) {
		uint32_t i;

		while ((i = t->idle[c].head) != NIL && now >= nat_entry_expires_at(&t->slots[i].e)) {
			unlink_slot(t, i);
			t->stats.expired++;
			n++;
		}
	}
	return n;
}

ikg_ms nat_table_next_expiry(const struct nat_table *t)
{
	ikg_ms next = IKG_MS_NEVER;

	for (size_t c = 0; c < LC__COUNT; c++) {
		uint32_t h = t->idle[c].head;

		if (h != NIL && nat_entry_expires_at(&t->slots[h].e) < next)
			next = nat_entry_expires_at(&t->slots[h].e);
	}
	return next;
}

/* ---- iteration and accessors ---- */

const struct nat_entry *nat_table_first(const struct nat_table *t)
{
	return t->order.head == NIL ? NULL : &t->slots[t->order.head].e;
}

const struct nat_entry *nat_table_next(const struct nat_table *t, const struct nat_entry *e)
{
	uint32_t n = t->slots[slot_index(t, e)].order.next;

	return n == NIL ? NULL : &t->slots[n].e;
}

size_t nat_table_count(const struct nat_table *t)
{
	return t->count;
}

size_t nat_table_capacity(const struct nat_table *t)
{
	return t->cap;
}

const struct nat_table_stats *nat_table_stats(const struct nat_table *t)
{
	return &t->stats;
}

const char *nat_proto_name(uint8_t proto)
{
	switch (proto) {
	case PROTO_ICMP:
		return "ICMP";
	case PROTO_TCP:
		return "TCP";
	case PROTO_UDP:
		return "UDP";
	case PROTO_ESP:
		return "ESP";
	case PROTO_AH:
		return "AH";
	default:
		return NULL;
	}
}

const char *nat_dir_name(enum nat_dir d)
{
	return d == NAT_DIR_IN ? "in" : "out";
}
