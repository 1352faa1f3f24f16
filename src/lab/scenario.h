/* Lab scenario files (docs/lab.md): a virtual network and a timeline, parsed from text with
 * errors that name the file, the line and what was expected. */
#ifndef IKG_LAB_SCENARIO_H
#define IKG_LAB_SCENARIO_H

#include "common/types.h"
#include "config/config.h"

#define LAB_MAX_NODES 4096
#define LAB_MAX_STEPS 16384
#define LAB_TEXT_MAX 256

struct lab_gateway {
	char name[IKG_NAME_MAX];
	struct ikg_config cfg;
	int line;
};

struct lab_host {
	char name[IKG_NAME_MAX];
	size_t gw;                  /* index of the gateway whose LAN it is on */
	ikg_ip4 addr;
	bool no_route_back;         /* receives, but its replies never reach the gateway */
	bool ignore_icmp;           /* a personal firewall: no echo replies */
};

struct lab_link {               /* a gateway's WAN attachment */
	uint32_t latency_ms;
	uint32_t loss_pct, reorder_pct, tamper_pct;
	uint32_t tamper_qm_pct;     /* corrupts quick-mode messages only (phase2 hash failed) */
};

struct lab_nat {                /* a NAPT box in front of a gateway */
	char name[IKG_NAME_MAX];
	size_t gw;
	ikg_ip4 outside;
	bool random_ports;
};

struct lab_fw_rule {
	bool deny;
	uint8_t proto;              /* 0 any */
	uint16_t port;              /* 0 any (destination port) */
	bool ike_info;              /* only ISAKMP informational exchanges (a peer's notifies) */
};

struct lab_firewall {           /* a device in front of a gateway, filtering what reaches it */
	char name[IKG_NAME_MAX];
	size_t gw;
	struct lab_fw_rule rules[16];
	size_t n_rules;
	uint64_t drops;
};

struct lab_dns {
	char host[IKG_HOST_MAX];
	ikg_ip4 addr;
};

enum lab_action {
	LAB_WAN_UP, LAB_PING, LAB_SHOW, LAB_ENABLE, LAB_DISABLE, LAB_INITIATE, LAB_CUT, LAB_RESTORE,
	LAB_SECRET, LAB_EXPECT, LAB_EXPECT_NOT, LAB_EXPECT_COUNTER, LAB_CLEAR_LOG, LAB_ROUTE_BACK,
	LAB_PRINT,
};

struct lab_step {
	ikg_ms at;                  /* virtual ms from the start */
	enum lab_action action;
	size_t node;                /* gateway or host index */
	char view[16];              /* show/expect: log|log-detail|vpn|vpn-discards|nat|ike-sa|ipsec-sa|diagnose|filter|ping */
	char arg[IKG_NAME_MAX];     /* profile (enable, disable, initiate, secret, diagnose, counter) */
	char text[LAB_TEXT_MAX];    /* wan-up text, expect text, secret, counter name, print text */
	ikg_ip4 dst;                /* ping */
	uint32_t count, interval_ms;
	uint64_t value;             /* expect counter value */
	bool host;                  /* node is a host (show/expect ping) */
	bool all;                   /* expect counter over every gateway and profile ("*") */
	int line;
};

struct scenario {
	char source[IKG_PATH_MAX];
	char title[LAB_TEXT_MAX];
	uint64_t seed;
	ikg_ms clock0;              /* wall clock at t = 0 */
	uint32_t retransmit_ms, retransmit_tries;
	struct lab_gateway gws[LAB_MAX_NODES];
	size_t n_gws;
	struct lab_link links[LAB_MAX_NODES]; /* per gateway */
	struct lab_host hosts[LAB_MAX_NODES];
	size_t n_hosts;
	struct lab_nat nats[LAB_MAX_NODES];
	size_t n_nats;
	struct lab_firewall fws[LAB_MAX_NODES];
	size_t n_fws;
	struct lab_dns dns[LAB_MAX_NODES];
	size_t n_dns;
	struct lab_step steps[LAB_MAX_STEPS];
	size_t n_steps;
};

/* Parses text. 0, or -1 with a message "FILE:LINE: error: ... (expected ...)" in err. The
 * scenario is large: allocate it on the heap. Release with scenario_free. */
int scenario_parse(const char *text, const char *source, struct scenario *s, char *err,
		   size_t err_len);
void scenario_free(struct scenario *s);

#endif
