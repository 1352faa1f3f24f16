#include "ipsec/sa_internal.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "common/secret.h"
#include "crypto/cipher.h"
#include "wire/ipv4.h"

struct enc_info {
	enum ikg_esp_enc enc;
	const char *evp_name;          /* NULL: no cipher */
	enum sa_cipher_mode mode;
	size_t key_len;                /* without the GCM salt */
	size_t block_len;
	size_t iv_len;
	bool legacy;
};

static const struct enc_info enc_table[] = {
	{IKG_ESP_DES, "DES-CBC", SA_MODE_CBC, 8, 8, 8, true},
	{IKG_ESP_3DES, "DES-EDE3-CBC", SA_MODE_CBC, 24, 8, 8, false},
	{IKG_ESP_AES128, "AES-128-CBC", SA_MODE_CBC, 16, 16, 16, false},
	{IKG_ESP_AES192, "AES-192-CBC", SA_MODE_CBC, 24, 16, 16, false},
	{IKG_ESP_AES256, "AES-256-CBC", SA_MODE_CBC, 32, 16, 16, false},
	{IKG_ESP_AES128GCM16, "AES-128-GCM", SA_MODE_GCM, 16, 4, 8, false},
	{IKG_ESP_AES256GCM16, "AES-256-GCM", SA_MODE_GCM, 32, 4, 8, false},
	{IKG_ESP_NULL, NULL, SA_MODE_NONE, 0, 4, 0, false},
};

struct integ_info {
	enum ikg_integ integ;
	const char *evp_name;
	size_t key_len;
	size_t icv_len;
};

static const struct integ_info integ_table[] = {
	{IKG_INTEG_MD5, "MD5", 16, 12},
	{IKG_INTEG_SHA1, "SHA1", 20, 12},
	{IKG_INTEG_SHA256, "SHA2-256", 32, 16},
	{IKG_INTEG_SHA512, "SHA2-512", 64, 32},
};

#define GCM_ICV_LEN 16
#define MAX_MD_BLOCK 128

static const struct enc_info *enc_lookup(enum ikg_esp_enc enc)
{
	for (size_t i = 0; i < IKG_ARRAY_LEN(enc_table); i++)
		if (enc_table[i].enc == enc)
			return &enc_table[i];
	return NULL;
}

static const struct integ_info *integ_lookup(enum ikg_integ integ)
{
	for (size_t i = 0; i < IKG_ARRAY_LEN(integ_table); i++)
		if (integ_table[i].integ == integ)
			return &integ_table[i];
	return NULL;
}

size_t ipsec_enc_key_len(enum ikg_esp_enc enc)
{
	const struct enc_info *e = enc_lookup(enc);
	if (!e)
		return 0;
	return e->key_len + (e->mode == SA_MODE_GCM ? IPSEC_GCM_SALT_LEN : 0);
}

size_t ipsec_integ_key_len(enum ikg_integ integ)
{
	const struct integ_info *i = integ_lookup(integ);
	return i ? i->key_len : 0;
}

size_t ipsec_icv_len(enum ikg_esp_enc enc, enum ikg_integ integ)
{
	const struct enc_info *e = enc_lookup(enc);
	if (e && e->mode == SA_MODE_GCM)
		return GCM_ICV_LEN;
	const struct integ_info *i = integ_lookup(integ);
	return i ? i->icv_len : 0;
}

int ipsec_sa_params_init(struct ipsec_sa_params *p, uint8_t protocol, uint32_t spi,
			 enum ikg_esp_enc enc, enum ikg_integ integ, const uint8_t *keymat,
			 size_t enc_key_len, size_t integ_key_len)
{
	memset(p, 0, sizeof(*p));
	if (enc_key_len != ipsec_enc_key_len(enc) || integ_key_len != ipsec_integ_key_len(integ) ||
	    enc_key_len > sizeof(p->enc_key) || integ_key_len > sizeof(p->integ_key))
		return -1;
	p->protocol = protocol;
	p->spi = spi;
	p->enc = enc;
	p->integ = integ;
	if (enc_key_len)
		memcpy(p->enc_key, keymat, enc_key_len);
	if (integ_key_len)
		memcpy(p->integ_key, keymat + enc_key_len, integ_key_len);
	p->enc_key_len = enc_key_len;
	p->integ_key_len = integ_key_len;
	return 0;
}

void ipsec_sa_params_wipe(struct ipsec_sa_params *p)
{
	ikg_wipe(p->enc_key, sizeof(p->enc_key));
	ikg_wipe(p->integ_key, sizeof(p->integ_key));
	p->enc_key_len = p->integ_key_len = 0;
}

