/* The IKEv1 engine (phase 1 main/aggressive with PSK, quick mode, informational, NAT-T).
 * Sans-I/O: datagrams and time in; datagrams, events and installed SAs out. */
#ifndef IKG_IKE_H
#define IKG_IKE_H

#include "common/algs.h"
#include "common/err.h"
#include "common/types.h"
#include "config/config.h"
#include "log/event.h"

#define IKG_CHILD_KEY_MAX 96  /* enc key (+ 4-byte GCM salt) + integrity key */

/* A negotiated phase-2 SA pair, handed to the data plane. */
struct ike_child {
	size_t profile;              /* index into cfg->ipsec */
	ikg_ip4 local, peer;         /* outer (tunnel) addresses */
	bool udp_encap;              /* NAT-T: ESP in UDP (RFC 3948) */
	uint16_t local_port, peer_port; /* UDP ports when udp_encap (4500 / the peer's, maybe NATed) */
	uint8_t protocol;            /* IKG_PROTO_ESP or IKG_PROTO_AH */
	enum ikg_esp_enc enc;
	enum ikg_integ integ;
	uint32_t spi_in, spi_out;    /* host order */
	size_t enc_key_len;          /* including the GCM salt */
	size_t integ_key_len;
	uint8_t keys_in[IKG_CHILD_KEY_MAX];   /* enc key then integ key, for spi_in */
	uint8_t keys_out[IKG_CHILD_KEY_MAX];  /* for spi_out */
	uint32_t lifetime_s;
	struct ikg_range local_ts, remote_ts; /* negotiated selectors */
};

struct ike_ops {
	void *ctx;
	/* An IKE datagram: from src:sport to dst:dport. For port 4500 the engine has already
	 * prepended the 4-byte non-ESP marker. */
	void (*send)(void *ctx, ikg_ip4 src, uint16_t sport, ikg_ip4 dst, uint16_t dport,
		     const uint8_t *p, size_t len);
	/* An event (the engine fills everything but may leave `when` to the caller = now). */
	void (*event)(void *ctx, const struct ikg_event *ev);
	void (*random)(void *ctx, void *buf, size_t len);
	/* Phase 2 complete: install (or replace, on rekey) the SA pair. */
	void (*child_up)(void *ctx, const struct ike_child *child);
	/* SA pair gone (deleted by the peer, expired, torn down). */
	void (*child_down)(void *ctx, size_t profile, uint32_t spi_in, uint32_t spi_out);
	/* Phase-1 state changes for the Quick View (up = established). */
	void (*ph1_state)(void *ctx, size_t profile, int state /* enum gw_phase_state */);
};

/* Timers (ms). Tests and the lab shorten them; defaults follow common practice. */
struct ike_timers {
	uint32_t retransmit_ms;      /* first retransmission, default 5000, doubles */
	uint32_t retransmit_tries;   /* default 4 (then "resend timeout") */
	uint32_t half_open_max;      /* default 512 */
};

struct ike_engine;
struct ike_engine *ike_new(const struct ikg_config *cfg, const struct ike_ops *ops,
			   const struct ike_timers *timers /* NULL = defaults */);
void ike_free(struct ike_engine *e);
/* New configuration (cfg stays owned by the caller and must outlive the engine or the next
 * call). SAs whose profile no longer exists or changed are deleted. cfg may be the same object
 * as before with new contents: the engine keeps its own snapshot (profile names and a digest
 * of their settings) to renumber the SAs that stay. */
void ike_set_config(struct ike_engine *e, const struct ikg_config *cfg, ikg_ms now);

/* A datagram for UDP 500 or 4500 (the caller strips the non-ESP marker on 4500). */
void ike_input(struct ike_engine *e, ikg_ms now, ikg_ip4 src, uint16_t sport, ikg_ip4 dst,
	       uint16_t dport, const uint8_t *p, size_t len);
/* Brings profile `profile` up towards `peer` (phase 1 if needed, then quick mode). Returns
 * IKG_OK when negotiation started or is already running/up. */
enum ikg_err ike_initiate(struct ike_engine *e, ikg_ms now, size_t profile, ikg_ip4 peer);
/* Tears down the profile's SAs (sends deletes). */
void ike_teardown(struct ike_engine *e, ikg_ms now, size_t profile);
void ike_timer(struct ike_engine *e, ikg_ms now);
ikg_ms ike_next_timer(const struct ike_engine *e);

/* For `show ike sa` / `show ipsec sa`: never keys. */
struct ike_sa_info {
	size_t profile;
	ikg_ip4 peer;
	uint16_t peer_port;
	bool initiator, established, nat_t, aggressive;
	uint8_t icookie[8], rcookie[8];
	enum ikg_cipher cipher;
	enum ikg_hash hash;
	int dh_group;
	ikg_ms created, expires;
	char peer_vendor[32];        /* "strongSwan", "libreswan", "Cisco", "" */
};
size_t ike_sa_list(const struct ike_engine *e, struct ike_sa_info *out, size_t max);
struct ike_child_info {
	size_t profile;
	ikg_ip4 peer;
	uint8_t protocol;
	enum ikg_esp_enc enc;
	enum ikg_integ integ;
	int pfs_group;
	uint32_t spi_in, spi_out;
	ikg_ms created, expires;
	struct ikg_range local_ts, remote_ts;
	bool udp_encap;
};
size_t ike_child_list(const struct ike_engine *e, struct ike_child_info *out, size_t max);

/* The engine's counters, indexed by enum ikg_counter (err.h), CNT__COUNT entries. */
const uint64_t *ike_counters(const struct ike_engine *e);

#endif
