/* IPv4 / UDP / ICMP header codec and Internet checksums (RFC 1071, RFC 1624). */
#include "wire/ipv4.h"

#include "wire/buf.h"

#define IPV4_VERSION 4
#define IPV4_DEFAULT_TTL 64
#define IPV4_CSUM_AT 10
#define UDP_CSUM_AT 6
#define TCP_MIN_HDR_LEN 20
#define ICMP_ECHO_LEN 8
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t inet_csum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t sum = 0;

	/* chunks keep the 32-bit accumulator from overflowing on any length */
	while (len > 0) {
		size_t n = len > 65536 ? 65536 : len;

		sum = csum_add(sum, b, n);
		sum = (sum & 0xffff) + (sum >> 16);
		b += n;
		len -= n;
	}
	return csum_fold(sum);
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') */
uint16_t csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word)
{
	uint32_t sum = (uint16_t)~csum;

	sum += (uint16_t)~old_word;
	sum += new_word;
	return csum_fold(sum);
}

uint16_t csum_update32(uint16_t csum, uint32_t old_val, uint32_t new_val)
{
	csum = csum_update16(csum, (uint16_t)(old_val >> 16), (uint16_t)(new_val >> 16));
	return csum_update16(csum, (uint16_t)old_val, (uint16_t)new_val);
}

int ipv4_parse(const uint8_t *p, size_t len, bool verify_csum, struct ipv4_view *v)
{
	struct rd r = rd_init(p, len);
	uint8_t vihl;
	uint16_t csum;

	if (rd_u8(&r, &vihl) < 0 || rd_u8(&r, &v->tos) < 0 || rd_u16(&r, &v->total_len) < 0 ||
	    rd_u16(&r, &v->id) < 0 || rd_u16(&r, &v->frag) < 0 || rd_u8(&r, &v->ttl) < 0 ||
	    rd_u8(&r, &v->protocol) < 0 || rd_u16(&r, &csum) < 0 || rd_u32(&r, &v->src) < 0 ||
	    rd_u32(&r, &v->dst) < 0)
		return -1;
	if (vihl >> 4 != IPV4_VERSION)
		return -1;
	v->ihl_bytes = (uint8_t)((vihl & 0x0f) * 4);
	if (v->ihl_bytes < IPV4_HDR_LEN || v->ihl_bytes > v->total_len || v->total_len > len)
		return -1;
	if (verify_csum && inet_csum(p, v->ihl_bytes) != 0)
		return -1;
	v->payload = p + v->ihl_bytes;
	v->payload_len = (size_t)v->total_len - v->ihl_bytes;
	return 0;
}

int udp_parse(const uint8_t *p, size_t len, struct udp_view *u)
{
	struct rd r = rd_init(p, len);
	uint16_t csum;

	if (rd_u16(&r, &u->sport) < 0 || rd_u16(&r, &u->dport) < 0 ||
	    rd_u16(&r, &u->length) < 0 || rd_u16(&r, &csum) < 0)
		return -1;
	if (u->length < UDP_HDR_LEN || u->length > len)
		return -1;
	u->payload = p + UDP_HDR_LEN;
	u->payload_len = (size_t)u->length - UDP_HDR_LEN;
	return 0;
}

int l4_ports(uint8_t proto, const uint8_t *p, size_t len, uint16_t *sport, uint16_t *dport)
{
	struct rd r = rd_init(p, len);
	uint8_t type;
	uint16_t id;

	switch (proto) {
	case IPPROTO_TCP_:
		if (len < TCP_MIN_HDR_LEN)
			return -1;
		return rd_u16(&r, sport) < 0 || rd_u16(&r, dport) < 0 ? -1 : 0;
	case IPPROTO_UDP_:
		if (len < UDP_HDR_LEN)
			return -1;
		return rd_u16(&r, sport) < 0 || rd_u16(&r, dport) < 0 ? -1 : 0;
	case IPPROTO_ICMP_:
		if (len < ICMP_ECHO_LEN || rd_u8(&r, &type) < 0)
			return -1;
		if (type != ICMP_ECHO_REQUEST && type != ICMP_ECHO_REPLY)
			return -1;
		if (rd_skip(&r, 3) < 0 || rd_u16(&r, &id) < 0)
			return -1;
		*sport = *dport = id;
		return 0;
	default:
		return -1;
	}
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* A fixed 20-byte header into the caller's buffer: plain stores (the bounded writer adds
 * nothing here, and GCC's -fsanitize=address build misreads its inlined bounds check as an
 * overflow). */
void ipv4_write_hdr(uint8_t *p, uint8_t proto, ikg_ip4 src, ikg_ip4 dst, uint16_t total_len,
		    uint16_t id)
{
	p[0] = IPV4_VERSION << 4 | IPV4_HDR_LEN / 4;
	p[1] = 0;
	put16(p + 2, total_len);
	put16(p + 4, id);
	put16(p + 6, 0);
	p[8] = IPV4_DEFAULT_TTL;
	p[9] = proto;
	put16(p + IPV4_CSUM_AT, 0);
	put32(p + 12, src);
	put32(p + 16, dst);
	put16(p + IPV4_CSUM_AT, inet_csum(p, IPV4_HDR_LEN));
}

void udp_write_hdr(uint8_t *p, ikg_ip4 src, uint16_t sport, ikg_ip4 dst, uint16_t dport,
		   size_t payload_len, bool with_csum)
{
	struct wr w = wr_init(p, UDP_HDR_LEN);
	uint16_t ulen = (uint16_t)(payload_len + UDP_HDR_LEN);
	uint32_t sum;
	uint16_t csum;

	wr_u16(&w, sport);
	wr_u16(&w, dport);
	wr_u16(&w, ulen);
	wr_u16(&w, 0);
	if (!with_csum)
		return;
	sum = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + IPPROTO_UDP_ + ulen;
	sum = csum_add(sum, p, ulen);
	csum = csum_fold((sum & 0xffff) + (sum >> 16));
	wr_patch_u16(&w, UDP_CSUM_AT, csum == 0 ? 0xffff : csum);
}
