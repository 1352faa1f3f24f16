#include "ipsec/ipsec.h"

#include "wire/esp.h"
#include "wire/ipv4.h"

int ipsec_output(struct ipsec_sa *sa, struct ikg_pkt *pkt)
{
	return ipsec_sa_protocol(sa) == IKG_PROTO_AH ? ipsec_ah_encap(sa, pkt)
						     : ipsec_esp_encap(sa, pkt);
}

static int discard(enum rx_discard r, enum rx_discard *why)
{
	*why = r;
	return -1;
}

/* ESP at offset `at` of the packet (after IPv4, or IPv4 + UDP), `len` bytes long. */
static int input_esp(struct ipsec_sad *sad, struct ikg_pkt *pkt, size_t at, size_t len,
		     struct ipsec_sa **sa_out, enum rx_discard *why)
{
	struct esp_view v;
	if (esp_parse(pkt_start(pkt) + at, len, &v) != 0)
		return discard(RXD_ESP_AH_ERROR, why);
	struct ipsec_sa *sa = ipsec_sad_lookup_rx(sad, v.spi, IKG_PROTO_ESP, why);
	if (!sa)
		return -1;
	*sa_out = sa;
	pkt_pull(pkt, at);
	pkt->len = (uint16_t)len;
	return ipsec_esp_decap(sa, pkt, why);
}

static int input_ah(struct ipsec_sad *sad, struct ikg_pkt *pkt, const struct ipv4_view *o,
		    struct ipsec_sa **sa_out, enum rx_discard *why)
{
	struct ah_view a;
	if (ah_parse(o->payload, o->payload_len, &a) != 0)
		return discard(RXD_ESP_AH_ERROR, why);
	struct ipsec_sa *sa = ipsec_sad_lookup_rx(sad, a.spi, IKG_PROTO_AH, why);
	if (!sa)
		return -1;
	*sa_out = sa;
	pkt->len = o->total_len;
	return ipsec_ah_decap(sa, pkt, why);
}

int ipsec_input(struct ipsec_sad *sad, struct ikg_pkt *pkt, struct ipsec_sa **sa_out,
		enum rx_discard *why)
{
	struct ipv4_view o;
	struct udp_view u;
	size_t off = 0;
	*sa_out = NULL;
	if (ipv4_parse(pkt_start(pkt), pkt->len, false, &o) != 0)
		return discard(RXD_ESP_AH_ERROR, why);
	bool ipsec_proto = o.protocol == IKG_PROTO_ESP || o.protocol == IKG_PROTO_AH;
	if (ipsec_proto && ipv4_is_fragment(&o))
		return discard(RXD_ESP_AH_ERROR, why);
	switch (o.protocol) {
	case IKG_PROTO_ESP:
		return input_esp(sad, pkt, o.ihl_bytes, o.payload_len, sa_out, why);
	case IKG_PROTO_AH:
		return input_ah(sad, pkt, &o, sa_out, why);
	case IPPROTO_UDP_:
		if (ipv4_is_fragment(&o) || udp_parse(o.payload, o.payload_len, &u) != 0 ||
		    u.dport != NATT_PORT ||
		    udp4500_classify(u.payload, u.payload_len, &off) != U4500_ESP)
			return discard(RXD_UNKNOWN_PROTOCOL, why);
		return input_esp(sad, pkt, o.ihl_bytes + UDP_HDR_LEN, u.payload_len, sa_out, why);
	default:
		return discard(RXD_UNKNOWN_PROTOCOL, why);
	}
}
