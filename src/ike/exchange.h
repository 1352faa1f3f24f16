/* Internal interfaces between the files of the IKEv1 engine: message plumbing (exchange.c), the
 * exchanges (main_mode.c, aggressive_mode.c, quick_mode.c, informational.c), proposals
 * (sa_payload.c), identities (ike_id.c), NAT-T (natt.c), vendor IDs (vendor.c), profiles
 * (profile.c) and lifetimes (lifetime.c). */
#ifndef IKG_IKE_EXCHANGE_H
#define IKG_IKE_EXCHANGE_H

#include <stdarg.h>

#include "ike/ike_sa.h"

/* ---- exchange.c: dispatch, sending, retransmission, encryption, errors ---- */

/* Payload-type bit sets for the transition tables. */
#define PB(t) (UINT64_C(1) << ((t) < 64 ? (t) : (t) - 80))   /* 130/131 -> bits 50/51 */
uint64_t msg_payload_bits(const struct isakmp_chain *c);

/* Sends a message of an SA to its peer (adds the non-ESP marker on port 4500). */
void ike_send(struct ike_engine *e, const struct ike_sa *sa, const uint8_t *p, size_t len);
void ike_send_to(struct ike_engine *e, ikg_ip4 src, uint16_t sport, ikg_ip4 dst, uint16_t dport,
		 const uint8_t *p, size_t len);
/* Sends rtx->buf and starts its retransmission timer (when `wait`). */
void rtx_send(struct ike_engine *e, const struct ike_sa *sa, struct ike_rtx *r, ikg_ms now,
	      bool wait);
/* The reply about to be stored in r answers message m. */
void rtx_answers(struct ike_rtx *r, const struct ike_msg *m);
void rtx_stop(struct ike_rtx *r);

/* Header of a message of `sa` (cookies, exchange, msgid, flags). */
void msg_hdr(struct isakmp_hdr *h, const struct ike_sa *sa, uint8_t exchange, uint32_t msgid,
	     uint8_t flags);
/* Pads the body with zeros to the block size, CBC-encrypts it with *iv, updates *iv to the last
 * ciphertext block and patches the header length. Returns the new length, 0 on failure. */
size_t msg_encrypt(const struct ike_keys *k, uint8_t *iv, uint8_t *msg, size_t len, size_t cap);
/* Decrypts m->raw's body with iv into e->rx and parses the chain into m->c; m->next_iv gets
 * the last ciphertext block. -1 when the length is wrong or the chain does not parse. */
int msg_decrypt(struct ike_engine *e, const struct ike_keys *k, const uint8_t *iv,
		struct ike_msg *m);
/* The bytes after the first (HASH) payload up to the end of the last payload. */
struct ikg_bytes msg_after_hash(const struct ike_msg *m);
/* Puts a HASH payload of n zero bytes; returns its body offset in the builder. */
size_t msg_put_hash_placeholder(struct isakmp_builder *b, size_t n);

