/* libFuzzer target: the configuration loader (ikg_config_parse over arbitrary text: libconfig
 * syntax, then ikegate's own checks), the lint, the diagnostics formatter, a deep copy and
 * the secret setter. Never crashes, never leaks; a rejected text leaves *out empty and at
 * least one error; an accepted one has no error. */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/lint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	struct ikg_config cfg, copy;
	struct cfg_diags d = {0};
	int rc = ikg_config_parse(text, "fuzz.conf", &cfg, &d);
	if (rc == 0) {
		if (cfg_diags_errors(&d) != 0)
			abort();
		ikg_config_lint(&cfg, &d);
		if (cfg.n_ike)
			ikg_config_set_secret(&cfg, cfg.ike[0].name, "new secret", 10);
		if (ikg_config_copy(&copy, &cfg) == 0) {
			if (copy.n_ike != cfg.n_ike || copy.n_ipsec != cfg.n_ipsec ||
			    copy.n_filters != cfg.n_filters)
				abort();
			for (size_t i = 0; i < cfg.n_ipsec; i++)
				if (ikg_config_ipsec(&copy, cfg.ipsec[i].name) == NULL)
					abort();
			ikg_config_free(&copy);
		}
		ikg_config_free(&cfg);
	} else if (rc != -1 || cfg_diags_errors(&d) == 0) {
		abort();
	}
	char *msg = cfg_diags_format(&d, "fuzz.conf");
	free(msg);
	cfg_diags_free(&d);
	free(text);
	return 0;
}
