/* libFuzzer target: ESP/AH decapsulation (ipsec_input) with real SAs installed in a SAD.
 * Never crashes, never leaks, and three properties hold:
 *   - a packet encapsulated by the outbound SA and not tampered with decapsulates, and gives
 *     back exactly the inner packet;
 *   - a packet accepted once is refused the second time (replay), as an ESP/AH error;
 *   - every refusal names exactly one discard reason (< RXD__COUNT).
 *
 * A fresh SAD with eight SA pairs is built per input (deterministic: no state between runs):
 *   0 ESP AES128-CBC/HMAC-SHA1   1 ESP AES128-GCM16       2 ESP NULL/HMAC-SHA256
 *   3 AH HMAC-SHA1               4 ESP AES256-CBC/SHA512  5 ESP-in-UDP AES128-CBC/SHA1 (window 64)
 *   6 AH HMAC-SHA512             7 ESP AES256-GCM16
 *
 * Input byte 0, low 2 bits, selects the mode:
 *   0  the rest is one outer IPv4 packet, straight to ipsec_input;
 *   1  records [flags][sa][len][inner bytes]: an inner IPv4 packet built around the bytes is
 *      encapsulated with the outbound SA, optionally tampered (flags) or replayed, then input;
 *   2  records [sa][seq 4][len][plaintext]: a packet forged with the SA's own keys (valid ICV,
 *      arbitrary plaintext: the padding, next-header and inner-packet checks see anything)
 *      with the sequence number from the input (the replay window sees anything);
 *   3  as 0 but the outer packet is split in records, each input separately. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pkt.h"
#include "ipsec/ipsec.h"
#include "wire/ipv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_SA 8
#define GW_A 0xc0000201u   /* 192.0.2.1 */
#define GW_B 0xc0000202u   /* 192.0.2.2 */

struct sa_def {
	uint8_t protocol;
	enum ikg_esp_enc enc;
	enum ikg_integ integ;
	uint32_t spi;
	bool udp;
	uint32_t window;
};

static const struct sa_def defs[N_SA] = {
	{IKG_PROTO_ESP, IKG_ESP_AES128, IKG_INTEG_SHA1, 0x00001001, false, 0},
	{IKG_PROTO_ESP, IKG_ESP_AES128GCM16, IKG_INTEG_NONE, 0x00001002, false, 0},
	{IKG_PROTO_ESP, IKG_ESP_NULL, IKG_INTEG_SHA256, 0x00001003, false, 0},
	{IKG_PROTO_AH, IKG_ESP_NONE, IKG_INTEG_SHA1, 0x00002001, false, 0},
	{IKG_PROTO_ESP, IKG_ESP_AES256, IKG_INTEG_SHA512, 0x00001004, false, 0},
	{IKG_PROTO_ESP, IKG_ESP_AES128, IKG_INTEG_SHA1, 0x00001005, true, 64},
	{IKG_PROTO_AH, IKG_ESP_NONE, IKG_INTEG_SHA512, 0x00002002, false, 0},
	{IKG_PROTO_ESP, IKG_ESP_AES256GCM16, IKG_INTEG_NONE, 0x00001006, false, 0},
};

struct sa_set {
	struct ipsec_sad *sad;
	struct ipsec_sa *in[N_SA], *out[N_SA];
	uint8_t keymat[N_SA][IPSEC_MAX_ENC_KEY + IPSEC_MAX_INTEG_KEY];
	uint64_t rng;
};

static struct ikg_pkt pkt, saved;
static int verbose = -1;         /* FUZZ_VERBOSE=1: one line per ipsec_input (seed checks) */

static void rnd(void *ctx, void *buf, size_t len)
{
	uint64_t *s = ctx;
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++) {
		*s ^= *s << 13;
		*s ^= *s >> 7;
		*s ^= *s << 17;
		p[i] = (uint8_t)*s;
	}
}

static void set_up(struct sa_set *s)
{
	memset(s, 0, sizeof(*s));
	s->rng = 0x1234567887654321ull;
	s->sad = ipsec_sad_new(16);
	if (!s->sad)
		abort();
	for (int i = 0; i < N_SA; i++) {
		const struct sa_def *d = &defs[i];
		struct ipsec_sa_params p;
		for (size_t k = 0; k < sizeof(s->keymat[i]); k++)
			s->keymat[i][k] = (uint8_t)(0x11 * (i + 1) + k * 7);
		if (ipsec_sa_params_init(&p, d->protocol, d->spi, d->enc, d->integ, s->keymat[i],
					 ipsec_enc_key_len(d->enc), ipsec_integ_key_len(d->integ)))
			abort();
		p.src = GW_A;
		p.dst = GW_B;
		p.udp_encap = d->udp;
		p.sport = p.dport = d->udp ? NATT_PORT : 0;
		p.replay_window = d->window;
		s->out[i] = ipsec_sa_new(&p, false, rnd, &s->rng);
		s->in[i] = ipsec_sa_new(&p, true, rnd, &s->rng);
		ipsec_sa_params_wipe(&p);
		if (!s->out[i] || !s->in[i] || ipsec_sad_add(s->sad, s->in[i]))
			abort();
	}
}

