/* The SAD: 10,000 SAs, lookups, removal (backward shift keeps every other key findable),
 * protocol in the key, discard reasons, iteration. */
#include "ipsec_test.h"

#include <stdlib.h>

enum { N = 10000 };

static uint32_t spi_of(size_t i)
{
	/* Spread like random SPIs, plus runs of neighbours to exercise clustering. */
	return i % 2 ? (uint32_t)(0x10000 + i) : (uint32_t)(i * 2654435761u) | 0x100;
}

static struct ipsec_sa *make_sa(uint32_t spi, uint8_t proto)
{
	static uint64_t rnd = 99;
	struct ipsec_sa_params p;
	if (proto == IKG_PROTO_AH)
		test_params(&p, proto, spi, IKG_ESP_NONE, IKG_INTEG_MD5, 1);
	else
		test_params(&p, proto, spi, IKG_ESP_NULL, IKG_INTEG_MD5, 1);
	struct ipsec_sa *sa = ipsec_sa_new(&p, true, test_random, &rnd);
	assert_non_null(sa);
	return sa;
}

static void test_ten_thousand(void **state)
{
	struct ipsec_sad *sad = ipsec_sad_new(0);
	assert_non_null(sad);
	struct ipsec_sa **sas = calloc(N, sizeof(*sas));
	assert_non_null(sas);
	for (size_t i = 0; i < N; i++) {
		sas[i] = make_sa(spi_of(i), i % 5 == 0 ? IKG_PROTO_AH : IKG_PROTO_ESP);
		assert_int_equal(ipsec_sad_add(sad, sas[i]), 0);
	}
	assert_int_equal(ipsec_sad_count(sad), N);
	for (size_t i = 0; i < N; i++) {
		uint8_t proto = i % 5 == 0 ? IKG_PROTO_AH : IKG_PROTO_ESP;
		assert_ptr_equal(ipsec_sad_lookup(sad, spi_of(i), proto), sas[i]);
		/* Same SPI, other protocol: not the same SA. */
		uint8_t other = proto == IKG_PROTO_AH ? IKG_PROTO_ESP : IKG_PROTO_AH;
		assert_null(ipsec_sad_lookup(sad, spi_of(i), other));
		enum rx_discard why = RXD__COUNT;
		assert_null(ipsec_sad_lookup_rx(sad, spi_of(i), other, &why));
		assert_int_equal(why, RXD_SA_MISMATCH);
	}
	/* Duplicate keys are refused. */
	struct ipsec_sa *dup = make_sa(spi_of(1), IKG_PROTO_ESP);
	assert_int_equal(ipsec_sad_add(sad, dup), -1);
	/* Unknown SPIs. */
	enum rx_discard why = RXD__COUNT;
	assert_null(ipsec_sad_lookup_rx(sad, 0xdeadbeef, IKG_PROTO_ESP, &why));
	assert_int_equal(why, RXD_UNKNOWN_SPI);
	assert_null(ipsec_sad_lookup_rx(sad, spi_of(1), IKG_PROTO_IPCOMP, &why));
	assert_int_equal(why, RXD_UNKNOWN_PROTOCOL);

	/* Remove every third; all others stay findable. */
	for (size_t i = 0; i < N; i += 3) {
		uint8_t proto = i % 5 == 0 ? IKG_PROTO_AH : IKG_PROTO_ESP;
		assert_ptr_equal(ipsec_sad_remove(sad, spi_of(i), proto), sas[i]);
		assert_null(ipsec_sad_remove(sad, spi_of(i), proto));
		ipsec_sa_free(sas[i]);
		sas[i] = NULL;
	}
	size_t left = N - (N + 2) / 3;
	assert_int_equal(ipsec_sad_count(sad), left);
	for (size_t i = 0; i < N; i++) {
		uint8_t proto = i % 5 == 0 ? IKG_PROTO_AH : IKG_PROTO_ESP;
		assert_ptr_equal(ipsec_sad_lookup(sad, spi_of(i), proto), sas[i]);
	}
	/* Now the duplicate's key is free only if it was removed (index 1 was not). */
	assert_int_equal(ipsec_sad_add(sad, dup), -1);
	ipsec_sa_free(dup);

	/* Iteration visits each remaining SA once. */
	size_t iter = 0, seen = 0;
	struct ipsec_sa *sa;
	while ((sa = ipsec_sad_next(sad, &iter)) != NULL) {
		assert_ptr_equal(ipsec_sad_lookup(sad, ipsec_sa_spi(sa), ipsec_sa_protocol(sa)), sa);
		seen++;
	}
	assert_int_equal(seen, left);

	for (size_t i = 0; i < N; i++) {
		if (!sas[i])
			continue;
		assert_ptr_equal(ipsec_sad_remove(sad, ipsec_sa_spi(sas[i]), ipsec_sa_protocol(sas[i])),
				 sas[i]);
		ipsec_sa_free(sas[i]);
	}
	assert_int_equal(ipsec_sad_count(sad), 0);
	iter = 0;
	assert_null(ipsec_sad_next(sad, &iter));
	free(sas);
	ipsec_sad_free(sad);
	(void)state;
}

/* Random add/remove churn against a plain array as the model. */
static void test_churn(void **state)
{
	enum { KEYS = 512 };
	struct ipsec_sad *sad = ipsec_sad_new(0);
	struct ipsec_sa *model[KEYS] = {0};
	srand(5);
	for (int step = 0; step < 20000; step++) {
		size_t k = (size_t)rand() % KEYS;
		uint32_t spi = 0x100 + (uint32_t)k * 64;  /* neighbours collide in the hash */
		if (model[k]) {
			assert_ptr_equal(ipsec_sad_remove(sad, spi, IKG_PROTO_ESP), model[k]);
			ipsec_sa_free(model[k]);
			model[k] = NULL;
		} else {
			model[k] = make_sa(spi, IKG_PROTO_ESP);
			assert_int_equal(ipsec_sad_add(sad, model[k]), 0);
		}
		if (step % 1000 == 0)
			for (size_t j = 0; j < KEYS; j++)
				assert_ptr_equal(ipsec_sad_lookup(sad, 0x100 + (uint32_t)j * 64,
								  IKG_PROTO_ESP),
						 model[j]);
	}
	for (size_t j = 0; j < KEYS; j++)
		ipsec_sa_free(model[j]);
	ipsec_sad_free(sad);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ten_thousand),
		cmocka_unit_test(test_churn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
