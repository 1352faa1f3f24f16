/* Test tool: dh_dump GROUP RAND_A_HEX RAND_B_HEX prints both public values and both shared
 * secrets, each side's private value drawn from its hex bytes (repeated cyclically). dh_ref.py
 * recomputes them in Python. */
#include <stdio.h>
#include <stdlib.h>

#include "crypto/dh.h"
#include "hexutil.h"

struct byte_source {
	uint8_t bytes[256];
	size_t len, pos;
};

static void cyclic_rand(void *ctx, void *buf, size_t len)
{
	struct byte_source *s = ctx;
	uint8_t *out = buf;
	for (size_t i = 0; i < len; i++) {
		out[i] = s->bytes[s->pos];
		s->pos = (s->pos + 1) % s->len;
	}
}

static void print_hex(const char *name, const uint8_t *p, size_t len)
{
	printf("%s=", name);
	for (size_t i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct byte_source sa = { 0 }, sb = { 0 };
	long la, lb;
	if (argc != 4 || (la = unhex(argv[2], sa.bytes, sizeof sa.bytes)) <= 0 ||
	    (lb = unhex(argv[3], sb.bytes, sizeof sb.bytes)) <= 0) {
		fprintf(stderr, "usage: dh_dump GROUP RAND_A_HEX RAND_B_HEX\n");
		return 2;
	}
	sa.len = (size_t)la;
	sb.len = (size_t)lb;
	int group = atoi(argv[1]);
	struct ikg_dh *a = ikg_dh_new(group, cyclic_rand, &sa);
	struct ikg_dh *b = ikg_dh_new(group, cyclic_rand, &sb);
	uint8_t kab[IKG_DH_MAX_PUB], kba[IKG_DH_MAX_PUB];
	size_t lab = 0, lba = 0, pl = ikg_dh_pub_len(group);
	int rc = 1;
	if (a && b && ikg_dh_shared(a, ikg_dh_public(b), pl, kab, &lab) == 0 &&
	    ikg_dh_shared(b, ikg_dh_public(a), pl, kba, &lba) == 0) {
		print_hex("pub_a", ikg_dh_public(a), pl);
		print_hex("pub_b", ikg_dh_public(b), pl);
		print_hex("shared_ab", kab, lab);
		print_hex("shared_ba", kba, lba);
		rc = 0;
	} else {
		fprintf(stderr, "dh_dump: group %d failed\n", group);
	}
	ikg_dh_free(a);
	ikg_dh_free(b);
	return rc;
}
