/* rtnetlink requests (netlink.h). */
#include "daemon/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NL_BUF 512

struct nl_req {
	struct nlmsghdr h;
	union {
		struct ifinfomsg ifi;
		struct rtmsg rt;
	} u;
	char attrs[128];
};

int nl_open(struct nl *nl)
{
	nl->seq = 1;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -errno;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(nl->fd);
		nl->fd = -1;
		return -e;
	}
	return 0;
}

void nl_close(struct nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

static void add_attr(struct nl_req *r, unsigned short type, const void *data, unsigned short len)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Sends the request and waits for its NLMSG_ERROR acknowledgement. */
static int transact(struct nl *nl, struct nl_req *r)
{
	r->h.nlmsg_seq = ++nl->seq;
	r->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	if (sendto(nl->fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		char buf[NL_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
		ssize_t n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		size_t left = (size_t)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != nl->seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
					return -EPROTO;
				const struct nlmsgerr *e = NLMSG_DATA(h);
				return e->error;   /* 0 = ack, else -errno */
			}
		}
	}
}

int nl_link_set(struct nl *nl, int ifindex, bool up, unsigned mtu)
{
	struct nl_req r;
	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r.h.nlmsg_type = RTM_NEWLINK;
	r.u.ifi.ifi_family = AF_UNSPEC;
	r.u.ifi.ifi_index = ifindex;
	r.u.ifi.ifi_change = IFF_UP;
	r.u.ifi.ifi_flags = up ? IFF_UP : 0;
	if (mtu) {
		uint32_t m = mtu;
		add_attr(&r, IFLA_MTU, &m, sizeof(m));
	}
	return transact(nl, &r);
}

static void route_msg(struct nl_req *r, int type, int flags, ikg_ip4 dst, int plen, int ifindex)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	r->h.nlmsg_type = (unsigned short)type;
	r->h.nlmsg_flags = (unsigned short)flags;
	r->u.rt.rtm_family = AF_INET;
	r->u.rt.rtm_dst_len = (unsigned char)plen;
	r->u.rt.rtm_table = RT_TABLE_MAIN;
	r->u.rt.rtm_protocol = RTPROT_STATIC;
	r->u.rt.rtm_scope = RT_SCOPE_LINK;
	r->u.rt.rtm_type = RTN_UNICAST;
	uint32_t d = htonl(dst);
	uint32_t oif = (uint32_t)ifindex;
	add_attr(r, RTA_DST, &d, sizeof(d));
	add_attr(r, RTA_OIF, &oif, sizeof(oif));
}

int nl_route_replace(struct nl *nl, ikg_ip4 dst, int plen, int ifindex)
{
	struct nl_req r;
	route_msg(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, dst, plen, ifindex);
	return transact(nl, &r);
}

int nl_route_delete(struct nl *nl, ikg_ip4 dst, int plen, int ifindex)
{
	struct nl_req r;
	route_msg(&r, RTM_DELROUTE, 0, dst, plen, ifindex);
	int rc = transact(nl, &r);
	return rc == -ESRCH || rc == -ENODEV ? 0 : rc;
}
