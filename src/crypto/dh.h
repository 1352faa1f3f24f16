/* Diffie-Hellman for IKEv1: MODP groups 1, 2, 5, 14, 15, 16 (RFC 2409, 3526) and ECP groups
 * 19, 20 (RFC 5903; public value x|y). The private value comes from the caller's random
 * function so the lab is deterministic. The peer's public value is range-checked
 * (1 < y < p-1 for MODP; on-curve for ECP). */
#ifndef IKG_DH_H
#define IKG_DH_H

#include "common/types.h"

#define IKG_DH_MAX_PUB 512      /* modp4096 */

typedef void (*ikg_rand_fn)(void *ctx, void *buf, size_t len);

struct ikg_dh;
/* NULL for an unsupported group or allocation failure. */
struct ikg_dh *ikg_dh_new(int group, ikg_rand_fn rnd, void *rnd_ctx);
void ikg_dh_free(struct ikg_dh *dh);              /* wipes the private value */
size_t ikg_dh_pub_len(int group);                  /* KE payload length; 0 if unsupported */
/* Our public value, ikg_dh_pub_len bytes, big-endian, left-padded with zeros. */
const uint8_t *ikg_dh_public(const struct ikg_dh *dh);
/* Shared secret g^xy into out (ikg_dh_pub_len bytes for MODP, left-padded; 32/48 = x for ECP).
 * *out_len set. -1 when the peer value has the wrong size or fails the range check. */
int ikg_dh_shared(struct ikg_dh *dh, const uint8_t *peer, size_t peer_len, uint8_t *out,
		  size_t *out_len);

#endif