static void tear_down(struct sa_set *s)
{
	for (int i = 0; i < N_SA; i++) {
		if (ipsec_sad_remove(s->sad, defs[i].spi, defs[i].protocol) != s->in[i])
			abort();
		ipsec_sa_free(s->in[i]);
		ipsec_sa_free(s->out[i]);
	}
	ipsec_sad_free(s->sad);
}

/* ipsec_input with the invariants checked; returns its result. */
static int input(struct sa_set *s, struct ikg_pkt *p)
{
	struct ipsec_sa *sa = NULL;
	enum rx_discard why = RXD__COUNT;
	int rc = ipsec_input(s->sad, p, &sa, &why);
	if (verbose)
		fprintf(stderr, "ipsec_input: %s\n", rc == 0 ? "accepted" : rx_discard_name(why));
	if (rc == 0) {
		if (!sa || (size_t)p->off + p->len > IKG_PKT_SIZE || p->len < IPV4_HDR_LEN)
			abort();
	} else if (rc != -1 || why >= RXD__COUNT) {
		abort();
	}
	return rc;
}

static void load(struct ikg_pkt *p, const uint8_t *b, size_t len)
{
	pkt_reset(p);
	if (len > pkt_tailroom(p))
		len = pkt_tailroom(p);
	memcpy(pkt_put(p, len), b, len);
}

/* ---- mode 1: encapsulate, maybe tamper or replay, decapsulate ---- */

static size_t build_inner(struct ikg_pkt *p, uint8_t proto, const uint8_t *b, size_t len)
{
	if (len > 1400)
		len = 1400;
	pkt_reset(p);
	uint8_t *h = pkt_put(p, IPV4_HDR_LEN + len);
	ipv4_write_hdr(h, proto, 0x0a010105u, 0x0a020207u, (uint16_t)(IPV4_HDR_LEN + len), 1);
	memcpy(h + IPV4_HDR_LEN, b, len);
	return IPV4_HDR_LEN + len;
}

static void mode_encap(struct sa_set *s, const uint8_t *d, size_t n)
{
	uint8_t inner[IPV4_HDR_LEN + 1400];
	bool have_saved = false;
	while (n >= 4) {
		uint8_t flags = d[0], k = d[1] % N_SA;
		size_t len = d[2] < n - 4 ? d[2] : n - 4;
		uint8_t pos = d[3];
		d += 4;
		n -= 4;
		if ((flags & 3) == 3) {                          /* replay the last accepted one */
			d += len;
			n -= len;
			if (have_saved) {
				pkt = saved;
				if (input(s, &pkt) == 0)
					abort();
			}
			continue;
		}
		size_t inner_len = build_inner(&pkt, flags >> 2, d, len);
		memcpy(inner, pkt_start(&pkt), inner_len);
		d += len;
		n -= len;
		if (ipsec_output(s->out[k], &pkt) != 0)
			continue;
		bool tampered = (flags & 3) == 1 && pkt.len;
		if (tampered)
			pkt_start(&pkt)[pos % pkt.len] ^= (uint8_t)(flags | 1);
		if ((flags & 3) == 2 && pkt.len > 1) {           /* truncated */
			pkt.len = (uint16_t)(pos % pkt.len);
			tampered = true;
		}
		struct ikg_pkt copy = pkt;
		int rc = input(s, &pkt);
		if (!tampered && (rc != 0 || pkt.len != inner_len ||
				  memcmp(pkt_start(&pkt), inner, inner_len) != 0))
			abort();                                 /* round trip must work */
		if (rc == 0) {
			saved = copy;
			have_saved = true;
		}
	}
}

/* ---- mode 2: forged packets with valid ICVs ---- */

static const char *md_name(enum ikg_integ i)
{
	switch (i) {
	case IKG_INTEG_SHA1: return "SHA1";
	case IKG_INTEG_SHA256: return "SHA256";
	case IKG_INTEG_SHA512: return "SHA512";
	default: return NULL;
	}
}

static bool forge_cbc(const struct sa_def *d, const uint8_t *key, uint8_t *iv, uint8_t *buf,
		      size_t len)
{
	const EVP_CIPHER *c = d->enc == IKG_ESP_AES128 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int a = 0, b = 0;
	bool ok = x && EVP_EncryptInit_ex(x, c, NULL, key, iv) == 1 &&
		  EVP_CIPHER_CTX_set_padding(x, 0) == 1 &&
		  EVP_EncryptUpdate(x, buf, &a, buf, (int)len) == 1 &&
		  EVP_EncryptFinal_ex(x, buf + a, &b) == 1;
	EVP_CIPHER_CTX_free(x);
	return ok;
}

