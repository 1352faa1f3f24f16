/* NAPT (network address and port translation): what the lab's NAT boxes do, and what a gateway
 * NATing its LAN does. Outbound packets get the WAN address as source and, for UDP/TCP, a WAN
 * port (ICMP echo: a WAN echo id); inbound packets are translated back through the session
 * table, and unsolicited inbound packets (no translation) are refused.
 *
 * ESP has no ports: it passes through keyed by LAN host and remote peer (one ESP translation
 * per LAN host/peer pair, as in the technote's screens); inbound ESP from a peer goes to the
 * LAN host that most recently sent ESP to it. AH is passed through the same way with its
 * addresses rewritten, which breaks AH's integrity check at the far end: that is what real
 * NATs do and why the technote says AH does not work through NAT.
 *
 * Checksums are updated incrementally (RFC 1624): the IPv4 header checksum, and the UDP/TCP
 * checksum including the pseudo header; a UDP checksum of 0 (none) stays 0. The packet path
 * never allocates. Each call first ages out the table's expired entries (nat_table_expire), so
 * an idle translation never answers and a NAT box needs no timer of its own.
 *
 * Port allocation, deterministic given the table and the translator's cursor: the LAN port is
 * kept when preserve_ports is set and it is free (as Linux masquerade does, even outside the
 * range); otherwise the first free port of [port_lo, port_hi] from the cursor on, wrapping
 * (next fit). With random_ports (nftables "masquerade random") every new translation starts
 * probing at a random offset of the range drawn from the injected random function. A port is
 * free when no entry of that protocol uses it on the WAN address, whatever the remote. */
#ifndef IKG_NAT_NAPT_H
#define IKG_NAT_NAPT_H

#include "common/types.h"
#include "nat/table.h"

#define NAPT_MAX_RESERVED 8
#define NAPT_DEFAULT_PORT_LO 1024
#define NAPT_DEFAULT_PORT_HI 65535

struct napt_opts {
	ikg_ip4 wan_ip;                 /* the NAT's public address */
	uint16_t port_lo, port_hi;      /* both 0: 1024-65535 */
	bool preserve_ports;            /* keep the LAN port / echo id when free */
	bool random_ports;              /* random start of the probe (needs random) */
	void (*random)(void *ctx, void *buf, size_t len);
	void *random_ctx;
	uint16_t reserved[NAPT_MAX_RESERVED]; /* never handed out (a gateway: 500, 4500) */
	size_t n_reserved;
};

enum napt_result {
	NAPT_OK = 0,
	NAPT_MALFORMED,     /* not IPv4, bad header checksum, truncated transport header */
	NAPT_UNSUPPORTED,   /* a protocol or ICMP type we do not translate */
	NAPT_FRAGMENT,      /* a fragment of a UDP/TCP/ICMP datagram (ports unknown) */
	NAPT_NO_MAPPING,    /* inbound without a translation: unsolicited, dropped */
	NAPT_EXHAUSTED,     /* no free port in the range */
	NAPT_NOT_OURS,      /* inbound packet not addressed to wan_ip */
	NAPT__COUNT
};

struct napt_stats {
	uint64_t out_translated, in_translated;
	uint64_t refused[NAPT__COUNT];  /* per result, NAPT_OK unused */
};

struct napt {
	struct nat_table *table;        /* not owned; may be shared with the gateway's own flows */
	struct napt_opts o;
	uint16_t cursor;                /* next port to try (next fit) */
	struct napt_stats stats;
};

/* 0, or -1 for bad options (port_lo > port_hi, random_ports without random, too many
 * reserved ports). */
int napt_init(struct napt *n, struct nat_table *t, const struct napt_opts *o);

/* LAN -> WAN. Rewrites p[0..len) in place; anything but NAPT_OK means drop the packet (the
 * packet is unchanged). */
enum napt_result napt_outbound(struct napt *n, ikg_ms now, uint8_t *p, size_t len);
/* WAN -> LAN: the reverse translation. NAPT_NO_MAPPING for unsolicited packets. */
enum napt_result napt_inbound(struct napt *n, ikg_ms now, uint8_t *p, size_t len);

/* "ok", "malformed", "unsupported", "fragment", "no-mapping", "exhausted", "not-ours". */
const char *napt_result_name(enum napt_result r);

#endif
