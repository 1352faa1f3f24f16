/* ESP / AH header parsing and RFC 3948 UDP-4500 demultiplexing. */
#include "wire/esp.h"

#include "wire/buf.h"

int esp_parse(const uint8_t *p, size_t len, struct esp_view *v)
{
	struct rd r = rd_init(p, len);

	if (rd_u32(&r, &v->spi) < 0 || rd_u32(&r, &v->seq) < 0 || v->spi == 0)
		return -1;
	v->body = r.p;
	v->body_len = r.len;
	return 0;
}

int ah_parse(const uint8_t *p, size_t len, struct ah_view *v)
{
	struct rd r = rd_init(p, len);
	uint8_t plen;
	uint16_t reserved;

	if (rd_u8(&r, &v->next_header) < 0 || rd_u8(&r, &plen) < 0 ||
	    rd_u16(&r, &reserved) < 0 || rd_u32(&r, &v->spi) < 0 || rd_u32(&r, &v->seq) < 0)
		return -1;
	v->hdr_len = ((size_t)plen + 2) * 4;
	if (v->spi == 0 || v->hdr_len < AH_FIXED_LEN || v->hdr_len > len)
		return -1;
	v->icv_len = v->hdr_len - AH_FIXED_LEN;
	if (rd_bytes(&r, v->icv_len, &v->icv) < 0)
		return -1;
	v->payload = r.p;
	v->payload_len = r.len;
	return 0;
}

enum udp4500_kind udp4500_classify(const uint8_t *p, size_t len, size_t *off)
{
	struct rd r = rd_init(p, len);
	uint32_t first;

	*off = 0;
	if (len == 1 && p[0] == NATT_KEEPALIVE_BYTE)
		return U4500_KEEPALIVE;
	if (rd_u32(&r, &first) < 0)
		return U4500_BAD;
	if (first == 0) {
		*off = NON_ESP_MARKER_LEN;
		return U4500_IKE;
	}
	if (len < ESP_HDR_LEN)
		return U4500_BAD;
	return U4500_ESP;
}
