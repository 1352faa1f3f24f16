/* SA payloads: our phase-1 and phase-2 proposals (one transform from the profile), choosing
 * among a peer's proposals, and the text of both lists for the "no matching proposal"
 * evidence. Wire values: RFC 2409 appendix A (phase 1), RFC 2407 4.4-4.5 (phase 2), RFC 3602
 * (AES-CBC), RFC 4106 (AES-GCM), RFC 4868 (HMAC-SHA2), RFC 3947 (UDP encapsulation modes). */
#include <stdio.h>
#include <string.h>

#include "common/algs.h"
#include "ike/exchange.h"

#define DOI_IPSEC 1
#define SIT_IDENTITY_ONLY 1

/* phase-1 attribute types and values */
enum { P1A_ENC = 1, P1A_HASH = 2, P1A_AUTH = 3, P1A_GROUP = 4, P1A_LIFE_TYPE = 11,
       P1A_LIFE_DUR = 12, P1A_KEYLEN = 14 };
enum { P1_ENC_DES = 1, P1_ENC_3DES = 5, P1_ENC_AES = 7 };
enum { P1_HASH_MD5 = 1, P1_HASH_SHA = 2, P1_HASH_SHA256 = 4, P1_HASH_SHA384 = 5,
       P1_HASH_SHA512 = 6 };
enum { AUTH_PSK = 1 };
enum { LIFE_SECONDS = 1, LIFE_KILOBYTES = 2 };
#define KEY_IKE 1

/* phase-2 attribute types and values */
enum { P2A_LIFE_TYPE = 1, P2A_LIFE_DUR = 2, P2A_GROUP = 3, P2A_ENCAP = 4, P2A_AUTH = 5,
       P2A_KEYLEN = 6 };
enum { ESP_DES = 2, ESP_3DES = 3, ESP_NULL = 11, ESP_AES = 12, ESP_AES_GCM_16 = 20 };
enum { AH_MD5 = 2, AH_SHA = 3, AH_SHA2_256 = 5, AH_SHA2_512 = 7 };
enum { AUTH_HMAC_MD5 = 1, AUTH_HMAC_SHA = 2, AUTH_HMAC_SHA2_256 = 5, AUTH_HMAC_SHA2_512 = 7 };
enum { ENCAP_TUNNEL = 1, ENCAP_TRANSPORT = 2, ENCAP_UDP_TUNNEL = 3, ENCAP_UDP_TRANSPORT = 4,
       ENCAP_UDP_TUNNEL_DRAFT = 61443, ENCAP_UDP_TRANSPORT_DRAFT = 61444 };

/* ---- attribute helpers ---- */

static void attr_tv(struct isakmp_transform *t, uint16_t type, uint16_t v)
{
	if (t->n_attrs >= ISAKMP_MAX_ATTRS)
		return;
	struct isakmp_attr *a = &t->attrs[t->n_attrs++];
	memset(a, 0, sizeof *a);
	a->type = type;
	a->tv = true;
	a->value = v;
}

/* Life duration: basic form when it fits, else a 4-byte variable attribute. */
static void attr_life(struct isakmp_transform *t, uint16_t type, uint32_t v, uint8_t buf[4])
{
	if (v <= 0xffff) {
		attr_tv(t, type, (uint16_t)v);
		return;
	}
	if (t->n_attrs >= ISAKMP_MAX_ATTRS)
		return;
	buf[0] = (uint8_t)(v >> 24);
	buf[1] = (uint8_t)(v >> 16);
	buf[2] = (uint8_t)(v >> 8);
	buf[3] = (uint8_t)v;
	struct isakmp_attr *a = &t->attrs[t->n_attrs++];
	memset(a, 0, sizeof *a);
	a->type = type;
	a->tv = false;
	a->lv = (struct ikg_bytes){buf, 4};
}

static void appendf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* ---- phase 1 ---- */

