/* The direct transport's crypto framing (see direct.h): HKDF-SHA256 for
 * the keys on OpenSSL's EVP, ChaCha20-Poly1305 for the records on
 * libsodium. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <sodium.h>

#include "direct.h"

static const uint8_t MAGIC[4] = {'T', 'L', 'Y', 'D'};
#define INFO_ID "telly direct v1 id"
#define INFO_C2S "telly direct v1 desk to host"
#define INFO_S2C "telly direct v1 host to desk"

/* libsodium picks its fastest code for this CPU once (it can fail only
 * without a source of randomness, which telly needs for its salts anyway). */
static int sodium_ready(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

int rp_dx_hkdf(const uint8_t *salt, size_t saltn, const uint8_t *ikm, size_t ikmn,
	       const uint8_t *info, size_t infon, uint8_t *out, size_t outn)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	static const uint8_t none[1];
	size_t len = outn;
	int ok;

	if (!pc)
		return -EIO;
	/* An empty salt is HKDF's "no salt" (RFC 5869: a string of zeros). */
	ok = EVP_PKEY_derive_init(pc) > 0 && EVP_PKEY_CTX_set_hkdf_md(pc, EVP_sha256()) > 0 &&
	     EVP_PKEY_CTX_set1_hkdf_salt(pc, saltn ? salt : none, (int)saltn) > 0 &&
	     EVP_PKEY_CTX_set1_hkdf_key(pc, ikm, (int)ikmn) > 0 &&
	     EVP_PKEY_CTX_add1_hkdf_info(pc, infon ? info : none, (int)infon) > 0 &&
	     EVP_PKEY_derive(pc, out, &len) > 0 && len == outn;
	EVP_PKEY_CTX_free(pc);
	return ok ? 0 : -EIO;
}

int rp_dx_id(const uint8_t secret[RP_DX_SECRET_BYTES], uint8_t id[RP_DX_ID_BYTES])
{
	return rp_dx_hkdf(NULL, 0, secret, RP_DX_SECRET_BYTES, (const uint8_t *)INFO_ID,
			  strlen(INFO_ID), id, RP_DX_ID_BYTES);
}

int rp_dx_keys(const uint8_t secret[RP_DX_SECRET_BYTES], const uint8_t csalt[RP_DX_SALT_BYTES],
	       const uint8_t ssalt[RP_DX_SALT_BYTES], bool server, struct rp_dx_dir *send,
	       struct rp_dx_dir *recv)
{
	uint8_t salt[2 * RP_DX_SALT_BYTES];
	struct rp_dx_dir *c2s = server ? recv : send, *s2c = server ? send : recv;
	int r = sodium_ready();

	c2s->seq = s2c->seq = 0;
	if (r < 0)
		return r;
	memcpy(salt, csalt, RP_DX_SALT_BYTES);
	memcpy(salt + RP_DX_SALT_BYTES, ssalt, RP_DX_SALT_BYTES);
	r = rp_dx_hkdf(salt, sizeof salt, secret, RP_DX_SECRET_BYTES, (const uint8_t *)INFO_C2S,
		       strlen(INFO_C2S), c2s->key, RP_DX_KEY_BYTES);
	if (r == 0)
		r = rp_dx_hkdf(salt, sizeof salt, secret, RP_DX_SECRET_BYTES,
			       (const uint8_t *)INFO_S2C, strlen(INFO_S2C), s2c->key,
			       RP_DX_KEY_BYTES);
	return r;
}

void rp_dx_dir_finish(struct rp_dx_dir *d)
{
	explicit_bzero(d, sizeof *d);
}

/* ChaCha20-Poly1305 of RFC 8439 (libsodium's "IETF" construction: the same
 * bytes OpenSSL's EVP_chacha20_poly1305 makes). libsodium, not OpenSSL,
 * since a record sealed or opened after a typist's pause (its code cold)
 * took 25-35 us through EVP's provider layer, 10-14 us here, and a key
 * crosses four of them on its way from the desk to the host and back. */
static int aead(bool seal, const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad,
		size_t aadn, const uint8_t *in, size_t n, uint8_t *out)
{
	unsigned long long len;

	if (seal)
		return crypto_aead_chacha20poly1305_ietf_encrypt(out, &len, in, n, aad, aadn, NULL,
								 nonce, key) == 0
			       ? 0
			       : -EIO;
	return crypto_aead_chacha20poly1305_ietf_decrypt(out, &len, NULL, in, n + RP_DX_TAG_BYTES,
							 aad, aadn, nonce, key) == 0
		       ? 0
		       : -EBADMSG;
}

int rp_dx_aead_seal(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad,
		    size_t aadn, const uint8_t *in, size_t n, uint8_t *out)
{
	if (sodium_ready() < 0)
		return -EIO;
	return aead(true, key, nonce, aad, aadn, in, n, out);
}

int rp_dx_aead_open(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad,
		    size_t aadn, const uint8_t *in, size_t n, uint8_t *out)
{
	if (sodium_ready() < 0)
		return -EIO;
	return aead(false, key, nonce, aad, aadn, in, n, out);
}

void rp_dx_hello_encode(uint8_t out[RP_DX_HELLO_BYTES], const uint8_t id[RP_DX_ID_BYTES],
			const uint8_t csalt[RP_DX_SALT_BYTES])
{
	memcpy(out, MAGIC, 4);
	out[4] = RP_DX_VERSION;
	memcpy(out + 5, id, RP_DX_ID_BYTES);
	memcpy(out + 5 + RP_DX_ID_BYTES, csalt, RP_DX_SALT_BYTES);
}

