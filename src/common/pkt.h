/* Packet buffers: fixed size, preallocated by the driver, with headroom for the outer headers
 * that encapsulation prepends, so the packet path never allocates or copies to grow. */
#ifndef IKG_PKT_H
#define IKG_PKT_H

#include "common/types.h"

#define IKG_PKT_HEADROOM 128   /* outer IPv4 (20) + UDP (8) + non-ESP marker + ESP hdr (8) + IV (16) */
#define IKG_PKT_SIZE 2048      /* headroom + 1500-byte MTU + padding + ICV, with margin */

struct ikg_pkt {
	uint16_t off;              /* start of the packet in data[] */
	uint16_t len;              /* bytes of packet */
	uint8_t data[IKG_PKT_SIZE];
};

static inline uint8_t *pkt_start(struct ikg_pkt *p) { return p->data + p->off; }
static inline size_t pkt_headroom(const struct ikg_pkt *p) { return p->off; }
static inline size_t pkt_tailroom(const struct ikg_pkt *p) { return IKG_PKT_SIZE - p->off - p->len; }
/* Prepends n bytes; NULL when there is no headroom. */
static inline uint8_t *pkt_push(struct ikg_pkt *p, size_t n)
{
	if (n > p->off)
		return NULL;
	p->off = (uint16_t)(p->off - n);
	p->len = (uint16_t)(p->len + n);
	return p->data + p->off;
}
/* Removes n bytes from the front; NULL when the packet is shorter. */
static inline uint8_t *pkt_pull(struct ikg_pkt *p, size_t n)
{
	if (n > p->len)
		return NULL;
	p->off = (uint16_t)(p->off + n);
	p->len = (uint16_t)(p->len - n);
	return p->data + p->off;
}
/* Appends n bytes; NULL when there is no tailroom. Returns the start of the new bytes. */
static inline uint8_t *pkt_put(struct ikg_pkt *p, size_t n)
{
	if (n > pkt_tailroom(p))
		return NULL;
	uint8_t *t = p->data + p->off + p->len;
	p->len = (uint16_t)(p->len + n);
	return t;
}
static inline void pkt_reset(struct ikg_pkt *p)
{
	p->off = IKG_PKT_HEADROOM;
	p->len = 0;
}

#endif
