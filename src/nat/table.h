/* The session/translation table of WAN flows (design.md §2, §4): what `show ip nat
 * translations` lists. It holds the gateway's own IKE (UDP 500/4500) and ESP/AH flows and, in
 * the lab, every flow a NAT box translates.
 *
 * Each entry has a LAN side, a WAN side and a remote side. For the gateway's own flows the LAN
 * and WAN sides are the same (the technote's "10.0.0.2 500 10.0.0.2 500 10.0.0.1 500 in UDP").
 * The direction says who created the entry: out = a packet leaving through the WAN, in = a
 * packet arriving on it.
 *
 * Entries are refreshed by traffic and age out when idle for their lifetime, taken from
 * struct cfg_nat by protocol: ESP and AH use esp-life (180 s), UDP with port 500 or 4500 on
 * any side uses ike-life (600 s), other UDP udp-life, TCP tcp-life, ICMP icmp-life; any other
 * protocol uses udp-life. A zero lifetime in the configuration means "the default".
 *
 * Ports: ESP, AH and other protocols without ports have all ports 0 (shown blank). ICMP echo
 * uses the echo identifier as its LAN and WAN "port" and has remote port 0. Lookups normalise
 * their arguments the same way.
 *
 * Memory: a pool of max_entries entries is allocated at creation; the packet path never
 * allocates. When the pool is full, creating an entry evicts the entry idle for longest
 * (counted in stats.evicted). Lookups are O(1) (hashed); expiry is O(entries expired).
 */
#ifndef IKG_NAT_TABLE_H
#define IKG_NAT_TABLE_H

#include "common/types.h"
#include "config/config.h"

enum nat_dir { NAT_DIR_OUT = 0, NAT_DIR_IN = 1 };

/* Default lifetimes in seconds (the technote's ESP_LIFE and IKE_LIFE, and ours). */
#define NAT_DEFAULT_ESP_LIFE 180
#define NAT_DEFAULT_IKE_LIFE 600
#define NAT_DEFAULT_UDP_LIFE 300
#define NAT_DEFAULT_TCP_LIFE 86400
#define NAT_DEFAULT_ICMP_LIFE 60

struct nat_entry {
	ikg_ip4 lan_ip, wan_ip, rem_ip;
	uint16_t lan_port, wan_port, rem_port;
	uint8_t proto;          /* IP protocol number: 1 ICMP, 6 TCP, 17 UDP, 50 ESP, 51 AH */
	enum nat_dir dir;       /* who created the entry */
	ikg_ms created;         /* the entry's age (h:mm) counts from here */
	ikg_ms last_used;       /* refreshed by traffic; idle time counts from here */
	uint32_t lifetime_s;    /* idle lifetime, from struct cfg_nat by protocol */
};

struct nat_table_stats {
	uint64_t created;       /* entries ever created */
	uint64_t expired;       /* removed by nat_table_expire */
	uint64_t evicted;       /* removed to make room when the pool was full */
	uint64_t removed;       /* removed by nat_table_remove / nat_table_clear */
};

struct nat_table;

/* Fills *out with the default lifetimes. */
void nat_lifetimes_default(struct cfg_nat *out);

/* lifetimes NULL = defaults. max_entries 1 .. 1 << 24; NULL on a bad size or no memory. */
struct nat_table *nat_table_new(const struct cfg_nat *lifetimes, size_t max_entries);
void nat_table_free(struct nat_table *t);
/* Replaces the lifetimes (configuration reload) and re-applies them to every entry. */
void nat_table_set_lifetimes(struct nat_table *t, const struct cfg_nat *lifetimes);
/* Seeds the hash (against crafted collisions); only while the table is empty: 0 or -1. */
int nat_table_set_seed(struct nat_table *t, uint32_t seed);

/* Find-or-create and refresh, keyed by the LAN side (proto, lan ip/port, rem ip/port). An
 * existing entry keeps its direction, WAN side and creation time; only last_used changes.
 * Never NULL (a full table evicts its longest-idle entry). For the gateway's own flows pass
 * the gateway's address and port as both LAN and WAN side. */
struct nat_entry *nat_table_touch(struct nat_table *t, ikg_ms now, enum nat_dir dir,
				  uint8_t proto, ikg_ip4 lan_ip, uint16_t lan_port,
				  ikg_ip4 wan_ip, uint16_t wan_port, ikg_ip4 rem_ip,
				  uint16_t rem_port);

/* Lookups without refresh. _out: by the LAN side (what an outbound packet carries before
 * translation). _in: by the WAN side (what an inbound packet carries: NAPT's reverse lookup);
 * when several entries share a WAN side (ESP from two LAN hosts to one peer), the most
 * recently used one. NULL when none. */
struct nat_entry *nat_table_lookup_out(const struct nat_table *t, uint8_t proto, ikg_ip4 lan_ip,
				       uint16_t lan_port, ikg_ip4 rem_ip, uint16_t rem_port);
struct nat_entry *nat_table_lookup_in(const struct nat_table *t, uint8_t proto, ikg_ip4 wan_ip,
				      uint16_t wan_port, ikg_ip4 rem_ip, uint16_t rem_port);
/* Whether any entry of proto uses wan_ip:wan_port (any remote): NAPT's port allocation. */
bool nat_table_wan_port_used(const struct nat_table *t, uint8_t proto, ikg_ip4 wan_ip,
			     uint16_t wan_port);

/* Creates an entry without looking for an existing one (the caller has looked); evicts the
 * longest-idle entry when full. NULL only for a table created with no room (never). */
struct nat_entry *nat_table_create(struct nat_table *t, ikg_ms now, enum nat_dir dir,
				   uint8_t proto, ikg_ip4 lan_ip, uint16_t lan_port,
				   ikg_ip4 wan_ip, uint16_t wan_port, ikg_ip4 rem_ip,
				   uint16_t rem_port);
/* Traffic on an entry: last_used = now. */
void nat_table_refresh(struct nat_table *t, struct nat_entry *e, ikg_ms now);
/* Removes one entry (e must belong to t). */
void nat_table_remove(struct nat_table *t, struct nat_entry *e);
void nat_table_clear(struct nat_table *t);

/* Removes every entry idle for its lifetime or longer (now >= last_used + lifetime); returns
 * how many. */
size_t nat_table_expire(struct nat_table *t, ikg_ms now);
/* When the next entry expires; IKG_MS_NEVER when the table is empty. */
ikg_ms nat_table_next_expiry(const struct nat_table *t);
static inline ikg_ms nat_entry_expires_at(const struct nat_entry *e)
{
	return e->last_used + (ikg_ms)e->lifetime_s * 1000;
}

/* Iteration in creation order (oldest first): stable for the view. Do not modify the table
 * while iterating. */
const struct nat_entry *nat_table_first(const struct nat_table *t);
const struct nat_entry *nat_table_next(const struct nat_table *t, const struct nat_entry *e);

size_t nat_table_count(const struct nat_table *t);
size_t nat_table_capacity(const struct nat_table *t);
const struct nat_table_stats *nat_table_stats(const struct nat_table *t);

/* "UDP", "TCP", "ICMP", "ESP", "AH"; NULL for other protocols. */
const char *nat_proto_name(uint8_t proto);
/* "in" / "out". */
const char *nat_dir_name(enum nat_dir d);
/* Whether entries of proto carry ports (UDP, TCP) or an echo id (ICMP). */
static inline bool nat_proto_has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 1;
}

#endif