static bool forge_gcm(const struct sa_def *d, const uint8_t *key, const uint8_t *esp,
		      uint8_t *buf, size_t len, uint8_t *tag)
{
	const EVP_CIPHER *c = d->enc == IKG_ESP_AES128GCM16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
	size_t klen = d->enc == IKG_ESP_AES128GCM16 ? 16 : 32;
	uint8_t nonce[12];
	memcpy(nonce, key + klen, 4);                    /* salt */
	memcpy(nonce + 4, esp + 8, 8);                   /* explicit IV */
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int a = 0, b = 0, aad = 0;
	bool ok = x && EVP_EncryptInit_ex(x, c, NULL, key, nonce) == 1 &&
		  EVP_EncryptUpdate(x, NULL, &aad, esp, 8) == 1 &&
		  EVP_EncryptUpdate(x, buf, &a, buf, (int)len) == 1 &&
		  EVP_EncryptFinal_ex(x, buf + a, &b) == 1 &&
		  EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
	EVP_CIPHER_CTX_free(x);
	return ok;
}

/* Builds outer IPv4 (+UDP) | SPI | seq | IV | E(plaintext) | ICV in pkt. false if it cannot. */
static bool forge(struct sa_set *s, int k, uint32_t seq, const uint8_t *pt, size_t len)
{
	const struct sa_def *d = &defs[k];
	const uint8_t *key = s->keymat[k];
	size_t enc_len = ipsec_enc_key_len(d->enc);
	bool gcm = d->enc == IKG_ESP_AES128GCM16 || d->enc == IKG_ESP_AES256GCM16;
	bool cbc = d->enc == IKG_ESP_AES128 || d->enc == IKG_ESP_AES256;
	size_t iv_len = gcm ? 8 : cbc ? 16 : 0;
	size_t icv_len = ipsec_icv_len(d->enc, d->integ);
	if (d->protocol != IKG_PROTO_ESP)
		return false;
	if (len > 1400)
		len = 1400;
	if (cbc)
		len -= len % 16;
	size_t outer = IPV4_HDR_LEN + (d->udp ? UDP_HDR_LEN : 0);
	size_t esp_len = 8 + iv_len + len + icv_len;
	pkt_reset(&pkt);
	uint8_t *o = pkt_put(&pkt, outer + esp_len);
	uint8_t *esp = o + outer, *iv = esp + 8, *body = iv + iv_len, *icv = body + len;
	ipv4_write_hdr(o, d->udp ? IPPROTO_UDP_ : IKG_PROTO_ESP, GW_A, GW_B,
		       (uint16_t)(outer + esp_len), 7);
	if (d->udp)
		udp_write_hdr(o + IPV4_HDR_LEN, GW_A, NATT_PORT, GW_B, NATT_PORT, esp_len, false);
	uint32_t spi = d->spi;
	for (int i = 0; i < 4; i++) {
		esp[i] = (uint8_t)(spi >> (24 - 8 * i));
		esp[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
	}
	for (size_t i = 0; i < iv_len; i++)
		iv[i] = (uint8_t)(seq + i);
	memcpy(body, pt, len);
	if (gcm)
		return forge_gcm(d, key, esp, body, len, icv);
	if (cbc && !forge_cbc(d, key, iv, body, len))
		return false;
	uint8_t mac[64];
	size_t mac_len = 0;
	const char *md = md_name(d->integ);
	if (!md || !EVP_Q_mac(NULL, "HMAC", NULL, md, NULL, key + enc_len,
			      ipsec_integ_key_len(d->integ), esp, 8 + iv_len + len, mac,
			      sizeof(mac), &mac_len))
		return false;
	memcpy(icv, mac, icv_len);
	return true;
}

static void mode_forge(struct sa_set *s, const uint8_t *d, size_t n)
{
	static const int forgeable[6] = {0, 1, 2, 4, 5, 7};
	while (n >= 6) {
		int k = forgeable[d[0] % 6];
		uint32_t seq = (uint32_t)d[1] << 24 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 8 | d[4];
		size_t len = d[5] < n - 6 ? d[5] : n - 6;
		if (d[0] & 0x80)                             /* long plaintexts too */
			len = n - 6;
		d += 6;
		n -= 6;
		if (forge(s, k, seq, d, len)) {
			struct ikg_pkt copy = pkt;
			if (input(s, &pkt) == 0) {
				pkt = copy;                  /* accepted: a replay must not be */
				if (input(s, &pkt) == 0)
					abort();
			}
		}
		d += len;
		n -= len;
	}
}

static void mode_split(struct sa_set *s, const uint8_t *d, size_t n)
{
	while (n >= 2) {
		size_t len = (size_t)d[0] << 8 | d[1];
		d += 2;
		n -= 2;
		if (len > n)
			len = n;
		load(&pkt, d, len);
		input(s, &pkt);
		d += len;
		n -= len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sa_set s;
	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (size < 1)
		return 0;
	set_up(&s);
	switch (data[0] & 3) {
	case 0:
		load(&pkt, data + 1, size - 1);
		input(&s, &pkt);
		break;
	case 1:
		mode_encap(&s, data + 1, size - 1);
		break;
	case 2:
		mode_forge(&s, data + 1, size - 1);
		break;
	default:
		mode_split(&s, data + 1, size - 1);
		break;
	}
	tear_down(&s);
	return 0;
}
