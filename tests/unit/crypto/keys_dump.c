/* Test tool: keys_dump name=value ... derives every RFC 2409 value with src/ike/keys.c and
 * prints name=hex lines for rfc2409_ref.py to compare against its own implementation.
 * Inputs (hex unless noted): prf=md5|sha1|sha256|sha384|sha512 cipher=des|3des|aes128|aes192|
 * aes256 psk ni nr gxy gxi gxr ckyi ckyr sai idii idir p1last msgid qmrest qni qnr gqm
 * proto=decimal spi keymatlen=decimal. Missing hex inputs are empty. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/keys.h"
#include "hexutil.h"

#define MAX_IN 1024

enum in_id { PSK, NI, NR, GXY, GXI, GXR, CKYI, CKYR, SAI, IDII, IDIR, P1LAST, MSGID, QMREST,
	     QNI, QNR, GQM, SPI, N_IN };

static const char *const in_names[N_IN] = {
	"psk", "ni", "nr", "gxy", "gxi", "gxr", "ckyi", "ckyr", "sai", "idii", "idir", "p1last",
	"msgid", "qmrest", "qni", "qnr", "gqm", "spi",
};

static uint8_t in_buf[N_IN][MAX_IN];
static size_t in_len[N_IN];

static struct ikg_bytes in(enum in_id i)
{
	return (struct ikg_bytes){ in_buf[i], in_len[i] };
}

static int lookup(const char *const *names, size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], v) == 0)
			return (int)i + 1;
	return 0;
}

static void print_hex(const char *name, const uint8_t *p, size_t len)
{
	printf("%s=", name);
	for (size_t i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static int parse_arg(const char *arg, enum ikg_hash *prf, enum ikg_cipher *cipher,
		     unsigned *proto, size_t *keymat_len)
{
	static const char *const hashes[] = { "md5", "sha1", "sha256", "sha384", "sha512" };
	static const char *const ciphers[] = { "des", "3des", "aes128", "aes192", "aes256" };
	const char *eq = strchr(arg, '=');
	if (!eq)
		return -1;
	size_t klen = (size_t)(eq - arg);
	const char *v = eq + 1;
	if (klen == 3 && strncmp(arg, "prf", 3) == 0)
		return (*prf = (enum ikg_hash)lookup(hashes, 5, v)) ? 0 : -1;
	if (klen == 6 && strncmp(arg, "cipher", 6) == 0)
		return (*cipher = (enum ikg_cipher)lookup(ciphers, 5, v)) ? 0 : -1;
	if (klen == 5 && strncmp(arg, "proto", 5) == 0)
		return (*proto = (unsigned)atoi(v)), 0;
	if (klen == 9 && strncmp(arg, "keymatlen", 9) == 0)
		return (*keymat_len = (size_t)atoi(v)), 0;
	for (int i = 0; i < N_IN; i++) {
		if (strlen(in_names[i]) == klen && strncmp(arg, in_names[i], klen) == 0) {
			long n = unhex(v, in_buf[i], MAX_IN);
			if (n < 0)
				return -1;
			in_len[i] = (size_t)n;
			return 0;
		}
	}
	return -1;
}

static int dump(enum ikg_hash prf, enum ikg_cipher cipher, uint8_t proto, size_t keymat_len)
{
	struct ike_keys k;
	uint8_t out[IKG_MAX_HASH], iv[IKG_MAX_BLOCK], keymat[MAX_IN];
	uint32_t msgid = (uint32_t)in_buf[MSGID][0] << 24 | (uint32_t)in_buf[MSGID][1] << 16 |
			 (uint32_t)in_buf[MSGID][2] << 8 | in_buf[MSGID][3];

	if (in_len[CKYI] != 8 || in_len[CKYR] != 8 || in_len[MSGID] != 4 || in_len[SPI] != 4 ||
	    keymat_len > MAX_IN)
		return -1;
	if (ike_keys_derive(&k, prf, cipher, in(PSK), in(NI), in(NR), in(GXY), in(GXI), in(GXR),
			    in_buf[CKYI], in_buf[CKYR]) != 0)
		return -1;
	print_hex("skeyid", k.skeyid, k.hash_len);
	print_hex("skeyid_d", k.skeyid_d, k.hash_len);
	print_hex("skeyid_a", k.skeyid_a, k.hash_len);
	print_hex("skeyid_e", k.skeyid_e, k.hash_len);
	print_hex("enc_key", k.enc_key, k.enc_key_len);
	print_hex("iv", k.iv, k.block_len);
	if (ike_hash_i(&k, in(GXI), in(GXR), in_buf[CKYI], in_buf[CKYR], in(SAI), in(IDII), out))
		return -1;
	print_hex("hash_i", out, k.hash_len);
	if (ike_hash_r(&k, in(GXI), in(GXR), in_buf[CKYI], in_buf[CKYR], in(SAI), in(IDIR), out))
		return -1;
	print_hex("hash_r", out, k.hash_len);
	if (in_len[P1LAST] != k.block_len || ike_iv_for_msgid(&k, in_buf[P1LAST], msgid, iv))
		return -1;
	print_hex("iv_msgid", iv, k.block_len);
	if (ike_qm_hash1(&k, msgid, in(QMREST), out))
		return -1;
	print_hex("qm_hash1", out, k.hash_len);
	if (ike_qm_hash2(&k, msgid, in(QNI), in(QMREST), out))
		return -1;
	print_hex("qm_hash2", out, k.hash_len);
	if (ike_qm_hash3(&k, msgid, in(QNI), in(QNR), out))
		return -1;
	print_hex("qm_hash3", out, k.hash_len);
	struct ikg_bytes none = { NULL, 0 };
	if (ike_keymat(&k, none, proto, in_buf[SPI], in(QNI), in(QNR), keymat, keymat_len))
		return -1;
	print_hex("keymat", keymat, keymat_len);
	if (ike_keymat(&k, in(GQM), proto, in_buf[SPI], in(QNI), in(QNR), keymat, keymat_len))
		return -1;
	print_hex("keymat_pfs", keymat, keymat_len);
	ike_keys_wipe(&k);
	return 0;
}

int main(int argc, char **argv)
{
	enum ikg_hash prf = 0;
	enum ikg_cipher cipher = 0;
	unsigned proto = 3;
	size_t keymat_len = 0;

	for (int i = 1; i < argc; i++) {
		if (parse_arg(argv[i], &prf, &cipher, &proto, &keymat_len) != 0) {
			fprintf(stderr, "keys_dump: bad argument %s\n", argv[i]);
			return 2;
		}
	}
	if (!prf || !cipher || dump(prf, cipher, (uint8_t)proto, keymat_len) != 0) {
		fprintf(stderr, "keys_dump: derivation failed\n");
		return 1;
	}
	return 0;
}
