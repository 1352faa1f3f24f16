/* pcap writer (classic libpcap format, host byte order, magic a1b2c3d4). */
#include "pcap.h"

#include <string.h>

#include "wire/ipv4.h"

#define PCAP_MAGIC 0xa1b2c3d4u
#define PCAP_SNAPLEN 65535u
#define IPV4_MAX_PKT 65535u

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec_hdr {
	uint32_t ts_sec, ts_usec, incl_len, orig_len;
};

int pcapw_open(struct pcapw *w, const char *path)
{
	struct pcap_file_hdr h = {PCAP_MAGIC, 2, 4, 0, 0, PCAP_SNAPLEN, PCAP_LINKTYPE_RAW};

	w->f = fopen(path, "wb");
	if (!w->f)
		return -1;
	if (fwrite(&h, sizeof(h), 1, w->f) != 1) {
		fclose(w->f);
		w->f = NULL;
		return -1;
	}
	return 0;
}

int pcapw_write(struct pcapw *w, uint64_t ts_us, const void *ip_pkt, size_t len)
{
	struct pcap_rec_hdr r;

	if (!w->f || len > PCAP_SNAPLEN)
		return -1;
	r.ts_sec = (uint32_t)(ts_us / 1000000u);
	r.ts_usec = (uint32_t)(ts_us % 1000000u);
	r.incl_len = r.orig_len = (uint32_t)len;
	if (fwrite(&r, sizeof(r), 1, w->f) != 1)
		return -1;
	if (len && fwrite(ip_pkt, len, 1, w->f) != 1)
		return -1;
	return 0;
}

int pcapw_write_udp(struct pcapw *w, uint64_t ts_us, ikg_ip4 src, uint16_t sport, ikg_ip4 dst,
		    uint16_t dport, const void *payload, size_t len)
{
	static uint8_t pkt[IPV4_MAX_PKT];
	static uint16_t ip_id;
	size_t total = IPV4_HDR_LEN + UDP_HDR_LEN + len;

	if (total > IPV4_MAX_PKT)
		return -1;
	memcpy(pkt + IPV4_HDR_LEN + UDP_HDR_LEN, payload, len);
	udp_write_hdr(pkt + IPV4_HDR_LEN, src, sport, dst, dport, len, true);
	ipv4_write_hdr(pkt, IPPROTO_UDP_, src, dst, (uint16_t)total, ++ip_id);
	return pcapw_write(w, ts_us, pkt, total);
}

int pcapw_close(struct pcapw *w)
{
	int rc = 0;

	if (!w->f)
		return -1;
	if (fflush(w->f) != 0 || ferror(w->f))
		rc = -1;
	if (fclose(w->f) != 0)
		rc = -1;
	w->f = NULL;
	return rc;
}
