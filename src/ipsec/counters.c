#include "ipsec/counters.h"

#include <stddef.h>

struct rxd_info {
	const char *name;
	const char *text;
};

/* Names from design.md §2; texts in the technote's wording ("Rx discards for IPsec"). */
static const struct rxd_info rxd_table[RXD__COUNT] = {
	[RXD_UNKNOWN_PROTOCOL] = {"unknown-protocol",
				  "Unknown protocol (known ones are: ESP, AH, IP compression mismatch in profile)"},
	[RXD_UNKNOWN_SPI] = {"unknown-spi", "Unknown SPI (no match to existing SA bundles)"},
	[RXD_ESP_AH_ERROR] = {"esp-ah-error", "ESP/AH error"},
	[RXD_SA_MISMATCH] = {"sa-mismatch", "SA mismatch (protocol doesn't match in packet/SA)"},
	[RXD_BAD_SOURCE] = {"bad-source",
			    "Source address didn't match any VPN network remote members ranges"},
	[RXD_BAD_DESTINATION] = {"bad-destination",
				 "Destination address didn't match any VPN network local member ranges"},
};

const char *rx_discard_name(enum rx_discard r)
{
	return (unsigned)r < RXD__COUNT ? rxd_table[r].name : "unknown";
}

const char *rx_discard_text(enum rx_discard r)
{
	return (unsigned)r < RXD__COUNT ? rxd_table[r].text : "Unknown reason";
}
