/* One IPsec security association (one direction) of the userspace data plane: its algorithms,
 * keys (held only inside OpenSSL contexts built once at setup), outer addresses, sequence
 * number or replay window, and counters. ESP (RFC 4303) and AH (RFC 4302), tunnel mode. */
#ifndef IKG_IPSEC_SA_H
#define IKG_IPSEC_SA_H

#include "common/algs.h"
#include "common/types.h"
#include "crypto/dh.h"            /* ikg_rand_fn */

#define IPSEC_MAX_ENC_KEY 36      /* AES-256 key + 4-byte GCM salt (RFC 4106) */
#define IPSEC_MAX_INTEG_KEY 64    /* HMAC-SHA2-512 */
#define IPSEC_GCM_SALT_LEN 4
#define IPSEC_REPLAY_DEFAULT 128  /* packets */
#define IPSEC_REPLAY_MAX 65536    /* packets; the width is rounded up to a multiple of 64 */
#define IPSEC_MAX_ICV 32
#define NATT_PORT 4500

struct ipsec_sa_params {
	uint32_t spi;                  /* host order */
	uint8_t protocol;              /* IKG_PROTO_ESP or IKG_PROTO_AH */
	enum ikg_esp_enc enc;          /* IKG_ESP_NONE for AH */
	enum ikg_integ integ;          /* IKG_INTEG_NONE for GCM; required otherwise */
	uint8_t enc_key[IPSEC_MAX_ENC_KEY];   /* GCM: key followed by the 4-byte salt */
	size_t enc_key_len;            /* must equal ipsec_enc_key_len(enc) */
	uint8_t integ_key[IPSEC_MAX_INTEG_KEY];
	size_t integ_key_len;          /* must equal ipsec_integ_key_len(integ) */
	/* Outer (tunnel) addresses as they appear in this SA's packets: outbound src = local,
	 * dst = peer; inbound src = peer, dst = local. */
	ikg_ip4 src, dst;
	bool udp_encap;                /* ESP in UDP (RFC 3948); ports as in the packets */
	uint16_t sport, dport;
	uint32_t replay_window;        /* inbound: packets, 0 = IPSEC_REPLAY_DEFAULT */
	/* Optional limits (0 = none). Soft: ipsec_sa_soft_expired() turns true (time to rekey).
	 * Hard: encap refuses and decap discards once reached. */
	uint64_t soft_bytes, soft_packets, hard_bytes, hard_packets;
	size_t profile;                /* the caller's tag (index into cfg->ipsec); not used here */
};

/* Key lengths for KEYMAT: enc includes the GCM salt (20/36 for GCM, 0 for NULL/none). */
size_t ipsec_enc_key_len(enum ikg_esp_enc enc);
size_t ipsec_integ_key_len(enum ikg_integ integ);
/* ICV length in bytes: 12 (MD5-96, SHA1-96), 16 (SHA256-128), 32 (SHA512-256), 16 for GCM. */
size_t ipsec_icv_len(enum ikg_esp_enc enc, enum ikg_integ integ);

/* Fills p from a KEYMAT block laid out as enc key (incl. GCM salt) followed by integ key
 * (what struct ike_child keys_in/keys_out hold). Zeroes everything else (replay window
 * default, no limits, no UDP encapsulation). 0, or -1 when the lengths do not match the
 * algorithms. */
int ipsec_sa_params_init(struct ipsec_sa_params *p, uint8_t protocol, uint32_t spi,
			 enum ikg_esp_enc enc, enum ikg_integ integ, const uint8_t *keymat,
			 size_t enc_key_len, size_t integ_key_len);
/* Wipes the keys in p (call after ipsec_sa_new). */
void ipsec_sa_params_wipe(struct ipsec_sa_params *p);

struct ipsec_sa;

/* Builds the SA: fetches the algorithms, keys the OpenSSL contexts once (the keys are then
 * held only inside them), allocates the replay window (inbound) or builds the outer header
 * template (outbound). rnd is used only here, to key the outbound CBC IV generator (IV =
 * AES-128-ECB_k(counter) under a random k): required for outbound CBC SAs, unused otherwise.
 * NULL on bad parameters (see the combinations in sa.c), unsupported algorithm or failure. The
 * caller wipes its params afterwards (ipsec_sa_params_wipe). */
struct ipsec_sa *ipsec_sa_new(const struct ipsec_sa_params *p, bool inbound, ikg_rand_fn rnd,
			      void *rnd_ctx);
/* Frees the contexts (OpenSSL wipes its key schedules) and wipes the SA. NULL is fine. */
void ipsec_sa_free(struct ipsec_sa *sa);

uint32_t ipsec_sa_spi(const struct ipsec_sa *sa);
uint8_t ipsec_sa_protocol(const struct ipsec_sa *sa);
bool ipsec_sa_inbound(const struct ipsec_sa *sa);
size_t ipsec_sa_profile(const struct ipsec_sa *sa);
/* Retags the SA (e.g. profiles renumbered by a reload). */
void ipsec_sa_set_profile(struct ipsec_sa *sa, size_t profile);
/* The non-secret parameters (keys zeroed) for views. */
void ipsec_sa_describe(const struct ipsec_sa *sa, struct ipsec_sa_params *out);
/* NAT-T: the peer's address/port changed (e.g. a NAT rebinding): outbound SAs send there. */
void ipsec_sa_set_peer(struct ipsec_sa *sa, ikg_ip4 peer, uint16_t peer_port);

struct ipsec_sa_stats {
	uint64_t packets, bytes;       /* successfully processed (inner bytes) */
	uint64_t auth_failures;        /* bad ICV */
	uint64_t replay_drops;         /* duplicates and packets older than the window */
	uint64_t other_errors;         /* too short, bad padding, bad next header/inner packet */
	uint32_t seq;                  /* outbound: last sequence number sent; inbound: highest seen */
};
void ipsec_sa_stats(const struct ipsec_sa *sa, struct ipsec_sa_stats *out);
bool ipsec_sa_soft_expired(const struct ipsec_sa *sa);
bool ipsec_sa_hard_expired(const struct ipsec_sa *sa);


#endif
