/* Fuzzing only (compiled with -DIKG_IKE_FUZZ_HOOKS by fuzz/meson.build): lets a fuzz target
 * wrap arbitrary payload chains into correctly protected messages of an established SA, so the
 * handlers behind the HASH checks see arbitrary decrypted input. Not part of the engine API. */
#include "ike/exchange.h"

#ifdef IKG_IKE_FUZZ_HOOKS

size_t ike_fuzz_protected(struct ike_engine *e, uint8_t exchange, uint32_t msgid, uint8_t first_np,
			  const uint8_t *body, size_t len, uint8_t *out, size_t cap);

size_t ike_fuzz_protected(struct ike_engine *e, uint8_t exchange, uint32_t msgid, uint8_t first_np,
			  const uint8_t *body, size_t len, uint8_t *out, size_t cap)
{
	struct ike_sa *sa = NULL;
	struct isakmp_builder b;
	struct isakmp_hdr h;
	uint8_t iv[IKG_MAX_BLOCK];

	for (struct ike_sa *s = e->sas; s; s = s->next)
		if (!s->dead && s->state == P1_ESTABLISHED)
			sa = s;
	if (!sa || msgid == 0 || ike_iv_for_msgid(&sa->keys, sa->p1_last, msgid, iv) != 0)
		return 0;
	msg_hdr(&h, sa, exchange, msgid, ISAKMP_FLAG_ENC);
	isakmp_build_start(&b, out, cap, &h);
	size_t hash_at = msg_put_hash_placeholder(&b, sa->keys.hash_len);
	size_t np_at = b.last_np_at;
	wr_bytes(&b.w, body, len);
	size_t n = isakmp_build_finish(&b);
	if (!n)
		return 0;
	out[np_at] = first_np;
	size_t hl = sa->keys.hash_len;
	if (ike_qm_hash1(&sa->keys, msgid, (struct ikg_bytes){out + hash_at + hl, n - hash_at - hl},
			 out + hash_at) != 0)
		return 0;
	return msg_encrypt(&sa->keys, iv, out, n, cap);
}

#else
typedef int ike_fuzz_hooks_unused;
#endif
