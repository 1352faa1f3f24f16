/* Internal objects of the IKEv1 engine: the engine itself, phase-1 SAs (ISAKMP SAs), phase-2
 * exchanges (quick mode, keyed by message id) and the established child SA pairs. Only the
 * files of src/ike/ include this header. */
#ifndef IKG_IKE_SA_H
#define IKG_IKE_SA_H

#include "common/types.h"
#include "crypto/cipher.h"
#include "crypto/dh.h"
#include "crypto/hash.h"
#include "ike/ike.h"
#include "ike/keys.h"
#include "wire/isakmp.h"

#define IKE_NONCE_LEN 32              /* the nonces we send */
#define IKE_NONCE_MAX 256             /* the largest nonce we accept (RFC 2409 5: 8..256) */
#define IKE_TX_MAX 2048               /* our largest message (modp4096 KE + SA + IDs ...) */
#define IKE_ID_MAX 260                /* ID payload body: type, proto, port, data */
#define IKE_DIGEST_LEN 16             /* datagram fingerprint for retransmission detection */
#define IKE_MSGID_RING 32             /* recent phase-2 message ids, per phase-1 SA */
#define IKE_SA_BUCKETS 256
#define IKE_DPD_MAX_MISSES 5
#define IKE_KEEPALIVE_MS 20000        /* NAT keepalive interval (RFC 3948 4) */
#define IKE_VENDOR_LEN 32

/* Values of enum gw_phase_state (gw/gw.h) passed to ops.ph1_state. */
enum { IKE_PH_DOWN = 0, IKE_PH_NEGOTIATING = 1, IKE_PH_UP = 2 };

/* Phase-1 states. I = initiator, R = responder; WAIT_Mn = message n is expected next. */
enum p1_state {
	P1_NONE = 0,                  /* responder SA just created for message 1 */
	MM_I_WAIT_M2,
	MM_R_WAIT_M3,
	MM_I_WAIT_M4,
	MM_R_WAIT_M5,
	MM_I_WAIT_M6,
	AM_I_WAIT_M2,
	AM_R_WAIT_M3,
	P1_ESTABLISHED,
	P1_DEAD,                      /* failed or deleted: kept briefly to absorb retransmissions */
};

enum qm_state {
	QM_NONE = 0,                  /* responder exchange just created for message 1 */
	QM_I_WAIT_M2,
	QM_R_WAIT_M3,
	QM_DONE,                      /* kept until its deadline to answer retransmissions */
	QM_DEAD,
};

/* NAT-T flavour agreed through vendor IDs. */
enum natt_kind { NATT_NONE = 0, NATT_DRAFT, NATT_RFC };

/* The last message we sent in an exchange, what it answered and its retransmission timer. */
struct ike_rtx {
	uint8_t *buf;                 /* heap, exactly len bytes (rtx_store); NULL when len is 0 */
	size_t len;                   /* 0 = nothing to resend */
	ikg_ms at;                    /* next retransmission; IKG_MS_NEVER when not waiting */
	uint32_t tries;               /* retransmissions done */
	uint8_t rx_digest[IKE_DIGEST_LEN]; /* the peer message `buf` answered */
	bool has_rx;
	uint8_t bad_digest[IKE_DIGEST_LEN]; /* the last peer message we rejected */
	bool has_bad;
};

struct ike_qm;

/* What phase 1 needs only while it negotiates: the key exchange, the nonces and the bodies
 * the authentication hashes cover. Allocated with the SA, wiped and freed once it is
 * established (p1_established), so an established SA keeps only its keys and state. */
struct p1_nego {
	struct ikg_dh *dh;
	uint8_t gxi[IKG_DH_MAX_PUB], gxr[IKG_DH_MAX_PUB];
	size_t gxi_len, gxr_len;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	uint8_t *sai_b;               /* the initiator's SA payload body (heap copy) */
	size_t sai_b_len;
	uint8_t idi_b[IKE_ID_MAX];    /* aggressive responder: IDii body from message 1 */
	size_t idi_b_len;
};

/* A phase-1 (ISAKMP) SA. */
struct ike_sa {
	struct ike_sa *next;          /* engine list */
	struct ike_sa *hnext;         /* hash bucket (by initiator cookie) */
	uint8_t icookie[8], rcookie[8];
	enum p1_state state;
	bool initiator, aggressive, dead, half_open;
	size_t profile;               /* ipsec profile index (cfg->ipsec) */
	size_t ike_profile;           /* ike profile index (cfg->ike) */
	ikg_ip4 local, peer;
	uint16_t local_port, peer_port;

	/* negotiated phase-1 transform */
	enum ikg_cipher cipher;
	enum ikg_hash hash;
	int group;
	uint32_t lifetime_s;