struct p1_tf {
	uint32_t enc, keylen, hash, auth, group, life_type, life;
	bool bad;                /* an attribute we cannot read */
};

static void p1_decode(const struct isakmp_transform *t, struct p1_tf *tf)
{
	memset(tf, 0, sizeof *tf);
	tf->life_type = LIFE_SECONDS;
	for (size_t i = 0; i < t->n_attrs; i++) {
		uint32_t v;
		if (isakmp_attr_int(&t->attrs[i], &v) < 0) {
			tf->bad = true;
			continue;
		}
		switch (t->attrs[i].type) {
		case P1A_ENC: tf->enc = v; break;
		case P1A_HASH: tf->hash = v; break;
		case P1A_AUTH: tf->auth = v; break;
		case P1A_GROUP: tf->group = v; break;
		case P1A_KEYLEN: tf->keylen = v; break;
		case P1A_LIFE_TYPE: tf->life_type = v; break;
		case P1A_LIFE_DUR:
			if (tf->life_type == LIFE_SECONDS)
				tf->life = v;
			break;
		default: break;
		}
	}
}

static enum ikg_cipher p1_cipher(const struct p1_tf *tf)
{
	switch (tf->enc) {
	case P1_ENC_DES: return IKG_CIPHER_DES;
	case P1_ENC_3DES: return IKG_CIPHER_3DES;
	case P1_ENC_AES:
		switch (tf->keylen) {
		case 0:
		case 128: return IKG_CIPHER_AES128;
		case 192: return IKG_CIPHER_AES192;
		case 256: return IKG_CIPHER_AES256;
		default: return 0;
		}
	default: return 0;
	}
}

static enum ikg_hash p1_hash(uint32_t v)
{
	switch (v) {
	case P1_HASH_MD5: return IKG_HASH_MD5;
	case P1_HASH_SHA: return IKG_HASH_SHA1;
	case P1_HASH_SHA256: return IKG_HASH_SHA256;
	case P1_HASH_SHA384: return IKG_HASH_SHA384;
	case P1_HASH_SHA512: return IKG_HASH_SHA512;
	default: return 0;
	}
}

static void p1_wire_cipher(enum ikg_cipher c, uint16_t *enc, uint16_t *keylen)
{
	*keylen = 0;
	switch (c) {
	case IKG_CIPHER_DES: *enc = P1_ENC_DES; break;
	case IKG_CIPHER_3DES: *enc = P1_ENC_3DES; break;
	case IKG_CIPHER_AES128: *enc = P1_ENC_AES; *keylen = 128; break;
	case IKG_CIPHER_AES192: *enc = P1_ENC_AES; *keylen = 192; break;
	case IKG_CIPHER_AES256: *enc = P1_ENC_AES; *keylen = 256; break;
	default: *enc = 0; break;
	}
}

static uint16_t p1_wire_hash(enum ikg_hash h)
{
	switch (h) {
	case IKG_HASH_MD5: return P1_HASH_MD5;
	case IKG_HASH_SHA1: return P1_HASH_SHA;
	case IKG_HASH_SHA256: return P1_HASH_SHA256;
	case IKG_HASH_SHA384: return P1_HASH_SHA384;
	case IKG_HASH_SHA512: return P1_HASH_SHA512;
	default: return 0;
	}
}

static void p1_tf_text(const struct p1_tf *tf, char *buf, size_t len)
{
	const char *c = ikg_cipher_name(p1_cipher(tf)), *h = ikg_hash_name(p1_hash(tf->hash));
	char cb[24], hb[16], ab[24] = "";

	if (!c) {
		snprintf(cb, sizeof cb, "enc%u", tf->enc);
		c = cb;
	}
	if (!h) {
		snprintf(hb, sizeof hb, "hash%u", tf->hash);
		h = hb;
	}
	if (tf->auth != AUTH_PSK)
		snprintf(ab, sizeof ab, "(auth=%u)", tf->auth);
	if (ikg_dh_group_supported((int)tf->group))
		snprintf(buf, len, "%s-%s-%s%s", c, h, ikg_dh_group_name((int)tf->group), ab);
	else
		snprintf(buf, len, "%s-%s-group%u%s", c, h, tf->group, ab);
}

