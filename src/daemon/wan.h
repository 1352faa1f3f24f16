/* The WAN side of the daemon: UDP sockets bound to wan-address:500 and :4500 and raw sockets
 * for ESP (50) and AH (51). The core speaks full IPv4 packets: received UDP datagrams get a
 * synthesized IPv4+UDP header (source from recvfrom, destination the wan-address); packets the
 * core sends are taken apart again: UDP goes out of the socket bound to its source port, ESP and
 * AH go out of the raw socket whole (IP_HDRINCL: the core's IPv4 header is sent as built; the
 * kernel fills in the checksum). */
#ifndef IKG_WAN_H
#define IKG_WAN_H

#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>
#include <stdbool.h>

#include "common/pkt.h"
#include "common/types.h"

enum wan_sock { WAN_UDP500 = 0, WAN_UDP4500, WAN_ESP, WAN_AH, WAN__COUNT };

struct wan_stats {
	uint64_t rx, tx, rx_truncated, tx_errors, tx_dropped;
	uint64_t rx_calls, tx_calls;     /* recvmmsg / sendmmsg + sendto syscalls */
	uint64_t tx_gso, rx_gro;         /* UDP GSO sends, coalesced UDP receives */
};

/* The receive batch size (recvmmsg) and the send batch (sendmmsg). */
#define WAN_BATCH 64
#define WAN_TX_BATCH 64

/* A datagram waiting in the send batch: what goes to the socket, and where. */
struct wan_tx {
	int sock;                        /* enum wan_sock */
	uint32_t dst;                    /* network order */
	uint16_t port;                   /* network order; 0 for ESP/AH */
	uint16_t len;
	uint8_t data[IKG_PKT_SIZE];
};

/* UDP offloads on the port-4500 socket (ESP-in-UDP, RFC 3948): a run of same-sized datagrams
 * to one peer leaves in one UDP GSO send (UDP_SEGMENT), and the kernel hands over coalesced
 * datagrams (UDP_GRO) that wan_recv cuts apart again. */
#define WAN_GRO_BUF 65536

/* One per process: the batch buffers behind tx and gro_buf are static in wan.c. */
struct wan {
	ikg_ip4 addr;
	int fd[WAN__COUNT];
	struct wan_stats stats;
	ikg_ms last_error_log, last_drop_log;
	struct wan_tx *tx;               /* WAN_TX_BATCH slots, allocated once at open */
	size_t tx_n;
	bool gso, gro;                   /* offloads the kernel accepted */
	uint8_t *gro_buf;                /* a coalesced receive being cut apart */
	size_t gro_len, gro_pos;
	uint16_t gro_seg;
	struct sockaddr_in gro_from;
};

/* Opens and binds the four sockets. 0, or -1 with a message in err. */
int wan_open(struct wan *w, ikg_ip4 addr, char *err, size_t errlen);
void wan_close(struct wan *w);

/* Receives up to n packets from socket s into pkts (IPv4 packets, ready for gw_input_wan).
 * Returns the number received (0 when nothing is waiting). */
size_t wan_recv(struct wan *w, enum wan_sock s, struct ikg_pkt *pkts, size_t n);

/* Sends a full IPv4 packet built by the core. 0, or -1 when it was dropped. */
int wan_send(struct wan *w, struct ikg_pkt *pkt, ikg_ms now);

/* Batched sending of data (ESP, AH, UDP 4500): wan_queue copies the datagram of a full IPv4
 * packet built by the core into the send batch (the core's buffer is free again on return) and
 * sends the batch when it is full; wan_flush sends what is queued (one sendmmsg per run of
 * datagrams for the same socket). IKE on UDP 500 leaves at once. The daemon flushes after every
 * batch of input it hands to the core. 0, or -1 when the packet was dropped. */
int wan_queue(struct wan *w, struct ikg_pkt *pkt, ikg_ms now);
/* True while wan_recv holds datagrams of a coalesced receive not handed out yet (the socket may
 * be empty: call wan_recv again without waiting). */
bool wan_pending(const struct wan *w);
void wan_flush(struct wan *w, ikg_ms now);

#endif
