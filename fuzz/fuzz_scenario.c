/* libFuzzer target: the lab scenario parser (scenario_parse over arbitrary text, including the
 * embedded gateway configurations it hands to the configuration loader). Never crashes, never
 * leaks; a refusal always carries a "FILE:LINE: error:" message; an accepted scenario has at
 * least one gateway and its steps in time order. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lab/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct scenario *sc;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	if (size > 65536)
		return 0;
	if (!sc && !(sc = malloc(sizeof(*sc))))
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	err[0] = '\0';
	if (scenario_parse(text, "fuzz.lab", sc, err, sizeof(err)) == 0) {
		if (sc->n_gws == 0 || sc->n_gws > LAB_MAX_NODES || sc->n_steps > LAB_MAX_STEPS)
			abort();
		for (size_t i = 1; i < sc->n_steps; i++)
			if (sc->steps[i].at < sc->steps[i - 1].at)
				abort();
		scenario_free(sc);
	} else if (strncmp(err, "fuzz.lab:", 9) != 0 || !strstr(err, "error:")) {
		abort();
	}
	free(text);
	return 0;
}
