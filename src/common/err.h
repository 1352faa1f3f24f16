/* The one error enum of the core, mapped in one table (err.c) to the ISAKMP notify to send,
 * the event message to log and the gateway counter to bump. */
#ifndef IKG_ERR_H
#define IKG_ERR_H

#include <stdint.h>

#include "log/catalogue.h"

enum ikg_err {
	IKG_OK = 0,
	IKG_E_MALFORMED,       /* lengths, sizes, payload order: PAYLOAD_MALFORMED */
	IKG_E_NO_PROPOSAL,     /* no transform in common: NO_PROPOSAL_CHOSEN */
	IKG_E_AUTH,            /* HASH_I / HASH_R mismatch: AUTHENTICATION_FAILED */
	IKG_E_DECRYPT,         /* encrypted phase-1 message does not decrypt/parse (wrong PSK) */
	IKG_E_NO_PH1_PROFILE,  /* nobody configured for that peer */
	IKG_E_PH2_HASH,        /* quick-mode HASH(1/2/3) mismatch: INVALID_HASH_INFORMATION */
	IKG_E_INVALID_ID,      /* quick-mode IDs not covered by a profile: INVALID_ID_INFORMATION */
	IKG_E_PH1_TIMEOUT,
	IKG_E_PH2_TIMEOUT,
	IKG_E_DNS,
	IKG_E_NO_PH1_PREFS,
	IKG_E_INVALID_COOKIE,  /* unknown SA for a non-initial message: INVALID_COOKIE */
	IKG_E_INVALID_EXCHANGE,/* exchange type we do not speak: INVALID_EXCHANGE_TYPE */
	IKG_E_INVALID_SPI,
	IKG_E_UNSUPPORTED,     /* valid but unsupported (critical payload, DOI, situation) */
	IKG_E_REPLAY,          /* retransmitted/replayed message */
	IKG_E_STATE,           /* message not expected in this state */
	IKG_E_NOMEM,
	IKG_E_CRYPTO,          /* OpenSSL failed */
	IKG_E_LIMIT,           /* half-open / rate / table limit */
	IKG_E__COUNT
};

/* ISAKMP notify message types (RFC 2408 3.14.1) used by the table. */
enum {
	NOTIFY_NONE = 0,
	NOTIFY_INVALID_PAYLOAD_TYPE = 1,
	NOTIFY_DOI_NOT_SUPPORTED = 2,
	NOTIFY_SITUATION_NOT_SUPPORTED = 3,
	NOTIFY_INVALID_COOKIE = 4,
	NOTIFY_INVALID_MAJOR_VERSION = 5,
	NOTIFY_INVALID_EXCHANGE_TYPE = 7,
	NOTIFY_INVALID_FLAGS = 8,
	NOTIFY_INVALID_MESSAGE_ID = 9,
	NOTIFY_INVALID_PROTOCOL_ID = 10,
	NOTIFY_INVALID_SPI = 11,
	NOTIFY_INVALID_TRANSFORM_ID = 12,
	NOTIFY_ATTRIBUTES_NOT_SUPPORTED = 13,
	NOTIFY_NO_PROPOSAL_CHOSEN = 14,
	NOTIFY_BAD_PROPOSAL_SYNTAX = 15,
	NOTIFY_PAYLOAD_MALFORMED = 16,
	NOTIFY_INVALID_KEY_INFORMATION = 17,
	NOTIFY_INVALID_ID_INFORMATION = 18,
	NOTIFY_INVALID_HASH_INFORMATION = 23,
	NOTIFY_AUTHENTICATION_FAILED = 24,
	NOTIFY_INVALID_SIGNATURE = 25,
	NOTIFY_UNEQUAL_PAYLOAD_LENGTHS = 30,
	/* status */
	NOTIFY_CONNECTED = 16384,
	NOTIFY_RESPONDER_LIFETIME = 24576,
	NOTIFY_REPLAY_STATUS = 24577,
	NOTIFY_INITIAL_CONTACT = 24578,
	NOTIFY_DPD_R_U_THERE = 36136,
	NOTIFY_DPD_R_U_THERE_ACK = 36137,
};

/* Gateway-wide counters an error may bump (struct gw_stats indexes). */
enum ikg_counter {
	CNT_NONE = 0,
	CNT_IKE_MALFORMED,
	CNT_IKE_NO_PROPOSAL,
	CNT_IKE_AUTH_FAILED,
	CNT_IKE_NO_PROFILE,
	CNT_IKE_PH2_HASH,
	CNT_IKE_INVALID_ID,
	CNT_IKE_TIMEOUT,
	CNT_IKE_INVALID_COOKIE,
	CNT_IKE_REPLAY,
	CNT_IKE_DROPPED,       /* anything else dropped */
	CNT_IKE_LIMIT,
	CNT__COUNT
};

struct ikg_err_info {
	enum ikg_err err;
	const char *name;     /* "no-proposal" */
	uint16_t notify;      /* notify to send to the peer, NOTIFY_NONE for none */
	enum ikg_msg msg;     /* event to log, MSG_NONE for none */
	enum ikg_counter counter;
};

const struct ikg_err_info *ikg_err_info(enum ikg_err e);
const char *ikg_counter_name(enum ikg_counter c);
const char *ikg_notify_name(uint16_t type);

#endif
