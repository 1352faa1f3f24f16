/* The configuration model (design.md §5, §8) and its loader. The loader parses text (libconfig
 * syntax); reading files is the caller's job, so the core never touches the file system. */
#ifndef IKG_CONFIG_H
#define IKG_CONFIG_H

#include "common/algs.h"
#include "common/secret.h"
#include "common/types.h"

#define IKG_MAX_MEMBERS 8
#define IKG_MAX_RULES 64
#define IKG_ID_MAX 128
#define IKG_HOST_MAX 256
#define IKG_PATH_MAX 256

enum ikg_ike_mode { IKG_MODE_MAIN = 0, IKG_MODE_AGGRESSIVE };
enum ikg_negotiation { IKG_NEG_BOTH = 0, IKG_NEG_INITIATE_ONLY, IKG_NEG_RESPOND_ONLY };
enum ikg_encap { IKG_ENCAP_AUTO = 0, IKG_ENCAP_UDP, IKG_ENCAP_NONE };

struct cfg_gateway {
	ikg_ip4 wan_address;
	char control[IKG_PATH_MAX];     /* default "/run/ikegate/ikegate.sock" */
	char state_dir[IKG_PATH_MAX];   /* default "/var/lib/ikegate" */
	char tun[16];                   /* default "ikg0" */
	char wan_name[32];              /* name in ">>WAN: <name> activated", default "Ethernet WAN1" */
	int line;
};

struct cfg_ike_profile {
	char name[IKG_NAME_MAX];
	enum ikg_ike_mode mode;         /* default main */
	enum ikg_cipher encryption;     /* default 3des (the Netopia's) */
	enum ikg_hash hash;             /* default sha1 */
	int dh_group;                   /* default 2 */
	uint32_t lifetime;              /* seconds, default 28800 */
	struct ikg_secret secret;       /* from "secret" or loaded by the caller from secret_file */
	char secret_file[IKG_PATH_MAX]; /* "" when the secret is inline */
	enum ikg_negotiation negotiation;
	char local_id[IKG_ID_MAX];      /* "" = wan-address (ID_IPV4_ADDR) */
	char remote_id[IKG_ID_MAX];     /* "" = remote endpoint address */
	uint32_t dpd_interval;          /* seconds, 0 = off; default 30 */
	bool nat_traversal;             /* default true */
	int line;
};

struct cfg_ipsec_profile {
	char name[IKG_NAME_MAX];
	char remote_endpoint[IKG_HOST_MAX]; /* as written */
	ikg_ip4 remote_ip;              /* parsed when it is an address; 0 for "0.0.0.0" */
	bool remote_is_hostname;
	struct ikg_range local_members[IKG_MAX_MEMBERS];
	size_t n_local;
	struct ikg_range remote_members[IKG_MAX_MEMBERS];
	size_t n_remote;
	char ike_profile[IKG_NAME_MAX]; /* "" = none assigned */
	uint8_t protocol;               /* IKG_PROTO_ESP (default) or IKG_PROTO_AH */
	enum ikg_esp_enc encryption;    /* default aes128; IKG_ESP_NONE for AH */
	enum ikg_integ integrity;       /* default sha1; IKG_INTEG_NONE for GCM */
	int pfs_group;                  /* default 2 (PFS on, as the Netopia); 0 = off */
	uint32_t lifetime;              /* seconds, default 3600 */
	bool enabled;                   /* default true */
	enum ikg_encap encapsulation;   /* auto (NAT-T when a NAT is seen) | udp (forced) | none */
	uint32_t replay_window;         /* packets, default 128 */
	int line;
};

enum cfg_action { CFG_PERMIT = 0, CFG_DENY };

struct cfg_filter_rule {
	enum cfg_action action;
	uint8_t protocol;               /* 0 = any; 1 icmp, 6 tcp, 17 udp, 50 esp, 51 ah */
	struct ikg_range src, dst;      /* 0.0.0.0-255.255.255.255 = any */
	uint16_t src_port_lo, src_port_hi; /* 0-65535 = any */
	uint16_t dst_port_lo, dst_port_hi;
	int line;
};

enum cfg_apply { CFG_APPLY_WAN_IN = 0, CFG_APPLY_WAN_OUT };

struct cfg_filter_set {
	char name[IKG_NAME_MAX];
	enum cfg_apply apply;
	struct cfg_filter_rule rules[IKG_MAX_RULES];
	size_t n_rules;
	int line;
};

struct cfg_nat {
	uint32_t esp_life;              /* 180 */
	uint32_t ike_life;              /* 600 */
	uint32_t udp_life;              /* 300 */
	uint32_t tcp_life;              /* 86400 */
	uint32_t icmp_life;             /* 60 */
};

struct ikg_config {
	char source[IKG_PATH_MAX];      /* file name used in messages */
	struct cfg_gateway gateway;
	struct cfg_ike_profile *ike;
	size_t n_ike;
	struct cfg_ipsec_profile *ipsec;
	size_t n_ipsec;
	struct cfg_filter_set *filters;
	size_t n_filters;
	struct cfg_nat nat;
};

/* One problem found by the loader or by the lint. */
enum cfg_severity { CFG_ERROR = 0, CFG_WARNING };
struct cfg_diag {
	enum cfg_severity severity;
	int line;                       /* 0 when not tied to a line */
	char message[256];              /* what is wrong */
	char fix[256];                  /* how to fix it */
};
struct cfg_diags {
	struct cfg_diag *v;
	size_t n, cap;
};
void cfg_diags_free(struct cfg_diags *d);
size_t cfg_diags_errors(const struct cfg_diags *d);
/* One entry per diagnostic: "FILE:LINE: error: MESSAGE\n  fix: FIX\n" ("warning" for warnings;
 * "FILE: error: ..." when the line is 0; no fix line when the fix is empty). Returns a malloc'd
 * string (possibly ""), NULL on allocation failure. Caller frees. */
char *cfg_diags_format(const struct cfg_diags *d, const char *source);

/* Parses a configuration text. On success returns 0 and fills *out (release with
 * ikg_config_free). On error returns -1, fills diags, and *out is left empty. Secrets given in
 * "secret-file" are NOT read: the caller reads them and calls ikg_config_set_secret. */
int ikg_config_parse(const char *text, const char *source, struct ikg_config *out,
		     struct cfg_diags *diags);
int ikg_config_set_secret(struct ikg_config *c, const char *ike_profile, const void *p, size_t len);
/* Deep copy (secrets copied) and free (secrets wiped). */
int ikg_config_copy(struct ikg_config *dst, const struct ikg_config *src);
void ikg_config_free(struct ikg_config *c);

const struct cfg_ike_profile *ikg_config_ike(const struct ikg_config *c, const char *name);
const struct cfg_ipsec_profile *ikg_config_ipsec(const struct ikg_config *c, const char *name);
const struct cfg_filter_set *ikg_config_filter_set(const struct ikg_config *c, const char *name);

#endif
