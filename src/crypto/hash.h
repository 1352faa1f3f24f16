/* Hashes and HMAC (the IKEv1 PRF) over scatter lists. */
#ifndef IKG_HASH_H
#define IKG_HASH_H

#include "common/algs.h"
#include "common/types.h"

#define IKG_MAX_HASH 64

size_t ikg_hash_len(enum ikg_hash h);             /* 16, 20, 32, 48, 64; 0 if unknown */
/* out gets ikg_hash_len(h) bytes. parts: n slices hashed in order. 0 or -1. */
int ikg_digest(enum ikg_hash h, const struct ikg_bytes *parts, size_t n, uint8_t *out);
int ikg_hmac(enum ikg_hash h, const uint8_t *key, size_t key_len, const struct ikg_bytes *parts,
	     size_t n, uint8_t *out);

#endif