	/* peer capabilities (vendor IDs) */
	enum natt_kind natt;
	bool peer_dpd;
	char vendor[IKE_VENDOR_LEN];

	/* NAT-T */
	bool nat_here, nat_there, floated, nat_logged;
	ikg_ms keepalive_at;

	/* key exchange */
	struct p1_nego *nego;         /* NULL once established */
	struct ike_keys keys;
	bool keys_ok;
	uint8_t iv[IKG_MAX_BLOCK];    /* phase-1 IV chain */
	uint8_t p1_last[IKG_MAX_BLOCK]; /* last phase-1 CBC block: base of phase-2 IVs */
	char peer_id[80];             /* the peer's identity as text, for evidence */

	struct ike_rtx rtx;
	ikg_ms created, established_at, expires, rekey_at, deadline;
	uint8_t rekey_of[16];         /* cookies of the SA this one replaces (rekey) */
	bool is_rekey, rekey_started;
	bool superseded;             /* replaced by a rekeyed SA; deleted after a grace period */
	bool shortened;               /* responder that cut the peer's lifetime: it rekeys too */

	/* DPD (RFC 3706) */
	uint32_t dpd_seq;             /* last sequence number sent */
	bool dpd_pending;
	uint32_t dpd_misses;
	ikg_ms dpd_at;

	/* notes for evidence */
	uint16_t unauth_notify;       /* last unauthenticated notify type the peer sent */
	bool unauth_logged;

	uint32_t msgids[IKE_MSGID_RING]; /* recent phase-2 message ids (replay protection) */
	size_t msgid_pos;
	struct ike_qm *qms;           /* phase-2 exchanges over this SA */
};

/* A quick-mode exchange. */
struct ike_qm {
	struct ike_qm *next;
	struct ike_sa *sa;
	uint32_t msgid;
	enum qm_state state;
	bool initiator;
	size_t profile;               /* ipsec profile; SIZE_MAX while unknown (responder) */
	uint8_t iv[IKG_MAX_BLOCK];
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	struct ikg_dh *dh;            /* PFS */
	int group;
	uint8_t gqm[IKG_DH_MAX_PUB];
	size_t gqm_len;
	uint8_t isakmp_proto;         /* PROTO_IPSEC_ESP / PROTO_IPSEC_AH */
	enum ikg_esp_enc enc;
	enum ikg_integ integ;
	uint16_t encap_mode;
	uint32_t lifetime_s;
	uint32_t spi_in, spi_out;
	uint8_t idci[IKE_ID_MAX], idcr[IKE_ID_MAX];
	size_t idci_len, idcr_len;
	struct ikg_range local_ts, remote_ts;
	uint32_t rekey_spi_in;        /* child (by our SPI) this exchange replaces; 0 = none */
	bool shortened;               /* responder that cut the peer's lifetime */
	struct ike_rtx rtx;
	ikg_ms deadline;              /* when the object is freed */
};

/* An established phase-2 SA pair (no keys kept: they went to ops.child_up). */
struct ike_child_sa {
	struct ike_child_sa *next;
	size_t profile;
	ikg_ip4 peer;
	uint8_t protocol;             /* IKG_PROTO_ESP / IKG_PROTO_AH */
	enum ikg_esp_enc enc;
	enum ikg_integ integ;
	int pfs_group;
	uint32_t spi_in, spi_out;
	ikg_ms created, expires, rekey_at;
	struct ikg_range local_ts, remote_ts;
	bool udp_encap, initiator, rekey_started, dead;
	bool shortened;               /* we cut the peer's lifetime: we rekey although responder */
};

/* Per-profile engine state. name and fp are a snapshot of the profile as configured, so that
 * ike_set_config can map SAs to the new configuration without the old one (the caller may
 * have overwritten it in place). */
struct ike_prof {
	char name[IKG_NAME_MAX];
	uint8_t fp[32];               /* fingerprint of what the negotiation depends on */
	bool want;                    /* bring up phase 2 when phase 1 is up */
	ikg_ip4 peer;                 /* last peer address given to ike_initiate (hostname RTEs) */
	ikg_ms hold_until;            /* after a failed quick mode: traffic does not restart it
				       * before this (no event flood from a packet stream) */
};

#define IKE_NOPROF_LOG 64
#define IKE_HALF_OPEN_PER_SOURCE 16   /* phase-1 negotiations one address may hold open */
#define IKE_NOPROF_LOG_MS 60000
#define IKE_NOPROF_PER_MIN 10         /* from all sources together (spoofed floods) */

