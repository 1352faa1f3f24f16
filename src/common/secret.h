/* Secrets (pre-shared keys, keying material): heap copies that are wiped when freed. */
#ifndef IKG_SECRET_H
#define IKG_SECRET_H

#include "common/types.h"

struct ikg_secret {
	uint8_t *p;
	size_t len;
};

/* 0 on success, -1 on allocation failure. Replaces (and wipes) any previous value. */
int ikg_secret_set(struct ikg_secret *s, const void *p, size_t len);
int ikg_secret_copy(struct ikg_secret *dst, const struct ikg_secret *src);
void ikg_secret_wipe(struct ikg_secret *s);
/* Wipes any memory (OPENSSL_cleanse underneath; never optimised away). */
void ikg_wipe(void *p, size_t len);

#endif