/* Which combinations make an SA. ESP: encryption required; CBC needs integrity (no
 * encryption-only SAs), GCM must not have a separate one, NULL needs one. AH: integrity only. */
static bool params_valid(const struct ipsec_sa_params *p, const struct enc_info **e,
			 const struct integ_info **i)
{
	if (p->spi < 256)                 /* 0 is invalid, 1..255 reserved (RFC 4303 2.1) */
		return false;
	*i = p->integ == IKG_INTEG_NONE ? NULL : integ_lookup(p->integ);
	if (p->integ != IKG_INTEG_NONE && !*i)
		return false;
	if (p->integ_key_len != ipsec_integ_key_len(p->integ))
		return false;
	if (p->protocol == IKG_PROTO_AH) {
		*e = NULL;
		return p->enc == IKG_ESP_NONE && *i && !p->udp_encap && p->enc_key_len == 0;
	}
	if (p->protocol != IKG_PROTO_ESP)
		return false;
	*e = enc_lookup(p->enc);
	if (!*e || p->enc_key_len != ipsec_enc_key_len(p->enc))
		return false;
	if ((*e)->mode == SA_MODE_GCM)
		return *i == NULL;
	return *i != NULL;
}

static int setup_cipher(struct ipsec_sa *sa, const struct enc_info *e, const uint8_t *key)
{
	if (e->legacy && ikg_crypto_load_legacy() != 0)
		return -1;
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, e->evp_name, NULL);
	if (!c)
		return -1;
	sa->cipher = EVP_CIPHER_CTX_new();
	int enc = sa->inbound ? 0 : 1;
	int ok = sa->cipher && EVP_CipherInit_ex(sa->cipher, c, NULL, key, NULL, enc) == 1;
	/* CBC: we pad ourselves. Not for GCM: OpenSSL re-applies the setting on every IV change
	 * (a parameter lookup per packet) and a stream mode has nothing to pad. */
	if (ok && e->mode == SA_MODE_CBC)
		ok = EVP_CIPHER_CTX_set_padding(sa->cipher, 0) == 1;
	EVP_CIPHER_free(c);               /* the context keeps its own reference */
	return ok ? 0 : -1;
}

/* Outbound CBC IVs: E_k(counter) under a random AES-128 key, unpredictable without k. */
static int setup_ivgen(struct ipsec_sa *sa, ikg_rand_fn rnd, void *rnd_ctx)
{
	uint8_t key[16];
	rnd(rnd_ctx, key, sizeof(key));
	rnd(rnd_ctx, &sa->iv_counter, sizeof(sa->iv_counter));
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	sa->ivgen = EVP_CIPHER_CTX_new();
	int ok = c && sa->ivgen && EVP_EncryptInit_ex(sa->ivgen, c, NULL, key, NULL) == 1 &&
		 EVP_CIPHER_CTX_set_padding(sa->ivgen, 0) == 1;
	EVP_CIPHER_free(c);
	ikg_wipe(key, sizeof(key));
	return ok ? 0 : -1;
}

/* HMAC (RFC 2104) key states: digest contexts that have absorbed K^ipad and K^opad. */
static int setup_hmac(struct ipsec_sa *sa, const struct integ_info *i, const uint8_t *key,
		      size_t key_len)
{
	EVP_MD *md = EVP_MD_fetch(NULL, i->evp_name, NULL);
	if (!md)
		return -1;
	int block = EVP_MD_get_block_size(md);
	uint8_t k[MAX_MD_BLOCK], pad[MAX_MD_BLOCK];
	int ok = block > 0 && block <= MAX_MD_BLOCK;
	if (ok && key_len > (size_t)block) {
		unsigned int n = 0;
		ok = EVP_Digest(key, key_len, k, &n, md, NULL) == 1;
		key_len = n;
	} else if (ok) {
		memcpy(k, key, key_len);
	}
	sa->md_inner = EVP_MD_CTX_new();
	sa->md_outer = EVP_MD_CTX_new();
	sa->md_work = EVP_MD_CTX_new();
	ok = ok && sa->md_inner && sa->md_outer && sa->md_work;
	if (ok) {
		memset(k + key_len, 0, (size_t)block - key_len);
		for (int j = 0; j < block; j++)
			pad[j] = k[j] ^ 0x36;
		ok = EVP_DigestInit_ex(sa->md_inner, md, NULL) == 1 &&
		     EVP_DigestUpdate(sa->md_inner, pad, (size_t)block) == 1;
		for (int j = 0; j < block; j++)
			pad[j] = k[j] ^ 0x5c;
		ok = ok && EVP_DigestInit_ex(sa->md_outer, md, NULL) == 1 &&
		     EVP_DigestUpdate(sa->md_outer, pad, (size_t)block) == 1 &&
		     EVP_DigestInit_ex(sa->md_work, md, NULL) == 1;
	}
	ikg_wipe(k, sizeof(k));
	ikg_wipe(pad, sizeof(pad));
	EVP_MD_free(md);
	return ok ? 0 : -1;
}

