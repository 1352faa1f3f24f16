/* IPv4 / UDP / ICMP parsing, header builders and checksums. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/ipv4.h"

#define B(...) ((const uint8_t[]){__VA_ARGS__})
#define IP4(a, b, c, d) ((ikg_ip4)(a) << 24 | (ikg_ip4)(b) << 16 | (ikg_ip4)(c) << 8 | (d))

/* The classic example header (DF set, UDP, 192.168.0.1 -> 192.168.0.199), checksum b861. */
static const uint8_t hdr_example[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40,
					0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8,
					0x00, 0xc7};

static uint32_t lcg_state = 12345;
static uint32_t lcg(void)
{
	lcg_state = lcg_state * 1103515245u + 12345u;
	return lcg_state >> 8;
}

static void test_csum_rfc1071(void **state)
{
	/* RFC 1071 section 3: the sum of 0001 f203 f4f5 f6f7 is ddf2, checksum ~ddf2 */
	assert_int_equal(inet_csum(B(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7), 8), 0x220d);
	/* odd length: the last byte is the high byte of a zero-padded word */
	assert_int_equal(inet_csum(B(0x00, 0x01, 0xf2), 3), (uint16_t)~0xf201);
	assert_int_equal(inet_csum(NULL, 0), 0xffff);
	uint8_t h[20];
	memcpy(h, hdr_example, 20);
	h[10] = h[11] = 0;
	assert_int_equal(inet_csum(h, 20), 0xb861);
	assert_int_equal(inet_csum(hdr_example, 20), 0);   /* a valid header sums to zero */
}

static void test_csum_long(void **state)
{
	/* 200000 bytes of 0xff: every word is 0xffff, the sum is -0, the checksum 0 */
	static uint8_t m[200000];
	memset(m, 0xff, sizeof(m));
	assert_int_equal(inet_csum(m, sizeof(m)), 0);
	memset(m, 0x01, sizeof(m));
	/* 100000 words of 0x0101: 100000 * 0x101 = 0x18826a0 -> 0x26a0 + 0x188 = 0x2828 */
	assert_int_equal(inet_csum(m, sizeof(m)), (uint16_t)~0x2828);
}

static void test_csum_incremental(void **state)
{
	/* RFC 1624 eqn 3 must equal a full recompute, for any header and any change */
	for (int i = 0; i < 20000; i++) {
		uint8_t h[20];
		for (int k = 0; k < 20; k++)
			h[k] = (uint8_t)lcg();
		if (i % 7 == 0)
			memset(h, i % 2 ? 0xff : 0x00, 20);  /* the +0/-0 corner cases */
		h[10] = h[11] = 0;
		uint16_t c = inet_csum(h, 20);
		h[10] = (uint8_t)(c >> 8);
		h[11] = (uint8_t)c;
		/* change the source address (as NAT does) */
		uint32_t oldv = (uint32_t)h[12] << 24 | (uint32_t)h[13] << 16 | h[14] << 8 | h[15];
		uint32_t newv = i % 5 == 0 ? 0 : i % 5 == 1 ? 0xffffffff : lcg() << 8 ^ lcg();
		uint16_t inc = csum_update32(c, oldv, newv);
		h[12] = (uint8_t)(newv >> 24);
		h[13] = (uint8_t)(newv >> 16);
		h[14] = (uint8_t)(newv >> 8);
		h[15] = (uint8_t)newv;
		h[10] = h[11] = 0;
		uint16_t full = inet_csum(h, 20);
		/* ones' complement has two zeros: only for a header of all-zero words does the
		 * full sum give 0xffff where eqn 3 gives 0 (-0); everything else must be equal */
		static const uint8_t zero[20];
		bool all_zero = memcmp(h, zero, 20) == 0;
		if (all_zero ? !(inc == 0 && full == 0xffff) : inc != full)
			fail_msg("i=%d inc %04x full %04x", i, inc, full);
		h[10] = (uint8_t)(inc >> 8);
		h[11] = (uint8_t)inc;
		assert_int_equal(inet_csum(h, 20) % 0xffff, 0);   /* still verifies */
	}
	/* a 16-bit change on the example: TTL 0x40 -> 0x3f (decrement), ttl|proto word */
	uint16_t c = csum_update16(0xb861, 0x4011, 0x3f11);
	uint8_t h[20];
	memcpy(h, hdr_example, 20);
	h[8] = 0x3f;
	h[10] = h[11] = 0;
	assert_int_equal(c, inet_csum(h, 20));
	assert_int_equal(c, 0xb961);
}

