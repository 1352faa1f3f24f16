/* Writes ESP/AH packets built by the core for checking by independent implementations
 * (esp_kat_check.py: tshark for the ciphers, Python's hashlib/hmac for the ICVs):
 *   OUTDIR/esp.pcap    the outer packets (LINKTYPE_RAW)
 *   OUTDIR/esp_sa      wireshark's ESP SA table (UAT) with the keys
 *   OUTDIR/packets.txt one line per packet: kind spi integ integ_key_hex packet_hex inner_hex
 * Test-side code: does file I/O. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pkt.h"
#include "ipsec/ipsec.h"
#include "pcap.h"
#include "wire/ipv4.h"

#define IP4(a, b, c, d) ((ikg_ip4)((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d)))

struct kat_sa {
	uint32_t spi;
	uint8_t protocol;
	enum ikg_esp_enc enc;
	enum ikg_integ integ;
	bool udp;
	const char *ws_enc;           /* wireshark's names */
	const char *ws_auth;
};

static const struct kat_sa kat_sas[] = {
	{0x1001, IKG_PROTO_ESP, IKG_ESP_AES128GCM16, IKG_INTEG_NONE, false,
	 "AES-GCM with 16 octet ICV [RFC4106]", "NULL"},
	{0x1002, IKG_PROTO_ESP, IKG_ESP_AES128, IKG_INTEG_SHA1, false, "AES-CBC [RFC3602]",
	 "HMAC-SHA-1-96 [RFC2404]"},
	{0x1003, IKG_PROTO_ESP, IKG_ESP_AES256GCM16, IKG_INTEG_NONE, false,
	 "AES-GCM with 16 octet ICV [RFC4106]", "NULL"},
	{0x1004, IKG_PROTO_ESP, IKG_ESP_AES256, IKG_INTEG_SHA256, false, "AES-CBC [RFC3602]",
	 "HMAC-SHA-256-128 [RFC4868]"},
	{0x1005, IKG_PROTO_ESP, IKG_ESP_3DES, IKG_INTEG_MD5, false, "TripleDES-CBC [RFC2451]",
	 "HMAC-MD5-96 [RFC2403]"},
	{0x1006, IKG_PROTO_ESP, IKG_ESP_AES192, IKG_INTEG_SHA512, false, "AES-CBC [RFC3602]",
	 "HMAC-SHA-512-256 [RFC4868]"},
	{0x1007, IKG_PROTO_ESP, IKG_ESP_DES, IKG_INTEG_SHA1, false, "DES-CBC [RFC2405]",
	 "HMAC-SHA-1-96 [RFC2404]"},
	{0x1008, IKG_PROTO_ESP, IKG_ESP_AES128GCM16, IKG_INTEG_NONE, true,
	 "AES-GCM with 16 octet ICV [RFC4106]", "NULL"},
	{0x1009, IKG_PROTO_ESP, IKG_ESP_AES128, IKG_INTEG_SHA1, true, "AES-CBC [RFC3602]",
	 "HMAC-SHA-1-96 [RFC2404]"},
	/* ICVs checked by Python */
	{0x2001, IKG_PROTO_ESP, IKG_ESP_NULL, IKG_INTEG_MD5, false, "NULL", "HMAC-MD5-96 [RFC2403]"},
	{0x2002, IKG_PROTO_ESP, IKG_ESP_NULL, IKG_INTEG_SHA1, false, "NULL",
	 "HMAC-SHA-1-96 [RFC2404]"},
	{0x2003, IKG_PROTO_ESP, IKG_ESP_NULL, IKG_INTEG_SHA256, false, "NULL",
	 "HMAC-SHA-256-128 [RFC4868]"},
	{0x2004, IKG_PROTO_ESP, IKG_ESP_NULL, IKG_INTEG_SHA512, false, "NULL",
	 "HMAC-SHA-512-256 [RFC4868]"},
	{0x3001, IKG_PROTO_AH, IKG_ESP_NONE, IKG_INTEG_MD5, false, NULL, NULL},
	{0x3002, IKG_PROTO_AH, IKG_ESP_NONE, IKG_INTEG_SHA1, false, NULL, NULL},
	{0x3003, IKG_PROTO_AH, IKG_ESP_NONE, IKG_INTEG_SHA256, false, NULL, NULL},
	{0x3004, IKG_PROTO_AH, IKG_ESP_NONE, IKG_INTEG_SHA512, false, NULL, NULL},
};

static void rnd_fn(void *ctx, void *buf, size_t len)
{
	uint32_t *s = ctx;
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++) {
		*s = *s * 1103515245u + 12345u;
		p[i] = (uint8_t)(*s >> 16);
	}
}

