/* ISAKMP (RFC 2408) / IKEv1 (RFC 2409, 2407, 3947) codec. Parsers take untrusted bytes and fill
 * structs whose slices point into the input buffer; every length is checked against the bytes
 * that exist and against the payload's own minimum / exact size. Builders write into a struct wr. */
#ifndef IKG_ISAKMP_H
#define IKG_ISAKMP_H

#include "common/types.h"
#include "wire/buf.h"

#define ISAKMP_HDR_LEN 28
#define ISAKMP_GENERIC_LEN 4
#define ISAKMP_MAX_PAYLOADS 32
#define ISAKMP_MAX_PROPOSALS 8
#define ISAKMP_MAX_TRANSFORMS 16
#define ISAKMP_MAX_ATTRS 16
#define ISAKMP_MAX_MSG 8192          /* we drop anything larger */
#define ISAKMP_COOKIE_LEN 8

/* payload types */
enum {
	PL_NONE = 0, PL_SA = 1, PL_P = 2, PL_T = 3, PL_KE = 4, PL_ID = 5, PL_CERT = 6, PL_CR = 7,
	PL_HASH = 8, PL_SIG = 9, PL_NONCE = 10, PL_N = 11, PL_D = 12, PL_VID = 13,
	PL_NATD = 20, PL_NATOA = 21,             /* RFC 3947 */
	PL_NATD_DRAFT = 130, PL_NATOA_DRAFT = 131,
};
/* exchange types */
enum { EXCH_BASE = 1, EXCH_IDPROT = 2, EXCH_AUTH_ONLY = 3, EXCH_AGGRESSIVE = 4, EXCH_INFO = 5,
       EXCH_QUICK = 32 };
/* header flags */
enum { ISAKMP_FLAG_ENC = 1, ISAKMP_FLAG_COMMIT = 2, ISAKMP_FLAG_AUTH_ONLY = 4 };
/* protocol ids (RFC 2407 4.4.1) */
enum { PROTO_ISAKMP = 1, PROTO_IPSEC_AH = 2, PROTO_IPSEC_ESP = 3, PROTO_IPCOMP = 4 };
/* ID types (RFC 2407 4.6.2.1) */
enum { ID_IPV4_ADDR = 1, ID_FQDN = 2, ID_USER_FQDN = 3, ID_IPV4_ADDR_SUBNET = 4,
       ID_IPV6_ADDR = 5, ID_IPV6_ADDR_SUBNET = 6, ID_IPV4_ADDR_RANGE = 7, ID_KEY_ID = 11 };

struct isakmp_hdr {
	uint8_t icookie[ISAKMP_COOKIE_LEN];
	uint8_t rcookie[ISAKMP_COOKIE_LEN];
	uint8_t next_payload;
	uint8_t version;     /* 0x10 for IKEv1 */
	uint8_t exchange;
	uint8_t flags;
	uint32_t msgid;
	uint32_t length;     /* as stated in the header, checked == datagram length */
};

/* One payload of the chain: its type and its body (after the 4-byte generic header). */
struct isakmp_payload {
	uint8_t type;
	struct ikg_bytes body;
	struct ikg_bytes whole;  /* including the generic header (HASH computations need SA body) */
};

struct isakmp_chain {
	struct isakmp_payload pl[ISAKMP_MAX_PAYLOADS];
	size_t n;
};

/* Parses the fixed header. Checks version major 1, length >= 28, length == len (the datagram),
 * length <= ISAKMP_MAX_MSG. 0 or -1. */
int isakmp_parse_hdr(const uint8_t *p, size_t len, struct isakmp_hdr *h);
/* Walks the payload chain starting with type `first` over body bytes (after the header,
 * decrypted if it was encrypted). Trailing bytes after the last payload are allowed only when
 * allow_padding (decrypted CBC padding), else they are an error. Reserved bytes are ignored.
 * Fails on more than ISAKMP_MAX_PAYLOADS, on a payload length < 4 or beyond the end. */
int isakmp_parse_chain(uint8_t first, const uint8_t *p, size_t len, bool allow_padding,
		       struct isakmp_chain *out);
/* First payload of that type in the chain, or NULL. */
const struct isakmp_payload *isakmp_find(const struct isakmp_chain *c, uint8_t type);
size_t isakmp_count(const struct isakmp_chain *c, uint8_t type);

