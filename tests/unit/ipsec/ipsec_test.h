/* Shared helpers of the ipsec unit tests: deterministic randomness, SA pairs, inner packets. */
#ifndef IKG_IPSEC_TEST_H
#define IKG_IPSEC_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/pkt.h"
#include "ipsec/ipsec.h"
#include "wire/ipv4.h"

#define IP4(a, b, c, d) ((ikg_ip4)((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d)))
#define GW_A IP4(192, 0, 2, 1)
#define GW_B IP4(192, 0, 2, 2)
#define HOST_A IP4(10, 1, 1, 5)
#define HOST_B IP4(10, 2, 2, 7)

/* xorshift: the same bytes every run. */
static inline void test_random(void *ctx, void *buf, size_t len)
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

struct sa_pair {
	struct ipsec_sa *out, *in;
};

/* Keys are a byte pattern derived from seed; outbound A->B, inbound on B. */
static inline void test_params(struct ipsec_sa_params *p, uint8_t protocol, uint32_t spi,
			       enum ikg_esp_enc enc, enum ikg_integ integ, uint8_t seed)
{
	uint8_t keymat[IPSEC_MAX_ENC_KEY + IPSEC_MAX_INTEG_KEY];
	for (size_t i = 0; i < sizeof(keymat); i++)
		keymat[i] = (uint8_t)(seed + i * 7);
	assert_int_equal(ipsec_sa_params_init(p, protocol, spi, enc, integ, keymat,
					      ipsec_enc_key_len(enc), ipsec_integ_key_len(integ)),
			 0);
	p->src = GW_A;
	p->dst = GW_B;
}

static inline struct sa_pair test_pair_p(const struct ipsec_sa_params *p)
{
	static uint64_t rnd = 0x1234567887654321ull;
	struct sa_pair sp;
	sp.out = ipsec_sa_new(p, false, test_random, &rnd);
	sp.in = ipsec_sa_new(p, true, test_random, &rnd);
	assert_non_null(sp.out);
	assert_non_null(sp.in);
	return sp;
}

static inline struct sa_pair test_pair(uint8_t protocol, uint32_t spi, enum ikg_esp_enc enc,
				       enum ikg_integ integ)
{
	struct ipsec_sa_params p;
	test_params(&p, protocol, spi, enc, integ, 0x11);
	struct sa_pair sp = test_pair_p(&p);
	ipsec_sa_params_wipe(&p);
	return sp;
}

static inline void test_pair_free(struct sa_pair *sp)
{
	ipsec_sa_free(sp->out);
	ipsec_sa_free(sp->in);
	sp->out = sp->in = NULL;
}

/* An ICMP echo request HOST_A -> HOST_B with `payload` bytes of data (pattern from id). */
static inline void test_inner(struct ikg_pkt *pkt, size_t payload, uint16_t id, uint8_t tos)
{
	memset(pkt->data, 0, sizeof(pkt->data));   /* whole-struct comparisons stay defined */
	pkt_reset(pkt);
	size_t len = IPV4_HDR_LEN + 8 + payload;
	uint8_t *p = pkt_put(pkt, len);
	assert_non_null(p);
	ipv4_write_hdr(p, IPPROTO_ICMP_, HOST_A, HOST_B, (uint16_t)len, id);
	if (tos) {
		p[1] = tos;
		p[10] = p[11] = 0;
		uint16_t c = inet_csum(p, IPV4_HDR_LEN);
		p[10] = (uint8_t)(c >> 8);
		p[11] = (uint8_t)c;
	}
	uint8_t *icmp = p + IPV4_HDR_LEN;
	memset(icmp, 0, 8);
	icmp[0] = 8;                          /* echo request */
	icmp[4] = (uint8_t)(id >> 8);
	icmp[5] = (uint8_t)id;
	icmp[7] = 1;
	for (size_t i = 0; i < payload; i++)
		icmp[8 + i] = (uint8_t)(id + i);
	uint16_t c = inet_csum(icmp, 8 + payload);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
}

static inline uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif
