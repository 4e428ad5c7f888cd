/* libFuzzer target for the direct transport's receiver (remote-proto/
 * direct.h): what a peer sends after the handshake, cut into records by
 * their length and opened in turn with the connection's key, as the
 * transport does. A first byte even: the rest as it comes (mostly
 * garbage: every record must be refused, none may open). Odd: the rest
 * is plaintexts (u16 length, bytes) that are sealed as the sender would,
 * then changed at places the input names (u32 offset, u8 xor); every
 * record up to the first changed one must open to its plaintext, and the
 * changed one must not. Also the handshake's decoders on the input. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "direct.h"

static const uint8_t SECRET[32] = "telly direct fuzz secret 32 byte";
static const uint8_t CSALT[32] = "client salt for the fuzzer, 32 b";
static const uint8_t SSALT[32] = "server salt for the fuzzer, 32 b";

#define MAX_RECORDS 64
#define STREAM_BYTES (MAX_RECORDS * (RP_DX_HDR_BYTES + RP_DX_TAG_BYTES) + 70000)

static uint8_t plain[RP_DX_MAX_PLAIN];

/* Record by record, as dx_read: the number of records opened. */
static int receive(struct rp_dx_dir *d, const uint8_t *s, size_t n, size_t ends[], int nends)
{
	size_t off = 0;
	int opened = 0;

	while (n - off >= RP_DX_HDR_BYTES) {
		long len = rp_dx_record_len(s + off);
		if (len < 0)
			break;
		assert(len >= RP_DX_HDR_BYTES + RP_DX_TAG_BYTES + 1 && len <= RP_DX_MAX_RECORD);
		if ((size_t)len > n - off)
			break; /* cut: the transport waits for the rest */
		uint64_t seq = d->seq;
		long pn = rp_dx_open(d, s + off, (size_t)len, plain);
		if (pn < 0) {
			assert(d->seq == seq); /* a refusal leaves the receiver as it was */
			break;
		}
		assert(pn == len - RP_DX_HDR_BYTES - RP_DX_TAG_BYTES && d->seq == seq + 1);
		off += (size_t)len;
		if (opened < nends)
			assert(ends[opened] == off);
		opened++;
	}
	return opened;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rp_dx_dir hs, hr, ds, dr;
	uint8_t id[RP_DX_ID_BYTES], salt[RP_DX_SALT_BYTES];
	char why[RP_DX_WHY_MAX_BYTES + 1];

	if (size < 1)
		return 0;
	if (size >= RP_DX_HELLO_BYTES)
		(void)rp_dx_hello_decode(data, id, salt);
	long al = rp_dx_answer_len(data, size);
	if (al > 0 && (size_t)al <= size) {
		int r = rp_dx_answer_decode(data, (size_t)al, salt, why, sizeof why);
		assert(r >= -EPROTO && strlen(why) < sizeof why);
	}
	rp_dx_keys(SECRET, CSALT, SSALT, true, &hs, &hr);
	rp_dx_keys(SECRET, CSALT, SSALT, false, &ds, &dr);
	if (!(data[0] & 1)) {
		/* Garbage cannot pass a tag (2^-128): nothing opens. */
		assert(receive(&hr, data + 1, size - 1, NULL, 0) == 0);
		goto out;
	}
	uint8_t *stream = malloc(STREAM_BYTES);
	size_t ends[MAX_RECORDS], n = 0, i = 1;
	int nrec = 0;
	while (i + 2 <= size && nrec < MAX_RECORDS) {
		size_t len = (size_t)data[i] << 8 | data[i + 1];
		i += 2;
		if (len == 0) /* the end of the plaintexts */
			break;
		if (len > size - i)
			len = size - i;
		if (len == 0 || n + len + RP_DX_HDR_BYTES + RP_DX_TAG_BYTES > STREAM_BYTES)
			break;
		long r = rp_dx_seal(&ds, data + i, len, stream + n);
		assert(r == (long)(len + RP_DX_HDR_BYTES + RP_DX_TAG_BYTES));
		n += (size_t)r;
		ends[nrec++] = n;
		i += len;
	}
	/* Changes: the first record one of them left changed is where opening
	 * stops (two at one place may cancel out). */
	uint8_t *orig = malloc(n ? n : 1);
	memcpy(orig, stream, n);
	size_t first = n;
	while (i + 5 <= size) {
		uint32_t at = (uint32_t)data[i] << 24 | (uint32_t)data[i + 1] << 16 |
			      (uint32_t)data[i + 2] << 8 | data[i + 3];
		uint8_t x = data[i + 4];
		i += 5;
		if (!n || !x)
			continue;
		at %= (uint32_t)n;
		stream[at] ^= x;
	}
	for (size_t k = 0; k < n && first == n; k++)
		if (stream[k] != orig[k])
			first = k;
	free(orig);
	int whole = 0;
	while (whole < nrec && ends[whole] <= first)
		whole++;
	int opened = receive(&hr, stream, n, ends, nrec);
	assert(opened == whole);
	free(stream);
out:
	rp_dx_dir_finish(&hs);
	rp_dx_dir_finish(&hr);
	rp_dx_dir_finish(&ds);
	rp_dx_dir_finish(&dr);
	return 0;
}