int rp_dx_hello_decode(const uint8_t in[RP_DX_HELLO_BYTES], uint8_t id[RP_DX_ID_BYTES],
		       uint8_t csalt[RP_DX_SALT_BYTES])
{
	if (memcmp(in, MAGIC, 4))
		return -EPROTO;
	if (in[4] != RP_DX_VERSION)
		return -EPROTONOSUPPORT;
	memcpy(id, in + 5, RP_DX_ID_BYTES);
	memcpy(csalt, in + 5 + RP_DX_ID_BYTES, RP_DX_SALT_BYTES);
	return 0;
}

size_t rp_dx_answer_encode(uint8_t out[RP_DX_ANSWER_MAX_BYTES], uint8_t status,
			   const uint8_t ssalt[RP_DX_SALT_BYTES], const char *why)
{
	size_t n;

	memcpy(out, MAGIC, 4);
	out[4] = RP_DX_VERSION;
	out[5] = status;
	if (status == RP_DX_OK) {
		memcpy(out + RP_DX_ANSWER_HEAD_BYTES, ssalt, RP_DX_SALT_BYTES);
		return RP_DX_ANSWER_HEAD_BYTES + RP_DX_SALT_BYTES;
	}
	n = why ? strlen(why) : 0;
	if (n > RP_DX_WHY_MAX_BYTES)
		n = RP_DX_WHY_MAX_BYTES;
	out[RP_DX_ANSWER_HEAD_BYTES] = (uint8_t)n;
	memcpy(out + RP_DX_ANSWER_HEAD_BYTES + 1, why, n);
	return RP_DX_ANSWER_HEAD_BYTES + 1 + n;
}

long rp_dx_answer_len(const uint8_t *in, size_t n)
{
	if (n < RP_DX_ANSWER_HEAD_BYTES || memcmp(in, MAGIC, 4))
		return -EPROTO;
	if (in[5] == RP_DX_OK)
		return RP_DX_ANSWER_HEAD_BYTES + RP_DX_SALT_BYTES;
	if (n < RP_DX_ANSWER_HEAD_BYTES + 1)
		return RP_DX_ANSWER_HEAD_BYTES + 1; /* the length byte first */
	if (in[RP_DX_ANSWER_HEAD_BYTES] > RP_DX_WHY_MAX_BYTES)
		return -EPROTO;
	return RP_DX_ANSWER_HEAD_BYTES + 1 + in[RP_DX_ANSWER_HEAD_BYTES];
}

int rp_dx_answer_decode(const uint8_t *in, size_t n, uint8_t ssalt[RP_DX_SALT_BYTES], char *why,
			size_t whyn)
{
	long want = rp_dx_answer_len(in, n);
	size_t w = 0;

	if (whyn)
		why[0] = 0;
	if (want < 0 || (size_t)want != n)
		return -EPROTO;
	if (in[5] == RP_DX_OK) {
		/* A version this desk does not speak answers with a refusal. */
		if (in[4] != RP_DX_VERSION)
			return -EPROTO;
		memcpy(ssalt, in + RP_DX_ANSWER_HEAD_BYTES, RP_DX_SALT_BYTES);
		return 0;
	}
	for (size_t i = RP_DX_ANSWER_HEAD_BYTES + 1; i < n && w + 1 < whyn; i++)
		why[w++] = in[i] >= 0x20 && in[i] < 0x7f ? (char)in[i] : '?';
	if (whyn)
		why[w] = 0;
	return in[5];
}

long rp_dx_record_len(const uint8_t hdr[RP_DX_HDR_BYTES])
{
	uint32_t l = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];

	if (l <= RP_DX_TAG_BYTES || l > RP_DX_MAX_PLAIN + RP_DX_TAG_BYTES)
		return -EPROTO;
	return RP_DX_HDR_BYTES + (long)l;
}

static void nonce_of(uint64_t seq, uint8_t nonce[12])
{
	memset(nonce, 0, 4);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(seq >> (56 - 8 * i));
}

long rp_dx_seal(struct rp_dx_dir *d, const uint8_t *in, size_t n, uint8_t *out)
{
	uint8_t nonce[12];
	uint32_t l = (uint32_t)(n + RP_DX_TAG_BYTES);

	if (n == 0 || n > RP_DX_MAX_PLAIN)
		return -EINVAL;
	if (d->seq == UINT64_MAX)
		return -EOVERFLOW;
	out[0] = (uint8_t)(l >> 24);
	out[1] = (uint8_t)(l >> 16);
	out[2] = (uint8_t)(l >> 8);
	out[3] = (uint8_t)l;
	nonce_of(d->seq, nonce);
	if (aead(true, d->key, nonce, out, RP_DX_HDR_BYTES, in, n, out + RP_DX_HDR_BYTES) < 0)
		return -EIO;
	d->seq++;
	return RP_DX_HDR_BYTES + (long)l;
}

long rp_dx_open(struct rp_dx_dir *d, const uint8_t *rec, size_t n, uint8_t *out)
{
	uint8_t nonce[12];
	long want;
	int r;

	if (n < RP_DX_HDR_BYTES || (want = rp_dx_record_len(rec)) < 0 || (size_t)want != n)
		return -EPROTO;
	if (d->seq == UINT64_MAX)
		return -EOVERFLOW;
	nonce_of(d->seq, nonce);
	r = aead(false, d->key, nonce, rec, RP_DX_HDR_BYTES, rec + RP_DX_HDR_BYTES,
		     n - RP_DX_HDR_BYTES - RP_DX_TAG_BYTES, out);
	if (r < 0)
		return r;
	d->seq++;
	return (long)(n - RP_DX_HDR_BYTES - RP_DX_TAG_BYTES);
}
