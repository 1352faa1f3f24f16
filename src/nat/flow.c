/* WAN packet 5-tuples for the session table and the filter sets. */
#include "nat/flow.h"

#include "wire/ipv4.h"

int nat_flow_parse(const uint8_t *p, size_t len, struct nat_flow *f)
{
	struct ipv4_view v;

	if (ipv4_parse(p, len, false, &v) < 0)
		return -1;
	*f = (struct nat_flow){.proto = v.protocol, .src = v.src, .dst = v.dst};
	if ((v.frag & 0x1fff) != 0)
		return 0; /* non-first fragment: no transport header */
	if (l4_ports(v.protocol, v.payload, v.payload_len, &f->sport, &f->dport) == 0)
		return 0;
	f->sport = f->dport = 0;
	if (v.protocol == IPPROTO_TCP_ || v.protocol == IPPROTO_UDP_)
		return -1;
	return 0;
}

struct nat_entry *nat_table_touch_flow(struct nat_table *t, ikg_ms now, enum nat_dir dir,
				       const struct nat_flow *f)
{
	if (dir == NAT_DIR_OUT)
		return nat_table_touch(t, now, dir, f->proto, f->src, f->sport, f->src, f->sport,
				       f->dst, f->dport);
	return nat_table_touch(t, now, dir, f->proto, f->dst, f->dport, f->dst, f->dport, f->src,
			       f->sport);
}