void sa_put_p1_proposal(struct isakmp_builder *b, const struct cfg_ike_profile *ip)
{
	struct isakmp_sa sa;
	uint8_t life[4];
	uint16_t enc, keylen;

	memset(&sa, 0, sizeof sa);
	sa.doi = DOI_IPSEC;
	sa.situation = SIT_IDENTITY_ONLY;
	sa.n_proposals = 1;
	struct isakmp_proposal *p = &sa.proposals[0];
	p->number = 1;
	p->protocol = PROTO_ISAKMP;
	p->n_transforms = 1;
	struct isakmp_transform *t = &p->transforms[0];
	t->number = 1;
	t->id = KEY_IKE;
	p1_wire_cipher(ip->encryption, &enc, &keylen);
	attr_tv(t, P1A_ENC, enc);
	if (keylen)
		attr_tv(t, P1A_KEYLEN, keylen);
	attr_tv(t, P1A_HASH, p1_wire_hash(ip->hash));
	attr_tv(t, P1A_AUTH, AUTH_PSK);
	attr_tv(t, P1A_GROUP, (uint16_t)ip->dh_group);
	attr_tv(t, P1A_LIFE_TYPE, LIFE_SECONDS);
	attr_life(t, P1A_LIFE_DUR, ip->lifetime, life);
	isakmp_put_sa(b, &sa);
}

static bool p1_equal(const struct p1_tf *tf, const struct cfg_ike_profile *ip)
{
	return !tf->bad && tf->auth == AUTH_PSK && p1_cipher(tf) == ip->encryption &&
	       p1_hash(tf->hash) == ip->hash && (int)tf->group == ip->dh_group;
}

int sa_choose_p1(const struct isakmp_sa *sa, const struct cfg_ike_profile *ip,
		 struct p1_choice *out, const struct isakmp_transform **t_out, char *text,
		 size_t text_len)
{
	char one[64];
	size_t shown = 0;

	if (text_len)
		text[0] = 0;
	for (size_t i = 0; i < sa->n_proposals; i++) {
		const struct isakmp_proposal *p = &sa->proposals[i];
		if (p->protocol != PROTO_ISAKMP)
			continue;
		for (size_t j = 0; j < p->n_transforms; j++) {
			const struct isakmp_transform *t = &p->transforms[j];
			struct p1_tf tf;
			if (t->id != KEY_IKE)
				continue;
			p1_decode(t, &tf);
			if (p1_equal(&tf, ip) && sa->doi == DOI_IPSEC) {
				out->cipher = ip->encryption;
				out->hash = ip->hash;
				out->group = ip->dh_group;
				out->lifetime_s = tf.life;
				out->proposal_no = p->number;
				out->transform_no = t->number;
				*t_out = t;
				return 0;
			}
		}
	}
	/* No match: both lists for the evidence. */
	appendf(text, text_len, "received: ");
	for (size_t i = 0; i < sa->n_proposals; i++) {
		const struct isakmp_proposal *p = &sa->proposals[i];
		for (size_t j = 0; j < p->n_transforms; j++) {
			struct p1_tf tf;
			p1_decode(&p->transforms[j], &tf);
			p1_tf_text(&tf, one, sizeof one);
			appendf(text, text_len, "%s%s", shown++ ? ", " : "", one);
		}
	}
	if (!shown)
		appendf(text, text_len, "nothing usable");
	if (sa->doi != DOI_IPSEC)
		appendf(text, text_len, " (DOI %u)", sa->doi);
	struct p1_tf ours = {0};
	uint16_t enc, keylen;
	p1_wire_cipher(ip->encryption, &enc, &keylen);
	ours.enc = enc;
	ours.keylen = keylen;
	ours.hash = p1_wire_hash(ip->hash);
	ours.auth = AUTH_PSK;
	ours.group = (uint32_t)ip->dh_group;
	p1_tf_text(&ours, one, sizeof one);
	appendf(text, text_len, "; configured: %s", one);
	return -1;
}

