/* libFuzzer target: the data-plane parsers (IPv4, UDP, TCP/UDP/ICMP ports, ESP, AH, RFC 3948
 * UDP-4500 demux) over the input as an IPv4 packet and as each inner layer directly, plus the
 * checksum property: RFC 1624 incremental update == full recompute. Must never crash. */
#include <stdlib.h>
#include <string.h>

#include "wire/esp.h"
#include "wire/ipv4.h"
#include "wire/isakmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void inside(const uint8_t *base, size_t base_len, const uint8_t *p, size_t len)
{
	if (len > base_len || p < base || p + len > base + base_len)
		abort();
}

static void esp_ah(const uint8_t *p, size_t len)
{
	struct esp_view e;
	struct ah_view a;

	if (esp_parse(p, len, &e) == 0) {
		inside(p, len, e.body, e.body_len);
		if (e.spi == 0 || e.body_len + ESP_HDR_LEN != len)
			abort();
	}
	if (ah_parse(p, len, &a) == 0) {
		inside(p, len, a.icv, a.icv_len);
		inside(p, len, a.payload, a.payload_len);
		if (a.hdr_len < AH_FIXED_LEN || a.hdr_len + a.payload_len != len || a.spi == 0)
			abort();
	}
}

static void udp4500(const uint8_t *p, size_t len)
{
	struct isakmp_hdr h;
	size_t off = 0;

	switch (udp4500_classify(p, len, &off)) {
	case U4500_KEEPALIVE:
		if (len != 1 || p[0] != NATT_KEEPALIVE_BYTE)
			abort();
		break;
	case U4500_IKE:
		if (off != NON_ESP_MARKER_LEN || len < off)
			abort();
		sink += (size_t)isakmp_parse_hdr(p + off, len - off, &h);
		break;
	case U4500_ESP:
		if (off != 0 || len < ESP_HDR_LEN)
			abort();
		esp_ah(p, len);
		break;
	case U4500_BAD:
		break;
	}
}

static void udp(const uint8_t *p, size_t len)
{
	struct udp_view u;

	if (udp_parse(p, len, &u) < 0)
		return;
	inside(p, len, u.payload, u.payload_len);
	udp4500(u.payload, u.payload_len);
}

static void ipv4(const uint8_t *p, size_t len, bool verify)
{
	struct ipv4_view v;
	uint16_t s, d;

	if (ipv4_parse(p, len, verify, &v) < 0)
		return;
	inside(p, len, v.payload, v.payload_len);
	if (v.ihl_bytes < IPV4_HDR_LEN || v.ihl_bytes + v.payload_len != v.total_len)
		abort();
	if (verify && inet_csum(p, v.ihl_bytes) != 0)
		abort();
	sink += ipv4_is_fragment(&v);
	if (l4_ports(v.protocol, v.payload, v.payload_len, &s, &d) == 0)
		sink += (size_t)s + d;
	if (v.protocol == IPPROTO_UDP_)
		udp(v.payload, v.payload_len);
	else
		esp_ah(v.payload, v.payload_len);
}

/* Incremental checksum update of a 20-byte header must equal the full recompute. */
static void csum_property(const uint8_t *p, size_t len)
{
	uint8_t h[20];
	uint16_t c, inc, full;
	uint32_t oldv, newv;
	static const uint8_t zero[20];

	if (len < 24)
		return;
	memcpy(h, p, 20);
	h[10] = h[11] = 0;
	c = inet_csum(h, 20);
	oldv = (uint32_t)h[12] << 24 | (uint32_t)h[13] << 16 | (uint32_t)h[14] << 8 | h[15];
	newv = (uint32_t)p[20] << 24 | (uint32_t)p[21] << 16 | (uint32_t)p[22] << 8 | p[23];
	inc = csum_update32(c, oldv, newv);
	memcpy(h + 12, p + 20, 4);
	full = inet_csum(h, 20);
	if (memcmp(h, zero, 20) == 0 ? inc != 0 : inc != full)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t s, d;

	ipv4(data, size, true);
	ipv4(data, size, false);
	udp(data, size);
	udp4500(data, size);
	esp_ah(data, size);
	if (size >= 1 && l4_ports(data[0], data + 1, size - 1, &s, &d) == 0)
		sink += s;
	sink += inet_csum(data, size);
	csum_property(data, size);
	return 0;
}
