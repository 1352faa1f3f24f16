/* A tiny pcap writer for tests and tools: raw IPv4 packets (LINKTYPE_RAW), microsecond
 * timestamps. Test-side code (does file I/O): never link it into the core. */
#ifndef IKG_TEST_PCAP_H
#define IKG_TEST_PCAP_H

#include <stdint.h>
#include <stdio.h>

#include "common/types.h"

#define PCAP_LINKTYPE_RAW 101     /* each record is an IPv4 (or IPv6) packet */

struct pcapw {
	FILE *f;
};

/* Creates/truncates path and writes the global header. 0 or -1. */
int pcapw_open(struct pcapw *w, const char *path);
/* One record: a whole IPv4 packet captured at ts_us (microseconds since the epoch). 0 or -1. */
int pcapw_write(struct pcapw *w, uint64_t ts_us, const void *ip_pkt, size_t len);
/* Wraps payload in IPv4 + UDP (with UDP checksum) and writes it as one record. 0 or -1
 * (also when the packet would exceed 65535 bytes). Addresses in host byte order. */
int pcapw_write_udp(struct pcapw *w, uint64_t ts_us, ikg_ip4 src, uint16_t sport, ikg_ip4 dst,
		    uint16_t dport, const void *payload, size_t len);
/* Flushes and closes. 0 or -1 (write error). */
int pcapw_close(struct pcapw *w);

#endif