void sa_put_p1_reply(struct isakmp_builder *b, const struct isakmp_sa *peer, uint8_t proposal_no,
		     const struct isakmp_transform *t)
{
	struct isakmp_sa sa;

	memset(&sa, 0, sizeof sa);
	sa.doi = DOI_IPSEC;
	sa.situation = peer->situation;
	sa.n_proposals = 1;
	sa.proposals[0].number = proposal_no;
	sa.proposals[0].protocol = PROTO_ISAKMP;
	sa.proposals[0].n_transforms = 1;
	sa.proposals[0].transforms[0] = *t;
	isakmp_put_sa(b, &sa);
}

/* ---- phase 2 ---- */

static uint8_t p2_esp_id(enum ikg_esp_enc enc, uint16_t *keylen)
{
	*keylen = 0;
	switch (enc) {
	case IKG_ESP_DES: return ESP_DES;
	case IKG_ESP_3DES: return ESP_3DES;
	case IKG_ESP_NULL: return ESP_NULL;
	case IKG_ESP_AES128: *keylen = 128; return ESP_AES;
	case IKG_ESP_AES192: *keylen = 192; return ESP_AES;
	case IKG_ESP_AES256: *keylen = 256; return ESP_AES;
	case IKG_ESP_AES128GCM16: *keylen = 128; return ESP_AES_GCM_16;
	case IKG_ESP_AES256GCM16: *keylen = 256; return ESP_AES_GCM_16;
	default: return 0;
	}
}

static enum ikg_esp_enc p2_esp_enc(uint8_t id, uint32_t keylen)
{
	switch (id) {
	case ESP_DES: return IKG_ESP_DES;
	case ESP_3DES: return IKG_ESP_3DES;
	case ESP_NULL: return IKG_ESP_NULL;
	case ESP_AES:
		return keylen == 0 || keylen == 128 ? IKG_ESP_AES128
		       : keylen == 192		? IKG_ESP_AES192
		       : keylen == 256		? IKG_ESP_AES256
						: IKG_ESP_NONE;
	case ESP_AES_GCM_16:
		return keylen == 0 || keylen == 128 ? IKG_ESP_AES128GCM16
		       : keylen == 256		? IKG_ESP_AES256GCM16
						: IKG_ESP_NONE;
	default: return IKG_ESP_NONE;
	}
}

static bool is_gcm(enum ikg_esp_enc enc)
{
	return enc == IKG_ESP_AES128GCM16 || enc == IKG_ESP_AES256GCM16;
}

static uint16_t p2_auth_alg(enum ikg_integ i)
{
	switch (i) {
	case IKG_INTEG_MD5: return AUTH_HMAC_MD5;
	case IKG_INTEG_SHA1: return AUTH_HMAC_SHA;
	case IKG_INTEG_SHA256: return AUTH_HMAC_SHA2_256;
	case IKG_INTEG_SHA512: return AUTH_HMAC_SHA2_512;
	default: return 0;
	}
}

static enum ikg_integ p2_integ(uint32_t auth)
{
	switch (auth) {
	case AUTH_HMAC_MD5: return IKG_INTEG_MD5;
	case AUTH_HMAC_SHA: return IKG_INTEG_SHA1;
	case AUTH_HMAC_SHA2_256: return IKG_INTEG_SHA256;
	case AUTH_HMAC_SHA2_512: return IKG_INTEG_SHA512;
	default: return IKG_INTEG_NONE;
	}
}