struct ipsec_sa *ipsec_sa_new(const struct ipsec_sa_params *p, bool inbound, ikg_rand_fn rnd,
			      void *rnd_ctx)
{
	const struct enc_info *e = NULL;
	const struct integ_info *i = NULL;
	if (!params_valid(p, &e, &i))
		return NULL;
	struct ipsec_sa *sa = calloc(1, sizeof(*sa));
	if (!sa)
		return NULL;
	sa->p = *p;
	ipsec_sa_params_wipe(&sa->p);
	sa->inbound = inbound;
	sa->mode = e ? e->mode : SA_MODE_NONE;
	sa->block_len = e ? e->block_len : 4;
	sa->iv_len = e ? e->iv_len : 0;
	sa->icv_len = ipsec_icv_len(p->enc, p->integ);
	int ok = 1;
	if (e && e->evp_name)
		ok = setup_cipher(sa, e, p->enc_key) == 0;
	if (ok && sa->mode == SA_MODE_GCM)
		memcpy(sa->salt, p->enc_key + e->key_len, IPSEC_GCM_SALT_LEN);
	if (ok && sa->mode == SA_MODE_CBC && !inbound)
		ok = rnd && setup_ivgen(sa, rnd, rnd_ctx) == 0;
	if (ok && i)
		ok = setup_hmac(sa, i, p->integ_key, p->integ_key_len) == 0;
	if (ok && !inbound)
		sa_build_outer(sa);
	if (ok && inbound)
		ok = replay_init(&sa->replay, p->replay_window ? p->replay_window
							       : IPSEC_REPLAY_DEFAULT) == 0;
	if (!ok) {
		ipsec_sa_free(sa);
		return NULL;
	}
	return sa;
}

void ipsec_sa_free(struct ipsec_sa *sa)
{
	if (!sa)
		return;
	EVP_CIPHER_CTX_free(sa->cipher);
	EVP_CIPHER_CTX_free(sa->ivgen);
	EVP_MD_CTX_free(sa->md_inner);
	EVP_MD_CTX_free(sa->md_outer);
	EVP_MD_CTX_free(sa->md_work);
	replay_free(&sa->replay);
	ikg_wipe(sa, sizeof(*sa));
	free(sa);
}

uint32_t ipsec_sa_spi(const struct ipsec_sa *sa) { return sa->p.spi; }
uint8_t ipsec_sa_protocol(const struct ipsec_sa *sa) { return sa->p.protocol; }
bool ipsec_sa_inbound(const struct ipsec_sa *sa) { return sa->inbound; }
size_t ipsec_sa_profile(const struct ipsec_sa *sa) { return sa->p.profile; }
void ipsec_sa_set_profile(struct ipsec_sa *sa, size_t profile) { sa->p.profile = profile; }

void ipsec_sa_describe(const struct ipsec_sa *sa, struct ipsec_sa_params *out)
{
	*out = sa->p;                      /* keys were wiped at setup */
	out->replay_window = sa->inbound ? sa->replay.width : 0;
}

void ipsec_sa_set_peer(struct ipsec_sa *sa, ikg_ip4 peer, uint16_t peer_port)
{
	if (sa->inbound) {
		sa->p.src = peer;
		sa->p.sport = peer_port;
	} else if (sa->p.dst != peer || sa->p.dport != peer_port) {
		sa->p.dst = peer;
		sa->p.dport = peer_port;
		sa_build_outer(sa);
	}
}

void ipsec_sa_stats(const struct ipsec_sa *sa, struct ipsec_sa_stats *out)
{
	*out = sa->stats;
	out->seq = sa->inbound ? sa->replay.top : sa->seq;
}

bool ipsec_sa_soft_expired(const struct ipsec_sa *sa)
{
	return sa_limit_reached(sa->stats.bytes, sa->p.soft_bytes) ||
	       sa_limit_reached(sa->stats.packets, sa->p.soft_packets) || sa_hard_limit_reached(sa);
}

