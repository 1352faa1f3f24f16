#include "common/algs.h"

#include <string.h>

struct name_map {
	int id;
	const char *name;
};

static const struct name_map ciphers[] = {
	{IKG_CIPHER_DES, "des"},       {IKG_CIPHER_3DES, "3des"},     {IKG_CIPHER_AES128, "aes128"},
	{IKG_CIPHER_AES192, "aes192"}, {IKG_CIPHER_AES256, "aes256"},
};
static const struct name_map hashes[] = {
	{IKG_HASH_MD5, "md5"},       {IKG_HASH_SHA1, "sha1"},     {IKG_HASH_SHA256, "sha256"},
	{IKG_HASH_SHA384, "sha384"}, {IKG_HASH_SHA512, "sha512"},
};
static const struct name_map esp_encs[] = {
	{IKG_ESP_DES, "des"},
	{IKG_ESP_3DES, "3des"},
	{IKG_ESP_AES128, "aes128"},
	{IKG_ESP_AES192, "aes192"},
	{IKG_ESP_AES256, "aes256"},
	{IKG_ESP_AES128GCM16, "aes128gcm16"},
	{IKG_ESP_AES256GCM16, "aes256gcm16"},
	{IKG_ESP_NULL, "null"},
};
static const struct name_map integs[] = {
	{IKG_INTEG_MD5, "md5"},
	{IKG_INTEG_SHA1, "sha1"},
	{IKG_INTEG_SHA256, "sha256"},
	{IKG_INTEG_SHA512, "sha512"},
};
static const struct name_map groups[] = {
	{1, "modp768"},   {2, "modp1024"},  {5, "modp1536"}, {14, "modp2048"},
	{15, "modp3072"}, {16, "modp4096"}, {19, "ecp256"},  {20, "ecp384"},
};

static const char *name_of(const struct name_map *m, size_t n, int id)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].id == id)
			return m[i].name;
	return NULL;
}

static int id_of(const struct name_map *m, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(m[i].name, s) == 0)
			return m[i].id;
	return 0;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *ikg_cipher_name(enum ikg_cipher c) { return name_of(ciphers, N(ciphers), (int)c); }
const char *ikg_hash_name(enum ikg_hash h) { return name_of(hashes, N(hashes), (int)h); }
const char *ikg_esp_enc_name(enum ikg_esp_enc e)
{
	return e == IKG_ESP_NONE ? "none" : name_of(esp_encs, N(esp_encs), (int)e);
}
const char *ikg_integ_name(enum ikg_integ i)
{
	return i == IKG_INTEG_NONE ? "none" : name_of(integs, N(integs), (int)i);
}
enum ikg_cipher ikg_cipher_from_name(const char *s) { return (enum ikg_cipher)id_of(ciphers, N(ciphers), s); }
enum ikg_hash ikg_hash_from_name(const char *s) { return (enum ikg_hash)id_of(hashes, N(hashes), s); }
enum ikg_esp_enc ikg_esp_enc_from_name(const char *s)
{
	return (enum ikg_esp_enc)id_of(esp_encs, N(esp_encs), s);
}
enum ikg_integ ikg_integ_from_name(const char *s) { return (enum ikg_integ)id_of(integs, N(integs), s); }
int ikg_dh_group_supported(int group) { return name_of(groups, N(groups), group) != NULL; }
const char *ikg_dh_group_name(int group)
{
	if (group == 0)
		return "none";
	const char *n = name_of(groups, N(groups), group);
	return n ? n : "unknown";
}
