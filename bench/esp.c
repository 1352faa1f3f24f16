/* ESP data-plane throughput: the core's encap + decap of 1400-byte inner packets against raw
 * OpenSSL EVP doing the minimum cryptographic work for the same packet, in the same process,
 * on the same buffer, with the same algorithm:
 *   AES-128-GCM-16:        baseline = EVP_EncryptInit_ex(IV) + AAD + update + final + tag,
 *                          then the same to decrypt and check the tag;
 *   AES-128-CBC + HMAC-SHA1-96: baseline = CBC encrypt + HMAC, then HMAC + CBC decrypt
 *                          (a keyed EVP_MAC_CTX re-initialised with EVP_MAC_init(NULL key)).
 * One "packet" = one encap and one decap. Gbit/s counts inner bytes. Time is the thread's CPU
 * time; many short rounds alternate ours and baseline, rates and ratios are medians. Last line: `esp ratio=R`, the lower of the two ratios.
 * --smoke: a tiny run for CI. */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/pkt.h"
#include "ipsec/ipsec.h"
#include "wire/ipv4.h"

#define INNER_LEN 1400
#define IP4(a, b, c, d) ((ikg_ip4)((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d)))

static double now_s(void)
{
	struct timespec ts;
	/* This thread's CPU time: what the work costs, not what other processes on a shared
	 * machine take from us. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void rnd_fn(void *ctx, void *buf, size_t len)
{
	uint32_t *s = ctx;
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++) {
		*s = *s * 1103515245u + 12345u;
		p[i] = (uint8_t)(*s >> 16);
	}
}

static void make_inner(struct ikg_pkt *pkt)
{
	pkt_reset(pkt);
	uint8_t *p = pkt_put(pkt, INNER_LEN);
	ipv4_write_hdr(p, IPPROTO_UDP_, IP4(10, 1, 1, 5), IP4(10, 2, 2, 7), INNER_LEN, 1);
	for (size_t i = IPV4_HDR_LEN; i < INNER_LEN; i++)
		p[i] = (uint8_t)i;
}

static void die(const char *what)
{
	fprintf(stderr, "bench-esp: %s failed\n", what);
	exit(1);
}

/* ---- ours ---- */

struct ours {
	struct ipsec_sa *out, *in;
};

static struct ours ours_new(enum ikg_esp_enc enc, enum ikg_integ integ)
{
	uint32_t seed = 42;
	uint8_t keymat[IPSEC_MAX_ENC_KEY + IPSEC_MAX_INTEG_KEY];
	rnd_fn(&seed, keymat, sizeof(keymat));
	struct ipsec_sa_params p;
	if (ipsec_sa_params_init(&p, IKG_PROTO_ESP, 0x1000, enc, integ, keymat,
				 ipsec_enc_key_len(enc), ipsec_integ_key_len(integ)) != 0)
		die("params");
	p.src = IP4(192, 0, 2, 1);
	p.dst = IP4(192, 0, 2, 2);
	struct ours o = {ipsec_sa_new(&p, false, rnd_fn, &seed), ipsec_sa_new(&p, true, rnd_fn, &seed)};
	ipsec_sa_params_wipe(&p);
	if (!o.out || !o.in)
		die("ipsec_sa_new");
	return o;
}

static void ours_run(struct ours *o, const struct ikg_pkt *tmpl, struct ikg_pkt *pkt, long n)
{
	for (long i = 0; i < n; i++) {
		pkt->off = tmpl->off;
		pkt->len = tmpl->len;
		memcpy(pkt_start(pkt), pkt_start((struct ikg_pkt *)tmpl), tmpl->len);
		enum rx_discard why;
		if (ipsec_esp_encap(o->out, pkt) != 0 || !pkt_pull(pkt, IPV4_HDR_LEN) ||
		    ipsec_esp_decap(o->in, pkt, &why) != 0 || pkt->len != INNER_LEN)
			die("ours: encap/decap");
	}
}

/* ---- raw EVP baseline ---- */

struct base {
	bool gcm;
	EVP_CIPHER_CTX *enc, *dec;
	EVP_MAC_CTX *mac;
	size_t ct_len;              /* bytes through the cipher per packet */
};

static struct base base_new(bool gcm)
{
	uint8_t key[16], mkey[20];
	uint32_t seed = 7;
	rnd_fn(&seed, key, sizeof(key));
	rnd_fn(&seed, mkey, sizeof(mkey));
	struct base b = {.gcm = gcm};
	const EVP_CIPHER *c = gcm ? EVP_aes_128_gcm() : EVP_aes_128_cbc();
	b.enc = EVP_CIPHER_CTX_new();
	b.dec = EVP_CIPHER_CTX_new();
	if (!b.enc || !b.dec || EVP_EncryptInit_ex(b.enc, c, NULL, key, NULL) != 1 ||
	    EVP_DecryptInit_ex(b.dec, c, NULL, key, NULL) != 1)
		die("baseline cipher");
	if (!gcm) {                 /* block-aligned data; GCM has no padding to turn off */
		EVP_CIPHER_CTX_set_padding(b.enc, 0);
		EVP_CIPHER_CTX_set_padding(b.dec, 0);
	}
	/* The same amount of ciphertext as ESP needs for the packet (trailer, padding). */
	b.ct_len = gcm ? INNER_LEN + 4 : (INNER_LEN + 2 + 15) / 16 * 16;
	if (!gcm) {
		EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
		b.mac = m ? EVP_MAC_CTX_new(m) : NULL;
		OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
									  (char *)"SHA1", 0),
				       OSSL_PARAM_construct_end()};
		if (!b.mac || EVP_MAC_init(b.mac, mkey, sizeof(mkey), params) != 1)
			die("baseline hmac");
		EVP_MAC_free(m);
	}
	return b;
}