static uint8_t p2_ah_id(enum ikg_integ i)
{
	switch (i) {
	case IKG_INTEG_MD5: return AH_MD5;
	case IKG_INTEG_SHA1: return AH_SHA;
	case IKG_INTEG_SHA256: return AH_SHA2_256;
	case IKG_INTEG_SHA512: return AH_SHA2_512;
	default: return 0;
	}
}

static enum ikg_integ p2_ah_integ(uint8_t id)
{
	switch (id) {
	case AH_MD5: return IKG_INTEG_MD5;
	case AH_SHA: return IKG_INTEG_SHA1;
	case AH_SHA2_256: return IKG_INTEG_SHA256;
	case AH_SHA2_512: return IKG_INTEG_SHA512;
	default: return IKG_INTEG_NONE;
	}
}

/* The integrity a profile really uses (none with GCM). */
static enum ikg_integ prof_integ(const struct cfg_ipsec_profile *p)
{
	return p->protocol == IKG_PROTO_ESP && is_gcm(p->encryption) ? IKG_INTEG_NONE
								      : p->integrity;
}

size_t sa_p2_enc_key_len(enum ikg_esp_enc enc)
{
	switch (enc) {
	case IKG_ESP_DES: return 8;
	case IKG_ESP_3DES: return 24;
	case IKG_ESP_AES128: return 16;
	case IKG_ESP_AES192: return 24;
	case IKG_ESP_AES256: return 32;
	case IKG_ESP_AES128GCM16: return 16 + 4;     /* key + salt (RFC 4106 8.1) */
	case IKG_ESP_AES256GCM16: return 32 + 4;
	default: return 0;
	}
}

size_t sa_p2_integ_key_len(enum ikg_integ integ)
{
	switch (integ) {
	case IKG_INTEG_MD5: return 16;
	case IKG_INTEG_SHA1: return 20;
	case IKG_INTEG_SHA256: return 32;
	case IKG_INTEG_SHA512: return 64;
	default: return 0;
	}
}

void sa_put_p2_proposal(struct isakmp_builder *b, const struct cfg_ipsec_profile *p,
			uint32_t spi_in, uint16_t encap_mode)
{
	struct isakmp_sa sa;
	uint8_t spi[4] = {(uint8_t)(spi_in >> 24), (uint8_t)(spi_in >> 16), (uint8_t)(spi_in >> 8),
			  (uint8_t)spi_in};
	uint8_t life[4];
	uint16_t keylen = 0;

	memset(&sa, 0, sizeof sa);
	sa.doi = DOI_IPSEC;
	sa.situation = SIT_IDENTITY_ONLY;
	sa.n_proposals = 1;
	struct isakmp_proposal *pr = &sa.proposals[0];
	pr->number = 1;
	pr->protocol = p->protocol == IKG_PROTO_AH ? PROTO_IPSEC_AH : PROTO_IPSEC_ESP;
	pr->spi = (struct ikg_bytes){spi, 4};
	pr->n_transforms = 1;
	struct isakmp_transform *t = &pr->transforms[0];
	t->number = 1;
	t->id = p->protocol == IKG_PROTO_AH ? p2_ah_id(p->integrity) : p2_esp_id(p->encryption, &keylen);
	attr_tv(t, P2A_LIFE_TYPE, LIFE_SECONDS);
	attr_life(t, P2A_LIFE_DUR, p->lifetime, life);
	if (p->pfs_group)
		attr_tv(t, P2A_GROUP, (uint16_t)p->pfs_group);
	attr_tv(t, P2A_ENCAP, encap_mode);
	if (prof_integ(p) != IKG_INTEG_NONE)
		attr_tv(t, P2A_AUTH, p2_auth_alg(prof_integ(p)));
	if (keylen)
		attr_tv(t, P2A_KEYLEN, keylen);
	isakmp_put_sa(b, &sa);
}

struct p2_tf {
	enum ikg_esp_enc enc;
	enum ikg_integ integ;
	uint32_t group, encap, life_type, life, auth, keylen;
	bool bad, has_encap;
};

