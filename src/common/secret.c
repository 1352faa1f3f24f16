#include "common/secret.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

void ikg_wipe(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}

void ikg_secret_wipe(struct ikg_secret *s)
{
	if (s->p) {
		ikg_wipe(s->p, s->len);
		free(s->p);
	}
	s->p = NULL;
	s->len = 0;
}

int ikg_secret_set(struct ikg_secret *s, const void *p, size_t len)
{
	uint8_t *n = malloc(len ? len : 1);
	if (!n)
		return -1;
	if (len)
		memcpy(n, p, len);
	ikg_secret_wipe(s);
	s->p = n;
	s->len = len;
	return 0;
}

int ikg_secret_copy(struct ikg_secret *dst, const struct ikg_secret *src)
{
	if (!src->p) {
		ikg_secret_wipe(dst);
		return 0;
	}
	return ikg_secret_set(dst, src->p, src->len);
}
