/* remote-proto: the direct transport's crypto framing (PROTOCOL.md
 * "Direct transport"), pure: no I/O, times or randomness of its own.
 *
 * `telly attach --direct` learns a one-time secret over ssh and then
 * speaks to the daemon over plain TCP. Both ends derive per-connection,
 * per-direction keys from the secret and two random salts (one each way),
 * and every byte after the handshake goes in records sealed with
 * ChaCha20-Poly1305 (RFC 8439, libsodium's). The nonce is the record's number in
 * its direction, never sent: a record replayed, reordered, dropped from
 * the middle or changed fails its tag, and the connection ends.
 *
 *   client hello  "TLYD" u8 version, id[16], client salt[32]        (53 bytes)
 *   server answer "TLYD" u8 version, u8 status, then
 *                 status 0: server salt[32]; else u8 n, n bytes of why
 *   record        u32 length L (tag included, 17..RP_DX_MAX_PLAIN+16),
 *                 L bytes: ciphertext, 16-byte tag; the 4 length bytes
 *                 are the associated data
 */
#ifndef RP_DIRECT_H
#define RP_DIRECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rp.h"

#define RP_DX_VERSION 1
#define RP_DX_SECRET_BYTES 32
#define RP_DX_ID_BYTES 16
#define RP_DX_SALT_BYTES 32
#define RP_DX_KEY_BYTES 32
#define RP_DX_TAG_BYTES 16
#define RP_DX_HDR_BYTES 4
#define RP_DX_HELLO_BYTES (5 + RP_DX_ID_BYTES + RP_DX_SALT_BYTES)
#define RP_DX_ANSWER_HEAD_BYTES 6 /* "TLYD", version, status */
#define RP_DX_WHY_MAX_BYTES 200
#define RP_DX_ANSWER_MAX_BYTES (RP_DX_ANSWER_HEAD_BYTES + 1 + RP_DX_WHY_MAX_BYTES)
/* A record holds at most one whole frame of plaintext: a receiver with
 * room for a frame always has room for a record. */
#define RP_DX_MAX_PLAIN RP_MAX_FRAME
#define RP_DX_MAX_RECORD (RP_DX_HDR_BYTES + RP_DX_MAX_PLAIN + RP_DX_TAG_BYTES)

enum rp_dx_status {
	RP_DX_OK = 0,
	RP_DX_UNKNOWN = 1, /* no such secret: wrong, or expired unused */
	RP_DX_BUSY = 2,	   /* the host refuses for now (limits) */
	RP_DX_VERSION_BAD = 3,
};

/* One direction of a connection: its key and the next record's number.
 * A direction seals or opens, not both. */
struct rp_dx_dir {
	uint8_t key[RP_DX_KEY_BYTES];
	uint64_t seq;
};
/* Its key wiped (takes one never used). */
void rp_dx_dir_finish(struct rp_dx_dir *d);

/* The secret's public name, sent in the clear in the hello: the first
 * RP_DX_ID_BYTES of HKDF-SHA256(secret, info "telly direct v1 id"). */
int rp_dx_id(const uint8_t secret[RP_DX_SECRET_BYTES], uint8_t id[RP_DX_ID_BYTES]);

/* Both directions' keys: HKDF-SHA256 with salt = client salt || server
 * salt, info "telly direct v1 desk to host" / "... host to desk". The
 * server sends with the second and receives with the first. send and
 * recv are made afresh (finish them after). */
int rp_dx_keys(const uint8_t secret[RP_DX_SECRET_BYTES], const uint8_t csalt[RP_DX_SALT_BYTES],
	       const uint8_t ssalt[RP_DX_SALT_BYTES], bool server, struct rp_dx_dir *send,
	       struct rp_dx_dir *recv);

/* HKDF-SHA256 (RFC 5869), for the known-answer tests. 0 or -EIO. */
int rp_dx_hkdf(const uint8_t *salt, size_t saltn, const uint8_t *ikm, size_t ikmn,
	       const uint8_t *info, size_t infon, uint8_t *out, size_t outn);
/* ChaCha20-Poly1305 (RFC 8439) with a 12-byte nonce: out gets n bytes of
 * ciphertext, then the tag. 0 or -EIO. */
int rp_dx_aead_seal(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad,
		    size_t aadn, const uint8_t *in, size_t n, uint8_t *out);
/* in is n bytes of ciphertext then the tag; 0, or -EBADMSG when the tag
 * does not match (nothing of out is to be used). */
int rp_dx_aead_open(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad,
		    size_t aadn, const uint8_t *in, size_t n, uint8_t *out);

/* The handshake's messages. */
void rp_dx_hello_encode(uint8_t out[RP_DX_HELLO_BYTES], const uint8_t id[RP_DX_ID_BYTES],
			const uint8_t csalt[RP_DX_SALT_BYTES]);
/* 0; -EPROTO (not a telly direct hello), -EPROTONOSUPPORT (another
 * version). */
int rp_dx_hello_decode(const uint8_t in[RP_DX_HELLO_BYTES], uint8_t id[RP_DX_ID_BYTES],
		       uint8_t csalt[RP_DX_SALT_BYTES]);
/* An answer: status 0 with the salt, or a refusal with why (cut to
 * RP_DX_WHY_MAX_BYTES). Its length. */
size_t rp_dx_answer_encode(uint8_t out[RP_DX_ANSWER_MAX_BYTES], uint8_t status,
			   const uint8_t ssalt[RP_DX_SALT_BYTES], const char *why);
/* How long the answer that starts with these RP_DX_ANSWER_HEAD_BYTES +
 * 1 bytes is in all (n of them given, at least the head), or -EPROTO. */
long rp_dx_answer_len(const uint8_t *in, size_t n);
/* A whole answer: 0 with the salt; the refusal's status (> 0) with why
 * (NUL-terminated, unprintable bytes as '?'); -EPROTO. */
int rp_dx_answer_decode(const uint8_t *in, size_t n, uint8_t ssalt[RP_DX_SALT_BYTES], char *why,
			size_t whyn);

/* Records. The whole record's length from its first RP_DX_HDR_BYTES
 * bytes, or -EPROTO for a length out of bounds. */
long rp_dx_record_len(const uint8_t hdr[RP_DX_HDR_BYTES]);
/* Seal n (1..RP_DX_MAX_PLAIN) bytes, gathered from iov, as the next
 * record of d into out (RP_DX_HDR_BYTES + n + RP_DX_TAG_BYTES bytes):
 * its length, or -EINVAL, -EOVERFLOW (the numbers ran out), -EIO. */
long rp_dx_seal(struct rp_dx_dir *d, const uint8_t *in, size_t n, uint8_t *out);
/* Open a whole record (n bytes, as rp_dx_record_len said) as the next of
 * d: the plaintext's length in out (room for RP_DX_MAX_PLAIN), or
 * -EPROTO (length), -EBADMSG (tampered, replayed, out of order or
 * another key's), -EOVERFLOW. d moves on only when it opens. */
long rp_dx_open(struct rp_dx_dir *d, const uint8_t *rec, size_t n, uint8_t *out);

#endif
