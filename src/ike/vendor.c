/* Vendor IDs: ours (NAT-T per RFC 3947 and draft-02, DPD per RFC 3706) and recognising the
 * peer's implementation for the evidence of timeouts and `show ike sa`. */
#include <string.h>

#include "ike/exchange.h"

#define VID_LEN 16

static const uint8_t vid_natt_rfc[VID_LEN] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
					      0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};
static const uint8_t vid_natt_02n[VID_LEN] = {0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8,
					      0x7c, 0xfd, 0xb2, 0xfc, 0x68, 0xb6, 0xa4, 0x48};
static const uint8_t vid_natt_02[VID_LEN] = {0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
					     0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f};
static const uint8_t vid_natt_03[VID_LEN] = {0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f,
					     0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56};
static const uint8_t vid_dpd[VID_LEN] = {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
					 0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00};
static const uint8_t vid_strongswan[VID_LEN] = {0x88, 0x2f, 0xe5, 0x6d, 0x6f, 0xd2, 0x0d, 0xbc,
						0x22, 0x51, 0x61, 0x3b, 0x2e, 0xbe, 0x5b, 0xeb};
static const uint8_t vid_cisco_unity[VID_LEN] = {0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9,
						 0x70, 0x2d, 0x9f, 0xe2, 0x74, 0xcc, 0x01, 0x00};

void vendor_init(struct ike_engine *e)
{
	static const char name[] = "ikegate";
	struct ikg_bytes part = {(const uint8_t *)name, sizeof name - 1};
	uint8_t h[IKG_MAX_HASH];

	if (ikg_digest(IKG_HASH_MD5, &part, 1, h) == 0)
		memcpy(e->our_vid, h, VID_LEN);
	else
		memcpy(e->our_vid, "ikegate-ikev1-01", VID_LEN);
}

void vendor_put_ours(struct ike_engine *e, struct isakmp_builder *b, size_t profile)
{
	isakmp_put_raw(b, PL_VID, e->our_vid, VID_LEN);
	if (natt_wanted(e, profile)) {
		isakmp_put_raw(b, PL_VID, vid_natt_rfc, VID_LEN);
		isakmp_put_raw(b, PL_VID, vid_natt_02n, VID_LEN);
		isakmp_put_raw(b, PL_VID, vid_natt_02, VID_LEN);
	}
	isakmp_put_raw(b, PL_VID, vid_dpd, VID_LEN);
}

static bool is(struct ikg_bytes v, const uint8_t *id)
{
	return v.len == VID_LEN && memcmp(v.p, id, VID_LEN) == 0;
}

static void set_vendor(struct ike_sa *sa, const char *name)
{
	if (!sa->vendor[0])
		strncpy(sa->vendor, name, sizeof sa->vendor - 1);
}

void vendor_process(struct ike_engine *e, struct ike_sa *sa, const struct isakmp_chain *c)
{
	bool rfc = false, draft = false;

	for (size_t i = 0; i < c->n; i++) {
		if (c->pl[i].type != PL_VID)
			continue;
		struct ikg_bytes v = c->pl[i].body;
		if (is(v, vid_natt_rfc))
			rfc = true;
		else if (is(v, vid_natt_02n) || is(v, vid_natt_02) || is(v, vid_natt_03))
			draft = true;
		else if (is(v, vid_dpd))
			sa->peer_dpd = true;
		else if (is(v, vid_strongswan))
			set_vendor(sa, "strongSwan");
		else if (is(v, vid_cisco_unity))
			set_vendor(sa, "Cisco");
		else if (is(v, e->our_vid))
			set_vendor(sa, "ikegate");
		else if (v.len >= 2 && v.len <= 16 && v.p[0] == 'O' && v.p[1] == 'E')
			set_vendor(sa, "libreswan");
	}
	if (!natt_wanted(e, sa->profile))
		return;
	if (rfc)
		sa->natt = NATT_RFC;
	else if (draft && sa->natt == NATT_NONE)
		sa->natt = NATT_DRAFT;
}