struct ike_engine {
	const struct ikg_config *cfg;
	struct ike_ops ops;
	struct ike_timers t;
	struct ike_sa *sas;
	struct ike_sa *buckets[IKE_SA_BUCKETS];
	struct ike_child_sa *children;
	struct ike_prof *prof;
	size_t n_prof;
	size_t half_open;
	/* sa_gc walks the tables only from this time on: the earliest deadline of a dead SA or
	 * of an exchange (sa_gc_at), 0 when a child was removed. A timer run always walks. */
	ikg_ms gc_at;
	/* sources recently told "no matching phase1 profile": a flood is logged once a minute per
	 * source, not once a packet */
	struct { ikg_ip4 src; ikg_ms at; } noprof_log[IKE_NOPROF_LOG];
	size_t noprof_next;
	ikg_ms noprof_window;          /* start of the current minute of such events */
	unsigned noprof_in_window;     /* events logged in it: at most IKE_NOPROF_PER_MIN */
	uint64_t counters[CNT__COUNT];
	uint8_t rx[ISAKMP_MAX_MSG];   /* decrypted message bodies */
	uint8_t tx[IKE_TX_MAX];       /* one-shot messages (informational) */
	uint8_t wire[4 + IKE_TX_MAX]; /* non-ESP marker + message, for port 4500 */
	uint8_t our_vid[16];
};

/* A received message being processed. */
struct ike_msg {
	ikg_ms now;
	ikg_ip4 src, dst;
	uint16_t sport, dport;
	const uint8_t *raw;
	size_t raw_len;
	struct isakmp_hdr h;
	struct isakmp_chain c;
	bool encrypted;
	uint8_t next_iv[IKG_MAX_BLOCK]; /* last ciphertext block (the IV chain after this message) */
	uint8_t digest[IKE_DIGEST_LEN];
};

/* ---- ike_sa.c: SA, exchange and child tables ---- */
/* Something becomes collectable at `at` (see gc_at). */
static inline void sa_gc_at(struct ike_engine *e, ikg_ms at)
{
	if (at < e->gc_at)
		e->gc_at = at;
}
/* An exchange's deadline: when sa_gc frees it. */
static inline void qm_set_deadline(struct ike_engine *e, struct ike_qm *q, ikg_ms at)
{
	q->deadline = at;
	sa_gc_at(e, at);
}
struct ike_sa *sa_new(struct ike_engine *e, ikg_ms now, bool initiator, size_t profile,
		      size_t ike_profile, ikg_ip4 local, ikg_ip4 peer, uint16_t peer_port);
/* Sets the initiator cookie (NULL = a new random one) and, for a responder, a random
 * responder cookie; hashes the SA. */
void sa_set_cookies(struct ike_engine *e, struct ike_sa *sa, const uint8_t *icookie);
void sa_half_open_done(struct ike_engine *e, struct ike_sa *sa);
struct ike_sa *sa_lookup(struct ike_engine *e, const uint8_t *icookie, const uint8_t *rcookie);
/* The newest established SA with that peer (and ike profile, SIZE_MAX = any). */
struct ike_sa *sa_established_with(struct ike_engine *e, ikg_ip4 peer, size_t ike_profile);
struct ike_sa *sa_negotiating_with(struct ike_engine *e, ikg_ip4 peer, size_t ike_profile);
void sa_kill(struct ike_engine *e, struct ike_sa *sa, ikg_ms now);   /* -> P1_DEAD, freed later */
void sa_gc(struct ike_engine *e, ikg_ms now);                      /* frees what is due */
void sa_free_all(struct ike_engine *e);
bool sa_msgid_seen(const struct ike_sa *sa, uint32_t msgid);
void sa_msgid_note(struct ike_sa *sa, uint32_t msgid);
struct ike_qm *qm_new(struct ike_engine *e, struct ike_sa *sa, uint32_t msgid, bool initiator);
struct ike_qm *qm_find(struct ike_sa *sa, uint32_t msgid);
void qm_free(struct ike_qm *q);
void sa_nego_free(struct ike_sa *sa);   /* wipes and frees sa->nego (established, freed) */
struct ike_child_sa *child_add(struct ike_engine *e);
struct ike_child_sa *child_by_spi_in(struct ike_engine *e, uint32_t spi_in);
struct ike_child_sa *child_by_spi_out(struct ike_engine *e, ikg_ip4 peer, uint32_t spi_out);
void child_remove(struct ike_engine *e, struct ike_child_sa *c);
uint32_t sa_new_spi(struct ike_engine *e);
uint32_t sa_new_msgid(struct ike_engine *e, struct ike_sa *sa);
void ike_random(struct ike_engine *e, void *buf, size_t len);

#endif