/* Events and errors. Evidence is "key=value; ..." text; never secrets. */
void ike_event(struct ike_engine *e, ikg_ms now, enum ikg_msg code, ikg_ip4 peer, size_t profile,
	       const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Logs err's event (if any) with evidence and bumps its counter; returns the notify the error
 * maps to. */
uint16_t ike_report(struct ike_engine *e, ikg_ms now, enum ikg_err err, ikg_ip4 peer,
		    size_t profile, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* ike_report, then sends the mapped notify to the sender of m (protected when sa has phase-1
 * keys and is established; never in reply to an informational exchange). */
void ike_fail(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m, enum ikg_err err,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void ike_count(struct ike_engine *e, enum ikg_counter c);
/* A silent drop (no event, no notify: unauthenticated garbage, duplicates, out-of-state
 * messages) counted under err's counter of the err.h table. */
void ike_drop(struct ike_engine *e, enum ikg_err err);
const char *ike_profile_name(const struct ike_engine *e, size_t profile);

/* ---- phase1.c: shared by main and aggressive mode ---- */
/* A phase-1 message is built in e->tx, then stored as the SA's last message and sent
 * (encrypted with the phase-1 IV chain when asked; retransmitted when `wait`). */
void p1_start_msg(struct isakmp_builder *b, struct ike_engine *e, const struct ike_sa *sa,
		  uint8_t exchange, uint8_t flags);
int p1_finish_and_send(struct ike_engine *e, struct ike_sa *sa, struct isakmp_builder *b,
		       const struct ike_msg *answering, bool encrypt, bool wait, ikg_ms now);
void p1_put_initial_contact(struct isakmp_builder *b, const struct ike_sa *sa);
bool p1_has_initial_contact(const struct ike_msg *m);
/* Starts phase 1 as initiator (main or aggressive per the profile); `replaces` is the SA a
 * rekey replaces (NULL for a new negotiation). */
struct ike_sa *p1_initiate(struct ike_engine *e, ikg_ms now, size_t profile, ikg_ip4 peer,
			   const struct ike_sa *replaces);
/* KE + nonce of the peer (checks sizes) and, once both sides are known, DH + SKEYID*. */
int p1_take_ke_nonce(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m);
/* Our DH key pair and nonce. */
int p1_make_dh_nonce(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m);
int p1_derive_keys(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m);
void p1_put_ke_nonce(struct ike_engine *e, struct ike_sa *sa, struct isakmp_builder *b);
/* Our ID payload body (type, proto 0, port 0, data) into out; returns its length. */
size_t p1_our_id(const struct ike_engine *e, const struct ike_sa *sa, uint8_t *out, size_t cap);
/* Checks the peer's HASH_I (we are responder) or HASH_R (we are initiator). */
int p1_verify_peer_hash(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m,
			struct ikg_bytes id_b, const struct isakmp_payload *hash);
size_t p1_our_hash(struct ike_sa *sa, const uint8_t *id_b, size_t id_len, uint8_t *out);
/* Parses the peer's ID payload into *id and checks it against the profile's remote-id. */
int p1_check_peer_identity(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m,
			   const struct isakmp_payload *pl, struct isakmp_id *id);
/* Keeps a copy of the message we sent (the one resent). -1: out of memory or too long. */
int rtx_store(struct ike_rtx *r, const uint8_t *p, size_t len);
void rtx_clear(struct ike_rtx *r);     /* nothing to resend any more: frees the copy */
/* Constant-time comparison. */
bool ike_equal(const uint8_t *a, const uint8_t *b, size_t n);
void p1_established(struct ike_engine *e, struct ike_sa *sa, ikg_ms now);
bool p1_first_contact(struct ike_engine *e, const struct ike_sa *sa);
void p1_note_notify(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m);
const char *p1_timeout_hint(const struct ike_sa *sa);
void p1_ph1_state(struct ike_engine *e, const struct ike_sa *sa, int state);
size_t p1_put_sa(struct ike_engine *e, struct ike_sa *sa, struct isakmp_builder *b);
int p1_responder_sa(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		    struct isakmp_builder *b);
int p1_initiator_check_sa(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m);

/* ---- main_mode.c / aggressive_mode.c (handlers return 0, or -1 after reporting) ---- */
int mm_i_start(struct ike_engine *e, struct ike_sa *sa, ikg_ms now);
int mm_r_msg1(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m);
int mm_i_msg2(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m);
int mm_r_msg3(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m);
int mm_i_msg4(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m);
int mm_r_msg5(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m);
int mm_i_msg6(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m);
int am_i_start(struct ike_engine *e, struct ike_sa *sa, ikg_ms now);
int am_r_msg1(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m);
int am_i_msg2(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m);
int am_r_msg3(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m);

/* ---- quick_mode.c ---- */
/* Starts quick mode for every (local, remote) member pair of the profile that has no child SA
 * yet (or whose child is due for rekeying). */
void qm_start_profile(struct ike_engine *e, struct ike_sa *sa, size_t profile, ikg_ms now);
int qm_i_start(struct ike_engine *e, struct ike_sa *sa, size_t profile, struct ikg_range local,
	       struct ikg_range remote, uint32_t rekey_spi_in, ikg_ms now);
int qm_r_msg1(struct ike_engine *e, struct ike_qm *q, struct ike_msg *m);
int qm_i_msg2(struct ike_engine *e, struct ike_qm *q, struct ike_msg *m);
int qm_r_msg3(struct ike_engine *e, struct ike_qm *q, struct ike_msg *m);
/* The peer rejected our quick mode (authenticated notify). */
void qm_peer_rejected(struct ike_engine *e, struct ike_qm *q, uint16_t notify, ikg_ms now);
void qm_timeout(struct ike_engine *e, struct ike_qm *q, ikg_ms now);

/* ---- informational.c ---- */
void info_input(struct ike_engine *e, struct ike_sa *sa, struct ike_msg *m);
/* Protected (HASH(1), encrypted) informational with one notify. */
void info_send_notify(struct ike_engine *e, struct ike_sa *sa, ikg_ms now, uint8_t proto,
		      const uint8_t *spi, size_t spi_len, uint16_t type, const void *data,
		      size_t data_len);
/* Unprotected notify to the sender of m (phase-1 errors before keys). */
void info_send_plain_notify(struct ike_engine *e, const struct ike_msg *m, uint16_t type);
void info_send_delete_isakmp(struct ike_engine *e, struct ike_sa *sa, ikg_ms now);
void info_send_delete_child(struct ike_engine *e, struct ike_sa *sa, ikg_ms now, uint8_t proto,
			    uint32_t spi_in);
void info_initial_contact(struct ike_engine *e, struct ike_sa *sa, ikg_ms now);
void dpd_tick(struct ike_engine *e, struct ike_sa *sa, ikg_ms now);
/* Tears down everything with the SA's peer (DPD dead, teardown). */
void info_drop_children(struct ike_engine *e, ikg_ip4 peer, size_t profile, ikg_ms now,
			bool send_delete, ikg_ms created_before);

/* ---- natt.c ---- */
void natt_put_natd(struct ike_engine *e, const struct ike_sa *sa, struct isakmp_builder *b);
void natt_process(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m);
/* After NAT-D (or when forced): float to 4500 and log MSG_NAT_DETECTED once. */
void natt_decide(struct ike_engine *e, struct ike_sa *sa, ikg_ms now);
bool natt_wanted(const struct ike_engine *e, size_t profile);
uint16_t natt_encap_mode(const struct ike_sa *sa);
bool natt_encap_is_udp(uint16_t mode);
/* An authenticated message arrived: follow the peer's address/port and our port. */
void natt_follow_peer(struct ike_engine *e, struct ike_sa *sa, const struct ike_msg *m);
void natt_keepalive_tick(struct ike_engine *e, struct ike_sa *sa, ikg_ms now);

/* ---- vendor.c ---- */
void vendor_put_ours(struct ike_engine *e, struct isakmp_builder *b, size_t profile);
void vendor_process(struct ike_engine *e, struct ike_sa *sa, const struct isakmp_chain *c);
void vendor_init(struct ike_engine *e);

/* ---- profile.c ---- */
/* SHA-256 over every setting of ipsec profile i and its IKE profile that a negotiated SA
 * depends on (secret included; the digest never leaves the engine). */
void prof_fingerprint(const struct ikg_config *c, size_t i, uint8_t out[32]);
const struct cfg_ike_profile *prof_ike(const struct ike_engine *e, size_t ipsec_profile);
size_t prof_ike_index(const struct ike_engine *e, size_t ipsec_profile);
ikg_ip4 prof_remote(const struct ike_engine *e, size_t profile);
/* Responder phase 1: the profile for a peer address (exact endpoint first, then 0.0.0.0).
 * Returns SIZE_MAX when none; *initiate_only set when the only match refuses to respond. */
size_t prof_for_peer(const struct ike_engine *e, ikg_ip4 peer, bool *initiate_only);
/* The configured remote endpoints as text, for evidence. */
void prof_endpoints_text(const struct ike_engine *e, char *buf, size_t len);
/* Responder phase 2: the profile whose members cover the peer's IDs. */
size_t prof_for_ids(const struct ike_engine *e, const struct ike_sa *sa, struct ikg_range idci,
		    struct ikg_range idcr, bool *any_candidate);

/* ---- ike_id.c ---- */
/* Encodes a configured identity ("" = address) as ID type + data. */
size_t id_encode(const char *conf, ikg_ip4 addr, uint8_t *type, uint8_t *data, size_t cap);
/* Does the received ID body match the configured identity? ("" = any). */
bool id_matches(const char *conf, ikg_ip4 default_addr, const struct isakmp_id *id);
void id_text(const struct isakmp_id *id, char *buf, size_t len);
/* Quick-mode client IDs. */
size_t id_from_range(struct ikg_range r, uint8_t *body, size_t cap);
int id_to_range(const struct isakmp_id *id, struct ikg_range *r);

/* ---- sa_payload.c ---- */
struct p1_choice {
	enum ikg_cipher cipher;
	enum ikg_hash hash;
	int group;
	uint32_t lifetime_s;          /* 0 = not given */
	uint8_t proposal_no, transform_no;
};
void sa_put_p1_proposal(struct isakmp_builder *b, const struct cfg_ike_profile *ip);
/* Responder: the first of the peer's transforms equal to ours. -1 when none; then recv and conf
 * hold "received: ...; configured: ..." text. */
int sa_choose_p1(const struct isakmp_sa *sa, const struct cfg_ike_profile *ip,
		 struct p1_choice *out, const struct isakmp_transform **t_out, char *text,
		 size_t text_len);
void sa_put_p1_reply(struct isakmp_builder *b, const struct isakmp_sa *peer, uint8_t proposal_no,
		     const struct isakmp_transform *t);

struct p2_choice {
	uint8_t isakmp_proto;
	enum ikg_esp_enc enc;
	enum ikg_integ integ;
	int group;
	uint16_t encap_mode;
	uint32_t lifetime_s;          /* 0 = not given */
	struct ikg_bytes spi;         /* the peer's SPI for the chosen proposal */
};
void sa_put_p2_proposal(struct isakmp_builder *b, const struct cfg_ipsec_profile *p,
			uint32_t spi_in, uint16_t encap_mode);
int sa_choose_p2(const struct isakmp_sa *sa, const struct cfg_ipsec_profile *p,
		 struct p2_choice *out, const struct isakmp_proposal **prop_out,
		 const struct isakmp_transform **t_out, char *text, size_t text_len);
void sa_put_p2_reply(struct isakmp_builder *b, const struct isakmp_proposal *prop,
		     const struct isakmp_transform *t, uint32_t spi_in);
/* Key lengths of a phase-2 SA (encryption incl. GCM salt, integrity). */
size_t sa_p2_enc_key_len(enum ikg_esp_enc enc);
size_t sa_p2_integ_key_len(enum ikg_integ integ);
/* "esp-aes128-sha1-modp2048" style text of our phase-2 proposal. */
void sa_p2_text(const struct cfg_ipsec_profile *p, char *buf, size_t len);

/* ---- lifetime.c ---- */
void life_p1_set(struct ike_engine *e, struct ike_sa *sa, ikg_ms now);
void life_p1_tick(struct ike_engine *e, struct ike_sa *sa, ikg_ms now);
void life_child_set(struct ike_engine *e, struct ike_child_sa *c, ikg_ms now);
void life_child_tick(struct ike_engine *e, struct ike_child_sa *c, ikg_ms now);
/* A new child replaced the one with our SPI old_spi_in: delete the old one. */
void life_child_replaced(struct ike_engine *e, struct ike_sa *sa, uint32_t old_spi_in,
			 ikg_ms now);
/* A new phase-1 SA replacing another is up: delete the old one. */
void life_p1_replaced(struct ike_engine *e, struct ike_sa *sa, ikg_ms now);

#endif