/* ---- SA payload ---- */
struct isakmp_attr {
	uint16_t type;           /* without the AF bit */
	bool tv;                 /* basic (TV) form */
	uint16_t value;          /* when tv */
	struct ikg_bytes lv;     /* when !tv (TLV) */
};
struct isakmp_transform {
	uint8_t number, id;
	struct isakmp_attr attrs[ISAKMP_MAX_ATTRS];
	size_t n_attrs;
};
struct isakmp_proposal {
	uint8_t number, protocol;
	struct ikg_bytes spi;    /* 0 bytes for phase 1, 4 for ESP/AH, 2 allowed for IPCOMP */
	struct isakmp_transform transforms[ISAKMP_MAX_TRANSFORMS];
	size_t n_transforms;
};
struct isakmp_sa {
	uint32_t doi;            /* 1 = IPsec DOI */
	uint32_t situation;      /* 1 = SIT_IDENTITY_ONLY */
	struct isakmp_proposal proposals[ISAKMP_MAX_PROPOSALS];
	size_t n_proposals;
};
/* Body of an SA payload. Checks proposal/transform payload types and counts, lengths. */
int isakmp_parse_sa(struct ikg_bytes body, struct isakmp_sa *sa);
/* Attribute value as an integer (TV value, or TLV of 1..4 bytes big-endian); -1 if not. */
int isakmp_attr_int(const struct isakmp_attr *a, uint32_t *v);

/* ---- other payloads ---- */
struct isakmp_id {
	uint8_t type, protocol;
	uint16_t port;
	struct ikg_bytes data;   /* 4 bytes IPV4_ADDR, 8 SUBNET/RANGE, any for FQDN/KEY_ID */
	struct ikg_bytes body;   /* the whole body: HASH_I/R and quick-mode hashes use it */
};
int isakmp_parse_id(struct ikg_bytes body, struct isakmp_id *id);

struct isakmp_notify {
	uint32_t doi;
	uint8_t protocol;
	uint16_t type;
	struct ikg_bytes spi;
	struct ikg_bytes data;
};
int isakmp_parse_notify(struct ikg_bytes body, struct isakmp_notify *n);

struct isakmp_delete {
	uint32_t doi;
	uint8_t protocol;
	uint8_t spi_size;
	uint16_t n_spis;
	struct ikg_bytes spis;   /* n_spis * spi_size bytes, checked */
};
int isakmp_parse_delete(struct ikg_bytes body, struct isakmp_delete *d);
/* KE, NONCE, HASH, VID, NAT-D bodies are opaque slices; these check sizes:
 * KE: 1..1024 bytes; NONCE: 8..256 (RFC 2409 5); HASH and NAT-D: 16..64. */
int isakmp_check_ke(struct ikg_bytes body);
int isakmp_check_nonce(struct ikg_bytes body);
int isakmp_check_hash(struct ikg_bytes body);

/* ---- builders ----
 * A message is built as: isakmp_put_hdr, then payloads through isakmp_begin/isakmp_end, which
 * keep the chain's "next payload" fields right, then isakmp_finish which patches the length. */
struct isakmp_builder {
	struct wr w;
	size_t last_np_at;       /* offset of the "next payload" byte to patch */
	size_t payload_at;       /* start of the open payload */
};
void isakmp_build_start(struct isakmp_builder *b, uint8_t *buf, size_t cap,
			const struct isakmp_hdr *h);
/* Opens a payload of `type`: writes the generic header and links it into the chain. */
void isakmp_begin(struct isakmp_builder *b, uint8_t type);
void isakmp_end(struct isakmp_builder *b);            /* patches the payload length */
/* Convenience: a payload whose body is the given bytes. */
void isakmp_put_raw(struct isakmp_builder *b, uint8_t type, const void *body, size_t len);
/* Writes the total length into the header; returns the message length, or 0 on overflow. */
size_t isakmp_build_finish(struct isakmp_builder *b);

void isakmp_put_attr_tv(struct wr *w, uint16_t type, uint16_t value);
void isakmp_put_attr_tlv(struct wr *w, uint16_t type, const void *p, size_t len);

/* Writes an SA payload body from the struct (proposal and transform payloads inside). */
void isakmp_put_sa(struct isakmp_builder *b, const struct isakmp_sa *sa);
void isakmp_put_id(struct isakmp_builder *b, uint8_t type, uint8_t proto, uint16_t port,
		   const void *data, size_t len);
void isakmp_put_notify(struct isakmp_builder *b, uint32_t doi, uint8_t proto, uint16_t type,
		       const void *spi, size_t spi_len, const void *data, size_t data_len);
void isakmp_put_delete(struct isakmp_builder *b, uint8_t proto, uint8_t spi_size,
		       const void *spis, uint16_t n_spis);

const char *isakmp_payload_name(uint8_t type);
const char *isakmp_exchange_name(uint8_t type);

#endif