static void hex(FILE *f, const uint8_t *p, size_t n)
{
	if (n == 0)
		fputc('-', f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

/* A key as the UAT wants it: "0x..." or "" when there is none. */
static void uat_key(FILE *f, const uint8_t *p, size_t n)
{
	fprintf(f, "\"%s", n ? "0x" : "");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fputc('"', f);
}

/* ICMP echo request 10.1.1.5 -> 10.2.2.7 carrying "ikegate-kat-<spi>-<n>" padded to len. */
static void inner_packet(struct ikg_pkt *pkt, uint32_t spi, int n, size_t data_len)
{
	pkt_reset(pkt);
	size_t len = IPV4_HDR_LEN + 8 + data_len;
	uint8_t *p = pkt_put(pkt, len);
	ipv4_write_hdr(p, IPPROTO_ICMP_, IP4(10, 1, 1, 5), IP4(10, 2, 2, 7), (uint16_t)len,
		       (uint16_t)n);
	uint8_t *icmp = p + IPV4_HDR_LEN;
	memset(icmp, 0, 8 + data_len);
	icmp[0] = 8;
	icmp[5] = (uint8_t)spi;
	icmp[7] = (uint8_t)n;
	char text[64];
	snprintf(text, sizeof(text), "ikegate-kat-%04x-%d", (unsigned)spi, n);
	memcpy(icmp + 8, text, strlen(text) < data_len ? strlen(text) : data_len);
	uint16_t c = inet_csum(icmp, 8 + data_len);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
}

static int write_sa(const struct kat_sa *k, uint32_t *seed, struct pcapw *pw, FILE *uat,
		    FILE *txt, uint64_t *ts)
{
	uint8_t keymat[IPSEC_MAX_ENC_KEY + IPSEC_MAX_INTEG_KEY];
	rnd_fn(seed, keymat, sizeof(keymat));
	size_t ek = ipsec_enc_key_len(k->enc), ik = ipsec_integ_key_len(k->integ);
	struct ipsec_sa_params p;
	if (ipsec_sa_params_init(&p, k->protocol, k->spi, k->enc, k->integ, keymat, ek, ik) != 0)
		return -1;
	p.src = IP4(192, 0, 2, 1);
	p.dst = IP4(192, 0, 2, 2);
	p.udp_encap = k->udp;
	p.sport = p.dport = 4500;
	struct ipsec_sa *out = ipsec_sa_new(&p, false, rnd_fn, seed);
	struct ipsec_sa *in = ipsec_sa_new(&p, true, rnd_fn, seed);
	if (!out || !in)
		return -1;
	if (k->ws_enc) {
		fprintf(uat, "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x%08x\",\"%s\",",
			(unsigned)k->spi, k->ws_enc);
		uat_key(uat, keymat, ek);
		fprintf(uat, ",\"%s\",", k->ws_auth);
		uat_key(uat, keymat + ek, ik);
		fprintf(uat, "\n");
	}
	int rc = 0;
	for (int n = 1; n <= 2 && rc == 0; n++) {
		struct ikg_pkt pkt, inner, back;
		inner_packet(&pkt, k->spi, n, n == 1 ? 32 : 61);
		inner = pkt;
		if (ipsec_output(out, &pkt) != 0)
			return -1;
		back = pkt;
		struct ipsec_sad *sad = ipsec_sad_new(1);
		struct ipsec_sa *got = NULL;
		enum rx_discard why;
		/* Our own decap agrees before anyone else looks. */
		if (!sad || ipsec_sad_add(sad, in) != 0 || ipsec_input(sad, &back, &got, &why) != 0 ||
		    back.len != inner.len || memcmp(pkt_start(&back), pkt_start(&inner), inner.len))
			rc = -1;
		ipsec_sad_free(sad);
		if (rc == 0)
			rc = pcapw_write(pw, (*ts)++ * 1000, pkt_start(&pkt), pkt.len);
		fprintf(txt, "%s %08x %s ", k->protocol == IKG_PROTO_AH ? "ah" : (k->udp ? "esp-udp" : "esp"),
			(unsigned)k->spi, ikg_integ_name(k->integ));
		hex(txt, keymat + ek, ik);
		fputc(' ', txt);
		hex(txt, pkt_start(&pkt), pkt.len);
		fputc(' ', txt);
		hex(txt, pkt_start(&inner), inner.len);
		fprintf(txt, " %s\n", ikg_esp_enc_name(k->enc));
	}
	ipsec_sa_params_wipe(&p);
	ipsec_sa_free(out);
	ipsec_sa_free(in);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	char path[4096];
	struct pcapw pw;
	snprintf(path, sizeof(path), "%s/esp.pcap", argv[1]);
	if (pcapw_open(&pw, path) != 0)
		return 1;
	snprintf(path, sizeof(path), "%s/esp_sa", argv[1]);
	FILE *uat = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/packets.txt", argv[1]);
	FILE *txt = fopen(path, "w");
	if (!uat || !txt)
		return 1;
	fprintf(uat, "# This file is automatically generated, DO NOT MODIFY.\n");
	uint32_t seed = 2026;
	uint64_t ts = 1700000000000ull;
	int rc = 0;
	for (size_t i = 0; i < sizeof(kat_sas) / sizeof(kat_sas[0]) && rc == 0; i++)
		if (write_sa(&kat_sas[i], &seed, &pw, uat, txt, &ts) != 0) {
			fprintf(stderr, "SA %04x failed\n", (unsigned)kat_sas[i].spi);
			rc = 1;
		}
	if (pcapw_close(&pw) != 0 || fclose(uat) != 0 || fclose(txt) != 0)
		rc = 1;
	return rc;
}