static void test_ipv4_parse(void **state)
{
	uint8_t p[0x73 + 3];
	struct ipv4_view v;

	memset(p, 0xee, sizeof(p));
	memcpy(p, hdr_example, 20);
	assert_int_equal(ipv4_parse(p, sizeof(p), true, &v), 0);   /* trailing bytes ignored */
	assert_int_equal(v.ihl_bytes, 20);
	assert_int_equal(v.tos, 0);
	assert_int_equal(v.ttl, 64);
	assert_int_equal(v.protocol, IPPROTO_UDP_);
	assert_int_equal(v.total_len, 0x73);
	assert_int_equal(v.id, 0);
	assert_int_equal(v.frag, 0x4000);
	assert_false(ipv4_is_fragment(&v));
	assert_int_equal(v.src, IP4(192, 168, 0, 1));
	assert_int_equal(v.dst, IP4(192, 168, 0, 199));
	assert_ptr_equal(v.payload, p + 20);
	assert_int_equal(v.payload_len, 0x73 - 20);
	assert_int_equal(ipv4_parse(p, 0x73, true, &v), 0);
	/* rejects */
	assert_int_equal(ipv4_parse(p, 0x72, true, &v), -1);       /* total_len > buffer */
	assert_int_equal(ipv4_parse(p, 19, false, &v), -1);        /* shorter than a header */
	assert_int_equal(ipv4_parse(NULL, 0, false, &v), -1);
	p[11] ^= 1;
	assert_int_equal(ipv4_parse(p, sizeof(p), true, &v), -1);  /* bad checksum */
	assert_int_equal(ipv4_parse(p, sizeof(p), false, &v), 0);  /* unless not verified */
	p[11] ^= 1;
	p[0] = 0x65;
	assert_int_equal(ipv4_parse(p, sizeof(p), false, &v), -1); /* version 6 */
	p[0] = 0x44;
	assert_int_equal(ipv4_parse(p, sizeof(p), false, &v), -1); /* ihl 4 */
	p[0] = 0x4f;                                               /* ihl 60, options */
	assert_int_equal(ipv4_parse(p, sizeof(p), false, &v), 0);
	assert_int_equal(v.ihl_bytes, 60);
	assert_int_equal(v.payload_len, 0x73 - 60);
	p[0] = 0x4f;
	p[2] = 0;
	p[3] = 59;                                                 /* total_len < ihl */
	assert_int_equal(ipv4_parse(p, sizeof(p), false, &v), -1);
	p[3] = 60;
	assert_int_equal(ipv4_parse(p, sizeof(p), false, &v), 0);
	assert_int_equal(v.payload_len, 0);
	/* fragments: MF set, or an offset */
	memcpy(p, hdr_example, 20);
	p[6] = 0x20;
	p[7] = 0;
	assert_int_equal(ipv4_parse(p, sizeof(p), false, &v), 0);
	assert_true(ipv4_is_fragment(&v));
	p[6] = 0x40;
	p[7] = 0x01;
	assert_int_equal(ipv4_parse(p, sizeof(p), false, &v), 0);
	assert_true(ipv4_is_fragment(&v));
}

static void test_udp_parse(void **state)
{
	const uint8_t *m = B(0x01, 0xf4, 0x11, 0x94, 0x00, 0x0a, 0x00, 0x00, 0xab, 0xcd, 0xef);
	struct udp_view u;

	assert_int_equal(udp_parse(m, 11, &u), 0);
	assert_int_equal(u.sport, 500);
	assert_int_equal(u.dport, 4500);
	assert_int_equal(u.length, 10);
	assert_ptr_equal(u.payload, m + 8);
	assert_int_equal(u.payload_len, 2);                 /* per the length field */
	assert_int_equal(udp_parse(m, 10, &u), 0);
	assert_int_equal(udp_parse(m, 9, &u), -1);          /* length field > buffer */
	assert_int_equal(udp_parse(m, 7, &u), -1);          /* shorter than a header */
	assert_int_equal(udp_parse(B(0, 1, 0, 2, 0, 7, 0, 0, 0), 9, &u), -1);   /* length < 8 */
	assert_int_equal(udp_parse(B(0, 1, 0, 2, 0, 8, 0, 0), 8, &u), 0);
	assert_int_equal(u.payload_len, 0);
}

static void test_l4_ports(void **state)
{
	uint8_t m[20] = {0x30, 0x39, 0x00, 0x50};
	uint16_t s = 0, d = 0;

	assert_int_equal(l4_ports(IPPROTO_TCP_, m, 20, &s, &d), 0);
	assert_int_equal(s, 12345);
	assert_int_equal(d, 80);
	assert_int_equal(l4_ports(IPPROTO_TCP_, m, 19, &s, &d), -1);
	s = d = 0;
	assert_int_equal(l4_ports(IPPROTO_UDP_, m, 8, &s, &d), 0);
	assert_int_equal(s, 12345);
	assert_int_equal(d, 80);
	assert_int_equal(l4_ports(IPPROTO_UDP_, m, 7, &s, &d), -1);
	/* ICMP echo request / reply: the identifier as both ports */
	uint8_t icmp[8] = {8, 0, 0xf7, 0xfe, 0x12, 0x34, 0x00, 0x01};
	assert_int_equal(l4_ports(IPPROTO_ICMP_, icmp, 8, &s, &d), 0);
	assert_int_equal(s, 0x1234);
	assert_int_equal(d, 0x1234);
	icmp[0] = 0;
	assert_int_equal(l4_ports(IPPROTO_ICMP_, icmp, 8, &s, &d), 0);
	assert_int_equal(l4_ports(IPPROTO_ICMP_, icmp, 7, &s, &d), -1);
	icmp[0] = 3;                                         /* unreachable: no ports */
	assert_int_equal(l4_ports(IPPROTO_ICMP_, icmp, 8, &s, &d), -1);
	assert_int_equal(l4_ports(50, m, 20, &s, &d), -1);
	assert_int_equal(l4_ports(IPPROTO_UDP_, NULL, 0, &s, &d), -1);
}