static void p2_decode(uint8_t proto, const struct isakmp_transform *t, struct p2_tf *tf)
{
	memset(tf, 0, sizeof *tf);
	tf->life_type = LIFE_SECONDS;
	for (size_t i = 0; i < t->n_attrs; i++) {
		uint32_t v;
		if (isakmp_attr_int(&t->attrs[i], &v) < 0) {
			tf->bad = true;
			continue;
		}
		switch (t->attrs[i].type) {
		case P2A_LIFE_TYPE: tf->life_type = v; break;
		case P2A_LIFE_DUR:
			if (tf->life_type == LIFE_SECONDS)
				tf->life = v;
			break;
		case P2A_GROUP: tf->group = v; break;
		case P2A_ENCAP: tf->encap = v; tf->has_encap = true; break;
		case P2A_AUTH: tf->auth = v; break;
		case P2A_KEYLEN: tf->keylen = v; break;
		default: break;
		}
	}
	if (proto == PROTO_IPSEC_ESP) {
		tf->enc = p2_esp_enc(t->id, tf->keylen);
		tf->integ = p2_integ(tf->auth);
		if (tf->enc == IKG_ESP_NONE || (tf->auth && tf->integ == IKG_INTEG_NONE))
			tf->bad = true;
	} else {
		tf->integ = p2_ah_integ(t->id);
		if (tf->integ == IKG_INTEG_NONE || (tf->auth && p2_integ(tf->auth) != tf->integ))
			tf->bad = true;
	}
	if (!tf->has_encap)
		tf->encap = ENCAP_TUNNEL;
}

static void p2_tf_text(uint8_t proto, uint8_t id, const struct p2_tf *tf, char *buf, size_t len)
{
	char g[24];

	if (tf->group)
		snprintf(g, sizeof g, "%s", ikg_dh_group_supported((int)tf->group)
						    ? ikg_dh_group_name((int)tf->group) : "group?");
	else
		snprintf(g, sizeof g, "nopfs");
	if (proto == PROTO_IPSEC_AH) {
		const char *i = tf->integ ? ikg_integ_name(tf->integ) : "ah?";
		snprintf(buf, len, "ah-%s-%s", i, g);
		return;
	}
	char eb[16];
	const char *en = tf->enc ? ikg_esp_enc_name(tf->enc) : NULL;
	if (!en) {
		snprintf(eb, sizeof eb, "enc%u", id);
		en = eb;
	}
	if (tf->integ)
		snprintf(buf, len, "esp-%s-%s-%s", en, ikg_integ_name(tf->integ), g);
	else
		snprintf(buf, len, "esp-%s-%s", en, g);
	if (tf->encap == ENCAP_TRANSPORT || tf->encap == ENCAP_UDP_TRANSPORT ||
	    tf->encap == ENCAP_UDP_TRANSPORT_DRAFT)
		appendf(buf, len, "(transport)");
}

void sa_p2_text(const struct cfg_ipsec_profile *p, char *buf, size_t len)
{
	struct p2_tf tf;
	uint16_t keylen = 0;
	uint8_t proto = p->protocol == IKG_PROTO_AH ? PROTO_IPSEC_AH : PROTO_IPSEC_ESP;
	uint8_t id = proto == PROTO_IPSEC_AH ? p2_ah_id(p->integrity) : p2_esp_id(p->encryption, &keylen);

	memset(&tf, 0, sizeof tf);
	tf.enc = proto == PROTO_IPSEC_ESP ? p->encryption : IKG_ESP_NONE;
	tf.integ = prof_integ(p);
	tf.group = (uint32_t)p->pfs_group;
	tf.encap = ENCAP_TUNNEL;
	p2_tf_text(proto, id, &tf, buf, len);
}