static void base_free(struct base *b)
{
	EVP_CIPHER_CTX_free(b->enc);
	EVP_CIPHER_CTX_free(b->dec);
	EVP_MAC_CTX_free(b->mac);
}

static void base_gcm(struct base *b, uint8_t *hdr, uint8_t *buf, uint32_t seq)
{
	uint8_t iv[12] = {1, 2, 3, 4}, tag[16];
	int n, f;
	memcpy(iv + 8, &seq, 4);
	if (EVP_EncryptInit_ex(b->enc, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(b->enc, NULL, &n, hdr, 8) != 1 ||
	    EVP_EncryptUpdate(b->enc, buf, &n, buf, (int)b->ct_len) != 1 ||
	    EVP_EncryptFinal_ex(b->enc, buf + n, &f) != 1 ||
	    EVP_CIPHER_CTX_ctrl(b->enc, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
		die("baseline gcm seal");
	if (EVP_DecryptInit_ex(b->dec, NULL, NULL, NULL, iv) != 1 ||
	    EVP_CIPHER_CTX_ctrl(b->dec, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1 ||
	    EVP_DecryptUpdate(b->dec, NULL, &n, hdr, 8) != 1 ||
	    EVP_DecryptUpdate(b->dec, buf, &n, buf, (int)b->ct_len) != 1 ||
	    EVP_DecryptFinal_ex(b->dec, buf + n, &f) != 1)
		die("baseline gcm open");
}

static void base_hmac(struct base *b, const uint8_t *p, size_t len, uint8_t *out)
{
	size_t ol = 0;
	if (EVP_MAC_init(b->mac, NULL, 0, NULL) != 1 || EVP_MAC_update(b->mac, p, len) != 1 ||
	    EVP_MAC_final(b->mac, out, &ol, 64) != 1)
		die("baseline hmac");
}

/* hdr: 8-byte ESP header then the 16-byte IV, buf follows it. */
static void base_cbc(struct base *b, uint8_t *hdr, uint8_t *buf)
{
	uint8_t *iv = hdr + 8, icv[64], check[64], ivcopy[16];
	int n, f;
	memcpy(ivcopy, iv, 16);
	if (EVP_EncryptInit_ex(b->enc, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(b->enc, buf, &n, buf, (int)b->ct_len) != 1 ||
	    EVP_EncryptFinal_ex(b->enc, buf + n, &f) != 1)
		die("baseline cbc encrypt");
	base_hmac(b, hdr, 24 + b->ct_len, icv);
	base_hmac(b, hdr, 24 + b->ct_len, check);
	if (CRYPTO_memcmp(icv, check, 12) != 0 ||
	    EVP_DecryptInit_ex(b->dec, NULL, NULL, NULL, ivcopy) != 1 ||
	    EVP_DecryptUpdate(b->dec, buf, &n, buf, (int)b->ct_len) != 1 ||
	    EVP_DecryptFinal_ex(b->dec, buf + n, &f) != 1)
		die("baseline cbc decrypt");
}

static void base_run(struct base *b, const struct ikg_pkt *tmpl, struct ikg_pkt *pkt, long n)
{
	for (long i = 0; i < n; i++) {
		pkt->off = tmpl->off;
		pkt->len = tmpl->len;
		memcpy(pkt_start(pkt), pkt_start((struct ikg_pkt *)tmpl), tmpl->len);
		uint8_t *buf = pkt_start(pkt), *hdr = buf - 24;
		memset(buf + INNER_LEN, 0, b->ct_len - INNER_LEN);
		if (b->gcm)
			base_gcm(b, hdr, buf, (uint32_t)i);
		else
			base_cbc(b, hdr, buf);
	}
}

/* ---- driver ---- */

struct result {
	double ours_pps, base_pps, ratio;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define MAX_ROUNDS 400

/* Rounds alternate ours and baseline over the same buffers; each round gives a paired ratio.
 * Medians make one disturbed round (another process on the core) irrelevant. */
static struct result measure(const char *name, enum ikg_esp_enc enc, enum ikg_integ integ,
			     long n, int rounds)
{
	struct ours o = ours_new(enc, integ);
	struct base b = base_new(enc == IKG_ESP_AES128GCM16);
	struct ikg_pkt tmpl, *pkt = malloc(sizeof(*pkt));
	static double t_ours[MAX_ROUNDS], t_base[MAX_ROUNDS], ratio[MAX_ROUNDS];
	if (!pkt)
		die("malloc");
	make_inner(&tmpl);
	ours_run(&o, &tmpl, pkt, n / 10 + 1);      /* warm up */
	base_run(&b, &tmpl, pkt, n / 10 + 1);
	for (int k = 0; k < rounds; k++) {
		double t0 = now_s();
		ours_run(&o, &tmpl, pkt, n);
		double t1 = now_s();
		base_run(&b, &tmpl, pkt, n);
		double t2 = now_s();
		t_ours[k] = t1 - t0;
		t_base[k] = t2 - t1;
		ratio[k] = t_base[k] / t_ours[k];
	}
	struct result r = {(double)n / median(t_ours, rounds), (double)n / median(t_base, rounds),
			   median(ratio, rounds)};
	double gbit = 8.0 * INNER_LEN / 1e9;
	printf("%-22s ours %9.0f pkt/s %6.2f Gbit/s   openssl %9.0f pkt/s %6.2f Gbit/s   ratio %.3f\n",
	       name, r.ours_pps, r.ours_pps * gbit, r.base_pps, r.base_pps * gbit, r.ratio);
	free(pkt);
	base_free(&b);
	ipsec_sa_free(o.out);
	ipsec_sa_free(o.in);
	return r;
}

int main(int argc, char **argv)
{
	bool smoke = false;
	const char *only = "";      /* --only gcm|cbc: one algorithm (for profiling) */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--smoke") == 0)
			smoke = true;
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
	}
	long n = smoke ? 500 : 4000;
	int rounds = smoke ? 1 : 201;
	printf("ESP tunnel mode, %d-byte inner packets, encap + decap per packet (%s)\n", INNER_LEN,
	       OpenSSL_version(OPENSSL_VERSION));
	struct result g = {1, 1, 1}, c = {1, 1, 1};
	if (strcmp(only, "cbc") != 0)
		g = measure("aes128gcm16", IKG_ESP_AES128GCM16, IKG_INTEG_NONE, n, rounds);
	if (strcmp(only, "gcm") != 0)
		c = measure("aes128-cbc+hmac-sha1", IKG_ESP_AES128, IKG_INTEG_SHA1, n, rounds);
	double rg = g.ratio, rc = c.ratio;
	printf("esp ratio aes128gcm16=%.3f aes128-cbc+hmac-sha1=%.3f\n", rg, rc);
	printf("esp ratio=%.3f\n", rg < rc ? rg : rc);
	return 0;
}
