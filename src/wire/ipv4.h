/* IPv4, UDP and ICMP headers: parse (bounded) and build, checksums. */
#ifndef IKG_IPV4_H
#define IKG_IPV4_H

#include "common/types.h"

#define IPV4_HDR_LEN 20
#define UDP_HDR_LEN 8
#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

struct ipv4_view {
	uint8_t ihl_bytes;      /* header length in bytes (20..60) */
	uint8_t tos, ttl, protocol;
	uint16_t total_len;     /* checked <= the buffer; the packet is treated as this long */
	uint16_t id, frag;      /* frag: flags + offset field as on the wire */
	ikg_ip4 src, dst;
	const uint8_t *payload; /* after the header */
	size_t payload_len;     /* total_len - ihl */
};
/* Checks version 4, ihl >= 5, total_len within len, header checksum when verify_csum.
 * Trailing bytes beyond total_len (link padding) are ignored. 0 or -1. */
int ipv4_parse(const uint8_t *p, size_t len, bool verify_csum, struct ipv4_view *v);
static inline bool ipv4_is_fragment(const struct ipv4_view *v) { return (v->frag & 0x3fff) != 0; }

struct udp_view {
	uint16_t sport, dport, length;
	const uint8_t *payload;
	size_t payload_len;
};
/* p/len: the IPv4 payload. Checks length field >= 8 and <= len. 0 or -1. */
int udp_parse(const uint8_t *p, size_t len, struct udp_view *u);

/* Ports of a TCP or UDP segment, or the ICMP echo id (as both ports) — for NAT and filters.
 * 0 when known, -1 when the header is too short or it has no ports. */
int l4_ports(uint8_t proto, const uint8_t *p, size_t len, uint16_t *sport, uint16_t *dport);

/* Writes a 20-byte IPv4 header at p (no options, DF clear, TTL 64) with checksum. */
void ipv4_write_hdr(uint8_t *p, uint8_t proto, ikg_ip4 src, ikg_ip4 dst, uint16_t total_len,
		    uint16_t id);
/* Writes an 8-byte UDP header at p for payload_len bytes following it; checksum 0 (allowed
 * for IPv4 and what RFC 3948 ESP-in-UDP uses) unless with_csum, then computed with pseudo
 * header (the payload must follow the header in memory). */
void udp_write_hdr(uint8_t *p, ikg_ip4 src, uint16_t sport, ikg_ip4 dst, uint16_t dport,
		   size_t payload_len, bool with_csum);

/* RFC 1071 checksum of a buffer (returns the value to store, network-order-agnostic: store
 * it with the high byte first). */
uint16_t inet_csum(const void *p, size_t len);
/* RFC 1624 incremental update of a checksum field when a 16-bit word changes old -> new. */
uint16_t csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word);
uint16_t csum_update32(uint16_t csum, uint32_t old_val, uint32_t new_val);

#endif
