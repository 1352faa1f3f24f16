/* ESP (RFC 4303), AH (RFC 4302), IPComp (RFC 3173) and ESP-in-UDP (RFC 3948) framing: the
 * parsing of untrusted bytes for the data plane. Crypto is in ipsec/. */
#ifndef IKG_ESP_H
#define IKG_ESP_H

#include "common/types.h"

#define ESP_HDR_LEN 8
#define AH_FIXED_LEN 12
#define NON_ESP_MARKER_LEN 4
#define NATT_KEEPALIVE_BYTE 0xff

struct esp_view {
	uint32_t spi, seq;
	const uint8_t *body;   /* IV | ciphertext | pad | pad len | next hdr | ICV */
	size_t body_len;
};
/* p/len: the ESP packet (IPv4 payload, or UDP payload after RFC 3948 demux). Needs >= 8 bytes
 * and SPI != 0. 0 or -1. */
int esp_parse(const uint8_t *p, size_t len, struct esp_view *v);

struct ah_view {
	uint8_t next_header;
	size_t hdr_len;        /* (payload len field + 2) * 4, checked within len */
	uint32_t spi, seq;
	const uint8_t *icv;    /* hdr_len - 12 bytes */
	size_t icv_len;
	const uint8_t *payload;/* after the AH header */
	size_t payload_len;
};
int ah_parse(const uint8_t *p, size_t len, struct ah_view *v);

/* RFC 3948 demux of a UDP 4500 payload. */
enum udp4500_kind { U4500_KEEPALIVE, U4500_IKE, U4500_ESP, U4500_BAD };
/* For U4500_IKE, *off is 4 (skip the non-ESP marker); for ESP 0. */
enum udp4500_kind udp4500_classify(const uint8_t *p, size_t len, size_t *off);

#endif
