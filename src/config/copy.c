/* Life cycle of a loaded configuration: deep copy, free (secrets wiped), secrets, lookups. */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

static void *dup_array(const void *src, size_t n, size_t size)
{
	if (!src || n == 0)
		return NULL;
	void *d = malloc(n * size);
	if (d)
		memcpy(d, src, n * size);
	return d;
}

void ikg_config_free(struct ikg_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; c->ike && i < c->n_ike; i++)
		ikg_secret_wipe(&c->ike[i].secret);
	free(c->ike);
	free(c->ipsec);
	free(c->filters);
	memset(c, 0, sizeof(*c));
}

int ikg_config_copy(struct ikg_config *dst, const struct ikg_config *src)
{
	*dst = *src;
	dst->ike = dup_array(src->ike, src->n_ike, sizeof(*src->ike));
	dst->ipsec = dup_array(src->ipsec, src->n_ipsec, sizeof(*src->ipsec));
	dst->filters = dup_array(src->filters, src->n_filters, sizeof(*src->filters));
	bool failed = (src->n_ike && !dst->ike) || (src->n_ipsec && !dst->ipsec) ||
		      (src->n_filters && !dst->filters);
	/* The struct copy shared the secret buffers: give dst its own. */
	for (size_t i = 0; dst->ike && i < dst->n_ike; i++)
		dst->ike[i].secret = (struct ikg_secret){NULL, 0};
	for (size_t i = 0; !failed && i < dst->n_ike; i++)
		failed = ikg_secret_copy(&dst->ike[i].secret, &src->ike[i].secret) != 0;
	if (failed) {
		if (!dst->ike)
			dst->n_ike = 0;
		ikg_config_free(dst);
		return -1;
	}
	return 0;
}

static struct cfg_ike_profile *find_ike(const struct ikg_config *c, const char *name)
{
	for (size_t i = 0; c && name && i < c->n_ike; i++)
		if (strcmp(c->ike[i].name, name) == 0)
			return &c->ike[i];
	return NULL;
}

const struct cfg_ike_profile *ikg_config_ike(const struct ikg_config *c, const char *name)
{
	return find_ike(c, name);
}

const struct cfg_ipsec_profile *ikg_config_ipsec(const struct ikg_config *c, const char *name)
{
	for (size_t i = 0; c && name && i < c->n_ipsec; i++)
		if (strcmp(c->ipsec[i].name, name) == 0)
			return &c->ipsec[i];
	return NULL;
}

const struct cfg_filter_set *ikg_config_filter_set(const struct ikg_config *c, const char *name)
{
	for (size_t i = 0; c && name && i < c->n_filters; i++)
		if (strcmp(c->filters[i].name, name) == 0)
			return &c->filters[i];
	return NULL;
}

int ikg_config_set_secret(struct ikg_config *c, const char *ike_profile, const void *p, size_t len)
{
	struct cfg_ike_profile *ike = find_ike(c, ike_profile);
	if (!ike || (!p && len))
		return -1;
	return ikg_secret_set(&ike->secret, p, len);
}
