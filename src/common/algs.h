/* Algorithm identifiers shared by config, crypto, IKE and IPsec. The numeric values are ours;
 * wire codes are mapped in ike/sa_payload.c and ipsec/. */
#ifndef IKG_ALGS_H
#define IKG_ALGS_H

enum ikg_cipher {            /* phase-1 (IKE) encryption, CBC mode */
	IKG_CIPHER_DES = 1,
	IKG_CIPHER_3DES,
	IKG_CIPHER_AES128,
	IKG_CIPHER_AES192,
	IKG_CIPHER_AES256,
};

enum ikg_hash {              /* phase-1 hash and PRF (HMAC) */
	IKG_HASH_MD5 = 1,
	IKG_HASH_SHA1,
	IKG_HASH_SHA256,
	IKG_HASH_SHA384,
	IKG_HASH_SHA512,
};

enum ikg_esp_enc {           /* phase-2 ESP encryption */
	IKG_ESP_NONE = 0,        /* AH: no encryption */
	IKG_ESP_DES,
	IKG_ESP_3DES,
	IKG_ESP_AES128,
	IKG_ESP_AES192,
	IKG_ESP_AES256,
	IKG_ESP_AES128GCM16,
	IKG_ESP_AES256GCM16,
	IKG_ESP_NULL,
};

enum ikg_integ {             /* phase-2 integrity (ESP auth / AH) */
	IKG_INTEG_NONE = 0,      /* GCM */
	IKG_INTEG_MD5,           /* HMAC-MD5-96 */
	IKG_INTEG_SHA1,          /* HMAC-SHA1-96 */
	IKG_INTEG_SHA256,        /* HMAC-SHA2-256-128 */
	IKG_INTEG_SHA512,        /* HMAC-SHA2-512-256 */
};

#define IKG_PROTO_ESP 50
#define IKG_PROTO_AH 51
#define IKG_PROTO_IPCOMP 108

/* Names as in the configuration file ("aes128", "sha256", "aes128gcm16"); NULL if invalid. */
const char *ikg_cipher_name(enum ikg_cipher c);
const char *ikg_hash_name(enum ikg_hash h);
const char *ikg_esp_enc_name(enum ikg_esp_enc e);
const char *ikg_integ_name(enum ikg_integ i);
/* Reverse lookups: 0 if the name is unknown. */
enum ikg_cipher ikg_cipher_from_name(const char *s);
enum ikg_hash ikg_hash_from_name(const char *s);
/* "none" is never accepted here (returns IKG_ESP_NONE for unknown). */
enum ikg_esp_enc ikg_esp_enc_from_name(const char *s);
enum ikg_integ ikg_integ_from_name(const char *s);
/* DH groups we implement: 1 2 5 14 15 16 (MODP) 19 20 (ECP). */
int ikg_dh_group_supported(int group);
const char *ikg_dh_group_name(int group);   /* "modp1024", "ecp256", ... or "none" for 0 */

#endif