static void test_ipv4_write(void **state)
{
	uint8_t h[20];
	struct ipv4_view v;

	ipv4_write_hdr(h, IPPROTO_UDP_, IP4(192, 168, 0, 1), IP4(192, 168, 0, 199), 0x73, 0);
	/* the example header with DF clear: checksum b861 + 4000 */
	uint8_t want[20];
	memcpy(want, hdr_example, 20);
	want[6] = 0;
	want[10] = 0xf8;
	want[11] = 0x61;
	assert_memory_equal(h, want, 20);
	ipv4_write_hdr(h, IPPROTO_ICMP_, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2), 20, 0xbeef);
	assert_int_equal(ipv4_parse(h, 20, true, &v), 0);
	assert_int_equal(v.id, 0xbeef);
	assert_int_equal(v.protocol, IPPROTO_ICMP_);
	assert_int_equal(v.ttl, 64);
	assert_int_equal(v.frag, 0);
	assert_int_equal(v.src, IP4(10, 0, 0, 1));
	assert_int_equal(v.dst, IP4(10, 0, 0, 2));
}

/* Verifies a UDP checksum independently: pseudo header + segment must sum to zero. */
static uint16_t udp_verify(ikg_ip4 src, ikg_ip4 dst, const uint8_t *seg, size_t len)
{
	uint8_t buf[12 + 64];
	memset(buf, 0, 12);
	buf[0] = (uint8_t)(src >> 24); buf[1] = (uint8_t)(src >> 16);
	buf[2] = (uint8_t)(src >> 8); buf[3] = (uint8_t)src;
	buf[4] = (uint8_t)(dst >> 24); buf[5] = (uint8_t)(dst >> 16);
	buf[6] = (uint8_t)(dst >> 8); buf[7] = (uint8_t)dst;
	buf[9] = IPPROTO_UDP_;
	buf[10] = (uint8_t)(len >> 8); buf[11] = (uint8_t)len;
	memcpy(buf + 12, seg, len);
	return inet_csum(buf, 12 + len);
}

static void test_udp_write(void **state)
{
	uint8_t seg[8 + 5] = {0, 0, 0, 0, 0, 0, 0, 0, 'h', 'e', 'l', 'l', 'o'};
	ikg_ip4 s = IP4(10, 1, 2, 3), d = IP4(10, 9, 8, 7);
	struct udp_view u;

	udp_write_hdr(seg, s, 4500, d, 4500, 5, false);
	assert_memory_equal(seg, B(0x11, 0x94, 0x11, 0x94, 0, 13, 0, 0), 8);
	udp_write_hdr(seg, s, 500, d, 4500, 5, true);
	assert_int_not_equal(seg[6] | seg[7], 0);
	assert_int_equal(udp_verify(s, d, seg, sizeof(seg)), 0);
	assert_int_equal(udp_parse(seg, sizeof(seg), &u), 0);
	assert_int_equal(u.sport, 500);
	assert_int_equal(u.dport, 4500);
	assert_int_equal(u.payload_len, 5);
	/* odd payload, value cross-checked with a hand computation:
	 * 0a01+0203+0a09+0807+0011+000d + 01f4+1194+000d + 6865+6c6c+6f00 = 0x27597 -> 7599 -> ~ = 8a66 */
	assert_int_equal(seg[6] << 8 | seg[7], 0x8a66);
	/* incremental port change of the UDP checksum equals the full one */
	uint16_t c = (uint16_t)(seg[6] << 8 | seg[7]);
	uint16_t inc = csum_update16(c, 500, 40000);
	udp_write_hdr(seg, s, 40000, d, 4500, 5, true);
	assert_int_equal(inc, seg[6] << 8 | seg[7]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_rfc1071),
		cmocka_unit_test(test_csum_long),
		cmocka_unit_test(test_csum_incremental),
		cmocka_unit_test(test_ipv4_parse),
		cmocka_unit_test(test_udp_parse),
		cmocka_unit_test(test_l4_ports),
		cmocka_unit_test(test_ipv4_write),
		cmocka_unit_test(test_udp_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