static bool encap_is_tunnel(uint32_t m)
{
	return m == ENCAP_TUNNEL || m == ENCAP_UDP_TUNNEL || m == ENCAP_UDP_TUNNEL_DRAFT;
}

/* Proposal numbers that appear more than once are AND-bundles (e.g. AH+ESP): not supported. */
static bool is_bundle(const struct isakmp_sa *sa, size_t i)
{
	for (size_t j = 0; j < sa->n_proposals; j++)
		if (j != i && sa->proposals[j].number == sa->proposals[i].number)
			return true;
	return false;
}

int sa_choose_p2(const struct isakmp_sa *sa, const struct cfg_ipsec_profile *p,
		 struct p2_choice *out, const struct isakmp_proposal **prop_out,
		 const struct isakmp_transform **t_out, char *text, size_t text_len)
{
	uint8_t want = p->protocol == IKG_PROTO_AH ? PROTO_IPSEC_AH : PROTO_IPSEC_ESP;
	enum ikg_integ want_integ = prof_integ(p);
	char one[64];
	size_t shown = 0;

	if (text_len)
		text[0] = 0;
	for (size_t i = 0; sa->doi == DOI_IPSEC && i < sa->n_proposals; i++) {
		const struct isakmp_proposal *pr = &sa->proposals[i];
		if (pr->protocol != want || pr->spi.len != 4 || is_bundle(sa, i))
			continue;
		for (size_t j = 0; j < pr->n_transforms; j++) {
			struct p2_tf tf;
			p2_decode(pr->protocol, &pr->transforms[j], &tf);
			if (tf.bad || !encap_is_tunnel(tf.encap) || tf.integ != want_integ ||
			    (want == PROTO_IPSEC_ESP && tf.enc != p->encryption) ||
			    (int)tf.group != p->pfs_group)
				continue;
			out->isakmp_proto = want;
			out->enc = tf.enc;
			out->integ = tf.integ;
			out->group = (int)tf.group;
			out->encap_mode = (uint16_t)tf.encap;
			out->lifetime_s = tf.life;
			out->spi = pr->spi;
			*prop_out = pr;
			*t_out = &pr->transforms[j];
			return 0;
		}
	}
	appendf(text, text_len, "received: ");
	for (size_t i = 0; i < sa->n_proposals; i++) {
		const struct isakmp_proposal *pr = &sa->proposals[i];
		if (pr->protocol != PROTO_IPSEC_ESP && pr->protocol != PROTO_IPSEC_AH)
			continue;
		for (size_t j = 0; j < pr->n_transforms; j++) {
			struct p2_tf tf;
			p2_decode(pr->protocol, &pr->transforms[j], &tf);
			p2_tf_text(pr->protocol, pr->transforms[j].id, &tf, one, sizeof one);
			appendf(text, text_len, "%s%s", shown++ ? ", " : "", one);
		}
	}
	if (!shown)
		appendf(text, text_len, "nothing usable");
	sa_p2_text(p, one, sizeof one);
	appendf(text, text_len, "; configured: %s", one);
	return -1;
}

void sa_put_p2_reply(struct isakmp_builder *b, const struct isakmp_proposal *prop,
		     const struct isakmp_transform *t, uint32_t spi_in)
{
	struct isakmp_sa sa;
	uint8_t spi[4] = {(uint8_t)(spi_in >> 24), (uint8_t)(spi_in >> 16), (uint8_t)(spi_in >> 8),
			  (uint8_t)spi_in};

	memset(&sa, 0, sizeof sa);
	sa.doi = DOI_IPSEC;
	sa.situation = SIT_IDENTITY_ONLY;
	sa.n_proposals = 1;
	sa.proposals[0].number = prop->number;
	sa.proposals[0].protocol = prop->protocol;
	sa.proposals[0].spi = (struct ikg_bytes){spi, 4};
	sa.proposals[0].n_transforms = 1;
	sa.proposals[0].transforms[0] = *t;
	isakmp_put_sa(b, &sa);
}