bool ipsec_sa_hard_expired(const struct ipsec_sa *sa)
{
	return sa_hard_limit_reached(sa) || (!sa->inbound && sa->seq == UINT32_MAX);
}

int sa_next_cbc_iv(struct ipsec_sa *sa, uint8_t *iv)
{
	uint8_t block[16] = {0}, out[16];
	int n = 0;
	uint64_t c = sa->iv_counter++;
	memcpy(block, &c, sizeof(c));
	if (EVP_EncryptUpdate(sa->ivgen, out, &n, block, sizeof(block)) != 1 || n != 16)
		return -1;
	memcpy(iv, out, sa->iv_len);
	return 0;
}

int sa_icv(struct ipsec_sa *sa, const struct ikg_bytes *parts, size_t n, uint8_t *out)
{
	uint8_t inner[EVP_MAX_MD_SIZE], full[EVP_MAX_MD_SIZE];
	unsigned int ilen = 0, flen = 0;
	EVP_MD_CTX *w = sa->md_work;
	if (EVP_MD_CTX_copy_ex(w, sa->md_inner) != 1)
		return -1;
	for (size_t k = 0; k < n; k++)
		if (parts[k].len && EVP_DigestUpdate(w, parts[k].p, parts[k].len) != 1)
			return -1;
	if (EVP_DigestFinal_ex(w, inner, &ilen) != 1 || EVP_MD_CTX_copy_ex(w, sa->md_outer) != 1 ||
	    EVP_DigestUpdate(w, inner, ilen) != 1 || EVP_DigestFinal_ex(w, full, &flen) != 1)
		return -1;
	memcpy(out, full, sa->icv_len);
	return 0;
}

int sa_trim_to_inner(struct ikg_pkt *pkt)
{
	struct ipv4_view v;
	/* The header checksum is left to the receiving stack, like any router that forwards: the
	 * whole packet was just authenticated. */
	if (ipv4_parse(pkt_start(pkt), pkt->len, false, &v) != 0)
		return -1;
	pkt->len = v.total_len;
	return 0;
}

void sa_build_outer(struct ipsec_sa *sa)
{
	uint8_t proto = sa->p.protocol == IKG_PROTO_AH ? IKG_PROTO_AH
			: sa->p.udp_encap             ? IPPROTO_UDP_
						      : IKG_PROTO_ESP;
	ipv4_write_hdr(sa->hdr, proto, sa->p.src, sa->p.dst, 0, 0);
	sa->hdr[10] = sa->hdr[11] = 0;             /* checksum: per packet */
	sa->hdr_sum = (uint16_t)~inet_csum(sa->hdr, IPV4_HDR_LEN);
	sa->hdr_len = IPV4_HDR_LEN;
	if (sa->p.udp_encap) {
		udp_write_hdr(sa->hdr + IPV4_HDR_LEN, sa->p.src, sa->p.sport, sa->p.dst, sa->p.dport,
			      0, false);
		sa->hdr_len += UDP_HDR_LEN;
	}
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

uint8_t *sa_push_outer(struct ipsec_sa *sa, struct ikg_pkt *pkt, uint8_t tos, uint16_t id)
{
	uint8_t *ip = pkt_push(pkt, sa->hdr_len);
	memcpy(ip, sa->hdr, IPV4_HDR_LEN);         /* fixed sizes: inlined copies */
	if (sa->p.udp_encap)
		memcpy(ip + IPV4_HDR_LEN, sa->hdr + IPV4_HDR_LEN, UDP_HDR_LEN);
	uint16_t total = pkt->len;
	/* Linux fills in an IP id of 0 on IP_HDRINCL raw sockets: AH's ICV would then no longer
	 * match what is sent (AH covers the id), so 0 is never used. */
	if (id == 0)
		id = 1;
	/* Our own header: byte 1 TOS, 2..3 total length, 4..5 id, 10..11 checksum; the sum of the
	 * constant words is precomputed, so the checksum costs three additions. */
	ip[1] = tos;
	put_be16(ip + 2, total);
	put_be16(ip + 4, id);
	uint32_t sum = sa->hdr_sum + tos + total + id;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	put_be16(ip + 10, (uint16_t)~sum);
	if (sa->p.udp_encap)                       /* UDP length at 4..5; checksum stays 0 */
		put_be16(ip + IPV4_HDR_LEN + 4, (uint16_t)(total - IPV4_HDR_LEN));
	return ip;
}
