/* Block ciphers in CBC mode for IKE (OpenSSL EVP underneath). */
#ifndef IKG_CIPHER_H
#define IKG_CIPHER_H

#include "common/algs.h"
#include "common/types.h"

#define IKG_MAX_BLOCK 16
#define IKG_MAX_CIPHER_KEY 32

/* Loads OpenSSL's legacy provider (single DES lives there) next to the default one, once per
 * process; the IKE ciphers and the ESP data plane both call it. 0, or -1 when it is missing. */
int ikg_crypto_load_legacy(void);

size_t ikg_cipher_block_len(enum ikg_cipher c);  /* 8 for DES/3DES, 16 for AES; 0 if unknown */
size_t ikg_cipher_key_len(enum ikg_cipher c);    /* 8, 24, 16, 24, 32 */
/* In-place CBC over len bytes (a multiple of the block length, no padding added or removed).
 * iv is updated to the last ciphertext block (the IKEv1 IV chaining rule). 0 or -1. */
int ikg_cbc_encrypt(enum ikg_cipher c, const uint8_t *key, uint8_t *iv, uint8_t *buf, size_t len);
int ikg_cbc_decrypt(enum ikg_cipher c, const uint8_t *key, uint8_t *iv, uint8_t *buf, size_t len);

#endif
