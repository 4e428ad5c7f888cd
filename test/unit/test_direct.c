/* The direct transport's crypto framing as plain calls (remote-proto/
 * direct.h): the primitives against the RFCs' known answers, the
 * handshake's messages, and records: opened in order only, every changed,
 * replayed, reordered, cut or misdirected record refused, the receiver
 * unmoved by a refusal. Then the transport on a loopback socket: the
 * handshake, frames both ways, a wrong secret refused in the host's
 * words, a tampered byte and a cut record refused on the daemon's side,
 * a connect that gets no answer given up at its bound. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "direct.h"
#include "rp_io.h"
#include "unit.h"

static void unhex(const char *h, uint8_t *out)
{
	for (size_t i = 0; h[2 * i]; i++) {
		unsigned v;
		sscanf(h + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static void hkdf_rfc5869_case1(void)
{
	uint8_t ikm[22], salt[13], info[10], okm[42], want[42];

	memset(ikm, 0x0b, sizeof ikm);
	for (int i = 0; i < 13; i++)
		salt[i] = (uint8_t)i;
	for (int i = 0; i < 10; i++)
		info[i] = (uint8_t)(0xf0 + i);
	unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
	      want);
	CHECK_EQ(rp_dx_hkdf(salt, sizeof salt, ikm, sizeof ikm, info, sizeof info, okm, 42), 0);
	CHECK(!memcmp(okm, want, 42));
}

static const char SUNSCREEN[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
				"only one tip for the future, sunscreen would be it.";

static void aead_rfc8439_2_8_2(void)
{
	uint8_t key[32], nonce[12], aad[12], out[200], back[200], want[114 + 16];
	size_t n = strlen(SUNSCREEN);

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x80 + i);
	unhex("070000004041424344454647", nonce);
	unhex("50515253c0c1c2c3c4c5c6c7", aad);
	unhex("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fa"
	      "fb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4"
	      "fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b61161ae10b594f09e26a7e902ecbd"
	      "0600691",
	      want);
	CHECK_EQ(n, 114);
	CHECK_EQ(rp_dx_aead_seal(key, nonce, aad, 12, (const uint8_t *)SUNSCREEN, n, out), 0);
	CHECK(!memcmp(out, want, n + 16));
	CHECK_EQ(rp_dx_aead_open(key, nonce, aad, 12, out, n, back), 0);
	CHECK(!memcmp(back, SUNSCREEN, n));
	out[n + 15] ^= 1; /* the tag */
	CHECK_EQ(rp_dx_aead_open(key, nonce, aad, 12, out, n, back), -EBADMSG);
	out[n + 15] ^= 1;
	aad[0] ^= 1; /* the associated data */
	CHECK_EQ(rp_dx_aead_open(key, nonce, aad, 12, out, n, back), -EBADMSG);
}

static const uint8_t SECRET[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				   17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

/* A desk's and a host's directions for one connection. */
static void pair(const uint8_t *secret, uint8_t salt_byte, struct rp_dx_dir *dsend,
		 struct rp_dx_dir *drecv, struct rp_dx_dir *hsend, struct rp_dx_dir *hrecv)
{
	uint8_t cs[32], ss[32];

	memset(cs, salt_byte, sizeof cs);
	memset(ss, salt_byte + 1, sizeof ss);
	CHECK_EQ(rp_dx_keys(secret, cs, ss, false, dsend, drecv), 0);
	CHECK_EQ(rp_dx_keys(secret, cs, ss, true, hsend, hrecv), 0);
}

static void finish4(struct rp_dx_dir *a, struct rp_dx_dir *b, struct rp_dx_dir *c,
		    struct rp_dx_dir *d)
{
	rp_dx_dir_finish(a);
	rp_dx_dir_finish(b);
	rp_dx_dir_finish(c);
	rp_dx_dir_finish(d);
}

static void keys_per_direction_and_connection(void)
{
	struct rp_dx_dir ds, dr, hs, hr, ds2, dr2, hs2, hr2;
	uint8_t id1[16], id2[16], other[32];

	pair(SECRET, 7, &ds, &dr, &hs, &hr);
	CHECK(!memcmp(ds.key, hr.key, 32));
	CHECK(!memcmp(hs.key, dr.key, 32));
	CHECK(memcmp(ds.key, dr.key, 32)); /* each way its own key */
	pair(SECRET, 9, &ds2, &dr2, &hs2, &hr2);
	CHECK(memcmp(ds.key, ds2.key, 32)); /* each connection its own */
	CHECK_EQ(rp_dx_id(SECRET, id1), 0);
	memcpy(other, SECRET, 32);
	other[31] ^= 1;
	CHECK_EQ(rp_dx_id(other, id2), 0);
	CHECK(memcmp(id1, id2, 16));
	CHECK(memcmp(id1, SECRET, 16));
	finish4(&ds, &dr, &hs, &hr);
	finish4(&ds2, &dr2, &hs2, &hr2);
}

static void records_in_order(void)
{
	struct rp_dx_dir ds, dr, hs, hr;
	uint8_t rec[3][200], out[RP_DX_MAX_PLAIN];
	long len[3];
	const char *msg[3] = {"one", "two, longer", "3"};

	pair(SECRET, 1, &ds, &dr, &hs, &hr);
	for (int i = 0; i < 3; i++) {
		len[i] = rp_dx_seal(&ds, (const uint8_t *)msg[i], strlen(msg[i]), rec[i]);
		CHECK_EQ(len[i], 4 + (long)strlen(msg[i]) + 16);
		CHECK_EQ(rp_dx_record_len(rec[i]), len[i]);
	}
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(rp_dx_open(&hr, rec[i], (size_t)len[i], out), (long)strlen(msg[i]));
		CHECK(!memcmp(out, msg[i], strlen(msg[i])));
	}
	CHECK_EQ(hr.seq, 3);
	/* The host's answer opens on the desk, not on the host itself. */
	long n = rp_dx_seal(&hs, (const uint8_t *)"ok", 2, rec[0]);
	CHECK_EQ(rp_dx_open(&hr, rec[0], (size_t)n, out), -EBADMSG);
	CHECK_EQ(hr.seq, 3);
	CHECK_EQ(rp_dx_open(&dr, rec[0], (size_t)n, out), 2);
	/* The direction serves every record after a refusal too. */
	n = rp_dx_seal(&ds, (const uint8_t *)"four", 4, rec[0]);
	CHECK_EQ(rp_dx_open(&hr, rec[0], (size_t)n, out), 4);
	CHECK(!memcmp(out, "four", 4));
	finish4(&ds, &dr, &hs, &hr);
}

/* ChaCha20-Poly1305 as OpenSSL's EVP does it, as telly did before its
 * records went to libsodium: a peer of either kind opens the other's. */
static int evp_aead(bool seal, const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad,
		    const uint8_t *in, int n, uint8_t *out)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	uint8_t *tag = seal ? out + n : (uint8_t *)(uintptr_t)(in + n);
	int len, ok;

	ok = x && EVP_CipherInit_ex(x, EVP_chacha20_poly1305(), NULL, key, nonce, seal) > 0 &&
	     EVP_CipherUpdate(x, NULL, &len, aad, RP_DX_HDR_BYTES) > 0 &&
	     EVP_CipherUpdate(x, out, &len, in, n) > 0 &&
	     (seal || EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, 16, tag) > 0) &&
	     EVP_CipherFinal_ex(x, out + n, &len) > 0 &&
	     (!seal || EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, 16, tag) > 0);
	EVP_CIPHER_CTX_free(x);
	return ok ? 0 : -1;
}

static void records_open_with_openssl(void)
{
	struct rp_dx_dir ds, dr, hs, hr;
	uint8_t rec[200], out[200], nonce[12] = {0};
	const char *key = "a key typed on the desk";
	int n = (int)strlen(key);

	pair(SECRET, 3, &ds, &dr, &hs, &hr);
	/* The desk's second record (its number the nonce) opens with EVP. */
	CHECK_EQ(rp_dx_seal(&ds, (const uint8_t *)"first", 5, rec), 4 + 5 + 16);
	CHECK_EQ(rp_dx_seal(&ds, (const uint8_t *)key, (size_t)n, rec), 4 + n + 16);
	nonce[11] = 1;
	CHECK_EQ(evp_aead(false, hr.key, nonce, rec, rec + 4, n, out), 0);
	CHECK(!memcmp(out, key, (size_t)n));
	/* The host's first, sealed with EVP, opens on the desk. */
	nonce[11] = 0;
	rec[0] = rec[1] = rec[2] = 0;
	rec[3] = (uint8_t)(2 + 16);
	CHECK_EQ(evp_aead(true, hs.key, nonce, rec, (const uint8_t *)"ok", 2, rec + 4), 0);
	CHECK_EQ(rp_dx_open(&dr, rec, 4 + 2 + 16, out), 2);
	CHECK(!memcmp(out, "ok", 2));
	finish4(&ds, &dr, &hs, &hr);
}

static void every_changed_byte_refused(void)
{
	struct rp_dx_dir ds, dr, hs, hr;
	uint8_t rec[100], out[RP_DX_MAX_PLAIN];
	long n;

	pair(SECRET, 2, &ds, &dr, &hs, &hr);
	n = rp_dx_seal(&ds, (const uint8_t *)"typed keys", 10, rec);
	for (long i = 0; i < n; i++) {
		for (int bit = 0; bit < 8; bit++) {
			rec[i] ^= (uint8_t)(1 << bit);
			long r = rp_dx_open(&hr, rec, (size_t)n, out);
			CHECK(r == -EBADMSG || r == -EPROTO);
			CHECK_EQ(hr.seq, 0); /* a refusal does not move the receiver */
			rec[i] ^= (uint8_t)(1 << bit);
		}
	}
	CHECK_EQ(rp_dx_open(&hr, rec, (size_t)n, out), 10);
	finish4(&ds, &dr, &hs, &hr);
}

static void replayed_reordered_dropped_refused(void)
{
	struct rp_dx_dir ds, dr, hs, hr;
	uint8_t r0[64], r1[64], r2[64], out[RP_DX_MAX_PLAIN];
	long n0, n1, n2;

	pair(SECRET, 3, &ds, &dr, &hs, &hr);
	n0 = rp_dx_seal(&ds, (const uint8_t *)"a", 1, r0);
	n1 = rp_dx_seal(&ds, (const uint8_t *)"b", 1, r1);
	n2 = rp_dx_seal(&ds, (const uint8_t *)"c", 1, r2);
	CHECK_EQ(rp_dx_open(&hr, r1, (size_t)n1, out), -EBADMSG); /* reordered */
	CHECK_EQ(rp_dx_open(&hr, r0, (size_t)n0, out), 1);
	CHECK_EQ(rp_dx_open(&hr, r0, (size_t)n0, out), -EBADMSG); /* replayed */
	CHECK_EQ(rp_dx_open(&hr, r2, (size_t)n2, out), -EBADMSG); /* one dropped */
	CHECK_EQ(rp_dx_open(&hr, r1, (size_t)n1, out), 1);
	CHECK_EQ(rp_dx_open(&hr, r2, (size_t)n2, out), 1);
	/* Another connection's record (same secret, other salts). */
	struct rp_dx_dir ds2, dr2, hs2, hr2;
	pair(SECRET, 5, &ds2, &dr2, &hs2, &hr2);
	CHECK_EQ(rp_dx_open(&hr2, r0, (size_t)n0, out), -EBADMSG);
	finish4(&ds, &dr, &hs, &hr);
	finish4(&ds2, &dr2, &hs2, &hr2);
}

static void truncated_and_out_of_bounds(void)
{
	struct rp_dx_dir ds, dr, hs, hr;
	uint8_t rec[64], out[RP_DX_MAX_PLAIN], hdr[4];
	long n;

	pair(SECRET, 4, &ds, &dr, &hs, &hr);
	n = rp_dx_seal(&ds, (const uint8_t *)"abc", 3, rec);
	for (long k = 0; k < n; k++)
		CHECK_EQ(rp_dx_open(&hr, rec, (size_t)k, out), -EPROTO);
	CHECK_EQ(hr.seq, 0);
	/* Lengths: at most a tag (no plaintext), over a frame, the largest. */
	uint32_t bad[] = {0, 16, RP_DX_MAX_PLAIN + 17, 0xffffffffu};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		hdr[0] = (uint8_t)(bad[i] >> 24), hdr[1] = (uint8_t)(bad[i] >> 16);
		hdr[2] = (uint8_t)(bad[i] >> 8), hdr[3] = (uint8_t)bad[i];
		CHECK_EQ(rp_dx_record_len(hdr), -EPROTO);
	}
	CHECK_EQ(rp_dx_seal(&ds, rec, 0, out), -EINVAL);
	CHECK_EQ(rp_dx_seal(&ds, out, RP_DX_MAX_PLAIN + 1, rec), -EINVAL);
	/* The largest record goes through. */
	uint8_t *big = malloc(RP_DX_MAX_RECORD), *plain = calloc(1, RP_DX_MAX_PLAIN);
	n = rp_dx_seal(&ds, plain, RP_DX_MAX_PLAIN, big);
	CHECK_EQ(n, RP_DX_MAX_RECORD);
	CHECK_EQ(rp_dx_open(&hr, rec, 4 + 3 + 16, out), 3); /* "abc" first */
	CHECK_EQ(rp_dx_open(&hr, big, (size_t)n, out), RP_DX_MAX_PLAIN);
	free(big);
	free(plain);
	/* Numbers that ran out. */
	ds.seq = UINT64_MAX;
	CHECK_EQ(rp_dx_seal(&ds, (const uint8_t *)"x", 1, rec), -EOVERFLOW);
	finish4(&ds, &dr, &hs, &hr);
}

static void handshake_messages(void)
{
	uint8_t id[16], salt[32], id2[16], salt2[32], hello[RP_DX_HELLO_BYTES];
	uint8_t ans[RP_DX_ANSWER_MAX_BYTES];
	char why[64];
	size_t n;

	memset(id, 0xa5, sizeof id);
	memset(salt, 0x5a, sizeof salt);
	rp_dx_hello_encode(hello, id, salt);
	CHECK_EQ(rp_dx_hello_decode(hello, id2, salt2), 0);
	CHECK(!memcmp(id, id2, 16) && !memcmp(salt, salt2, 32));
	hello[4] = 2;
	CHECK_EQ(rp_dx_hello_decode(hello, id2, salt2), -EPROTONOSUPPORT);
	hello[0] = 'X';
	CHECK_EQ(rp_dx_hello_decode(hello, id2, salt2), -EPROTO);

	n = rp_dx_answer_encode(ans, RP_DX_OK, salt, NULL);
	CHECK_EQ(n, 38);
	CHECK_EQ(rp_dx_answer_len(ans, 7), 38);
	CHECK_EQ(rp_dx_answer_decode(ans, n, salt2, why, sizeof why), 0);
	CHECK(!memcmp(salt, salt2, 32));
	CHECK_EQ(rp_dx_answer_decode(ans, n - 1, salt2, why, sizeof why), -EPROTO);

	n = rp_dx_answer_encode(ans, RP_DX_UNKNOWN, NULL, "no such\x1b secret");
	CHECK_EQ(rp_dx_answer_len(ans, 7), (long)n);
	CHECK_EQ(rp_dx_answer_decode(ans, n, salt2, why, sizeof why), RP_DX_UNKNOWN);
	CHECK(!strcmp(why, "no such? secret")); /* nothing unprintable reaches a terminal */
	ans[6] = RP_DX_WHY_MAX_BYTES + 1;
	CHECK_EQ(rp_dx_answer_len(ans, 7), -EPROTO);
	memcpy(ans, "SSH-", 4);
	CHECK_EQ(rp_dx_answer_len(ans, 7), -EPROTO);
}

/* ---- the transport on a loopback socket ---- */

static int lookup_ok(void *ctx, const uint8_t id[16], uint8_t secret[32], char *why, size_t whyn)
{
	uint8_t want[16];

	(void)ctx;
	rp_dx_id(SECRET, want);
	if (memcmp(id, want, 16)) {
		snprintf(why, whyn, "no such secret");
		return RP_DX_UNKNOWN;
	}
	memcpy(secret, SECRET, 32);
	return 0;
}

/* A host in a child: accepts one connection on lfd, echoes every byte
 * it opens back, and writes what ended it (its transport's why) to
 * report. */
static pid_t host_child(int lfd, int report)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	int fd = -1;
	while (fd < 0) {
		struct pollfd p = {.fd = lfd, .events = POLLIN};
		poll(&p, 1, 5000);
		fd = accept(lfd, NULL, NULL);
	}
	struct rp_transport *t = rp_transport_direct_accept(fd, lookup_ok, NULL);
	uint8_t buf[RP_MAX_FRAME * 2];
	for (;;) {
		struct pollfd p = {.fd = t->rfd, .events = POLLIN};
		poll(&p, 1, 5000);
		ssize_t n = t->impl->read(t, buf, sizeof buf);
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n <= 0) {
			const char *why = t->impl->why(t);
			(void)!write(report, why, strlen(why));
			_exit(0);
		}
		/* "!burst": five records of ten bytes back, each its own. */
		bool burst = n == 6 && !memcmp(buf, "!burst", 6);
		size_t piece = burst ? 10 : (size_t)n;
		if (burst)
			memcpy(buf, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN", n = 50);
		for (ssize_t off = 0; off < n;) {
			size_t len = (size_t)(n - off) < piece ? (size_t)(n - off) : piece;
			struct iovec iov = {.iov_base = buf + off, .iov_len = len};
			ssize_t w = t->impl->writev(t, &iov, 1);
			if (w > 0)
				off += w;
			else if (w < 0 && errno != EAGAIN)
				_exit(1);
			while (t->impl->pending(t))
				poll(&(struct pollfd){.fd = t->wfd, .events = POLLOUT}, 1, 1000);
		}
	}
}

struct host {
	int lfd, report[2];
	pid_t pid;
	char port[16];
};

static void host_start(struct host *h)
{
	char err[100];
	struct sockaddr_in a;
	socklen_t al = sizeof a;

	h->lfd = rp_tcp_listen("127.0.0.1:0", true, err, sizeof err);
	CHECK(h->lfd >= 0);
	getsockname(h->lfd, (struct sockaddr *)&a, &al);
	snprintf(h->port, sizeof h->port, "%u", ntohs(a.sin_port));
	CHECK_EQ(pipe(h->report), 0);
	h->pid = host_child(h->lfd, h->report[1]);
	close(h->report[1]);
}

/* What ended the host's side. */
static void host_end(struct host *h, char *why, size_t n)
{
	ssize_t k = read(h->report[0], why, n - 1);
	why[k > 0 ? k : 0] = 0;
	waitpid(h->pid, NULL, 0);
	close(h->report[0]);
	close(h->lfd);
}

/* Read exactly n opened bytes from t. */
static bool read_all(struct rp_transport *t, uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = {.fd = t->rfd, .events = POLLIN};
		if (poll(&p, 1, 5000) <= 0)
			return false;
		ssize_t k = t->impl->read(t, buf + got, RP_MAX_FRAME);
		if (k < 0 && errno == EAGAIN)
			continue;
		if (k <= 0)
			return false;
		got += (size_t)k;
	}
	return got == n;
}

/* A host started, and the desk's side connected to it. */
static struct rp_transport *host_and_desk(struct host *h)
{
	char err[300];

	host_start(h);
	struct rp_transport *t = rp_transport_direct_connect("127.0.0.1", h->port, SECRET, 5000, err,
							      sizeof err);
	CHECK(t != NULL);
	return t;
}

static void transport_both_ways(void)
{
	struct host h;
	char why[300];
	uint8_t *big = malloc(3 * RP_MAX_FRAME), *back = malloc(3 * RP_MAX_FRAME);
	struct rp_transport *t = host_and_desk(&h);

	if (!t)
		return;
	for (size_t i = 0; i < 3 * RP_MAX_FRAME; i++)
		big[i] = (uint8_t)(i * 13 + i / 7);
	/* Three pieces in one writev: records of a frame at most, all taken. */
	struct iovec iov[3] = {{big, 10}, {big + 10, RP_MAX_FRAME}, {big + 10 + RP_MAX_FRAME, 2 * RP_MAX_FRAME - 10}};
	size_t sent = 0;
	while (sent < 3 * RP_MAX_FRAME) {
		struct iovec v[3];
		int nv = 0;
		size_t skip = sent;
		for (int i = 0; i < 3; i++) {
			if (skip >= iov[i].iov_len) {
				skip -= iov[i].iov_len;
				continue;
			}
			v[nv].iov_base = (uint8_t *)iov[i].iov_base + skip;
			v[nv++].iov_len = iov[i].iov_len - skip;
			skip = 0;
		}
		ssize_t w = t->impl->writev(t, v, nv);
		if (w < 0 && errno == EAGAIN) {
			/* The host echoes: read while it cannot take more. */
			continue;
		}
		CHECK(w > 0);
		if (w <= 0)
			break;
		sent += (size_t)w;
		while (t->impl->pending(t))
			poll(&(struct pollfd){.fd = t->wfd, .events = POLLOUT}, 1, 1000);
	}
	CHECK(read_all(t, back, 3 * RP_MAX_FRAME));
	CHECK(!memcmp(big, back, 3 * RP_MAX_FRAME));
	rp_transport_destroy(t);
	host_end(&h, why, sizeof why);
	CHECK(!strcmp(why, "")); /* ended by the desk's close, nothing refused */
	free(big);
	free(back);
}

/* msg sent to the echoing host, then the bytes its echo has in t's
 * socket once they reach want (or 5 s passed): all of it there before a
 * read (readable from the first byte: poll cannot wait for more). */
static int echoed(struct rp_transport *t, const char *msg, int want)
{
	struct iovec iov = {.iov_base = (void *)msg, .iov_len = strlen(msg)};
	int queued = 0;

	CHECK_EQ(t->impl->writev(t, &iov, 1), (ssize_t)iov.iov_len);
	while (t->impl->pending(t))
		poll(&(struct pollfd){.fd = t->wfd, .events = POLLOUT}, 1, 1000);
	for (int ms = 0; ms < 5000 && queued < want; ms++) {
		CHECK_EQ(ioctl(t->rfd, FIONREAD, &queued), 0);
		if (queued < want)
			nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	return queued;
}

/* Records read ahead in one recv are never more than the caller has room
 * for: what is left stays in the socket, where poll sees it (a whole
 * record kept in the transport would wait for the next byte to come). */
static void transport_small_reads_leave_the_rest_seen(void)
{
	struct host h;
	char why[300];
	uint8_t got[50];
	size_t have = 0;
	struct rp_transport *t = host_and_desk(&h);

	if (!t)
		return;
	/* All five records (4 + 10 + 16 bytes each) in the socket. */
	CHECK_EQ(echoed(t, "!burst", 150), 150);
	while (have < sizeof got) {
		struct pollfd p = {.fd = t->rfd, .events = POLLIN};
		CHECK_EQ(poll(&p, 1, 0), 1); /* the rest is seen, with no wait */
		ssize_t k = t->impl->read(t, got + have, 10);
		CHECK_EQ(k, 10);
		if (k != 10)
			break;
		have += 10;
	}
	CHECK(!memcmp(got, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN", 50));
	rp_transport_destroy(t);
	host_end(&h, why, sizeof why);
}

/* recv calls made in this process (the transport's, counted here: this
 * definition is the one the transport's objects are linked with). */
static unsigned recvs;

ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	recvs++;
	return recvfrom(fd, buf, n, flags, NULL, NULL);
}

/* A record that is all the socket has is read with one recv: the recv
 * took less than it asked, so the socket was empty, and the transport
 * says so (drained) instead of asking again. Before, each read made a
 * second recv that found nothing (EAGAIN): one more syscall for every
 * key and every update on a direct link. */
static void transport_one_recv_a_record(void)
{
	struct host h;
	char why[300];
	uint8_t got[64];
	struct rp_transport *t = host_and_desk(&h);

	if (!t)
		return;
	/* The echo's record (4 + 11 + 16 bytes) whole in the socket. */
	CHECK_EQ(echoed(t, "a key's ten", 31), 31);
	unsigned before = recvs;
	t->drained = false;
	CHECK_EQ(t->impl->read(t, got, sizeof got), 11);
	CHECK_EQ(recvs - before, 1u);
	CHECK(t->drained);
	CHECK(!memcmp(got, "a key's ten", 11));
	/* Asked again all the same: nothing, without harm. */
	ssize_t k = t->impl->read(t, got, sizeof got);
	CHECK(k < 0 && errno == EAGAIN);
	rp_transport_destroy(t);
	host_end(&h, why, sizeof why);
}

/* Read by record (the daemon's reads), five records in the socket come
 * out one a read, in order, with one recv for all: the first handed out
 * (a key's press) before the second (its release) is opened; those kept
 * are said (buffered), since poll does not see them. Before, the first
 * read opened all five. */
static void transport_by_record(void)
{
	struct host h;
	char why[300];
	uint8_t got[1024]; /* room for all: one recv takes them */
	struct rp_transport *t = host_and_desk(&h);
	const char *want = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN";

	if (!t)
		return;
	CHECK_EQ(echoed(t, "!burst", 150), 150);
	unsigned before = recvs;
	for (int i = 0; i < 5; i++) {
		t->by_record = true;
		t->drained = false;
		CHECK_EQ(t->impl->read(t, got, sizeof got), 10);
		CHECK(!memcmp(got, want + 10 * i, 10));
		CHECK_EQ(t->impl->buffered(t), i < 4);
		CHECK_EQ(t->drained, i == 4); /* the last: nothing left, none to ask */
	}
	CHECK_EQ(recvs - before, 1u);
	t->by_record = false;
	ssize_t k = t->impl->read(t, got, sizeof got);
	CHECK(k < 0 && errno == EAGAIN);
	rp_transport_destroy(t);
	host_end(&h, why, sizeof why);
}

static void transport_wrong_secret(void)
{
	struct host h;
	char err[300], why[300];
	uint8_t wrong[32];

	memcpy(wrong, SECRET, 32);
	wrong[0] ^= 0x80;
	host_start(&h);
	struct rp_transport *t = rp_transport_direct_connect("127.0.0.1", h.port, wrong, 5000, err,
							      sizeof err);
	CHECK(t == NULL);
	CHECK(strstr(err, "the host refused the secret: no such secret") != NULL);
	host_end(&h, why, sizeof why);
	CHECK(strstr(why, "refused: no such secret") != NULL);
}

/* A byte of a sealed record changed on its way: the host refuses it. */
static void transport_tampered_and_cut(void)
{
	for (int cut = 0; cut < 2; cut++) {
		struct host h;
		char err[300], why[300];
		host_start(&h);
		struct rp_transport *t = rp_transport_direct_connect("127.0.0.1", h.port, SECRET,
								      5000, err, sizeof err);
		CHECK(t != NULL);
		if (!t)
			return;
		/* A record sealed with the connection's real key can only be
		 * made by the transport: send one through a socketpair's worth
		 * of bytes by hand instead, with a flipped byte or cut short. */
		struct rp_dx_dir fake = {.seq = 0};
		uint8_t rec[64];
		memset(fake.key, 0x33, 32);
		long n = rp_dx_seal(&fake, (const uint8_t *)"hello", 5, rec);
		rp_dx_dir_finish(&fake);
		if (cut)
			n -= 3;
		else
			rec[6] ^= 1;
		CHECK_EQ(send(t->wfd, rec, (size_t)n, MSG_NOSIGNAL), n);
		if (cut)
			shutdown(t->wfd, SHUT_WR);
		host_end(&h, why, sizeof why);
		CHECK(strstr(why, cut ? "the link ended inside a record"
				      : "record 0 failed authentication") != NULL);
		rp_transport_destroy(t);
	}
}

/* A port that drops the connect (a listener whose accept queue is full,
 * as a firewall that drops SYNs): the connect gives up at its bound, not
 * the kernel's minutes, with ETIMEDOUT; a port nobody listens on is
 * refused at once. */
static void transport_connect_bounded(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), c = socket(AF_INET, SOCK_STREAM, 0);
	char port[16], err[300];
	struct timespec t0, t1;

	CHECK(l >= 0 && c >= 0);
	CHECK_EQ(bind(l, (struct sockaddr *)&a, sizeof a), 0);
	CHECK_EQ(listen(l, 0), 0);
	CHECK_EQ(getsockname(l, (struct sockaddr *)&a, &al), 0);
	CHECK_EQ(connect(c, (struct sockaddr *)&a, sizeof a), 0); /* the queue's one place */
	snprintf(port, sizeof port, "%u", ntohs(a.sin_port));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct rp_transport *t = rp_transport_direct_connect("127.0.0.1", port, SECRET, 300, err,
							      sizeof err);
	int e = errno;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(t == NULL);
	CHECK_EQ(e, ETIMEDOUT);
	CHECK(strstr(err, "cannot connect to 127.0.0.1 port") != NULL);
	CHECK(ms >= 250 && ms < 5000);
	close(c);
	close(l);
	/* Nothing listens there now. */
	t = rp_transport_tcp_connect_within("127.0.0.1", port, 300);
	CHECK(t == NULL);
	CHECK_EQ(errno, ECONNREFUSED);
}

int main(int argc, char **argv)
{
	static const struct unit_case cases[] = {
		{"hkdf-rfc5869-case1", hkdf_rfc5869_case1},
		{"aead-rfc8439-2.8.2", aead_rfc8439_2_8_2},
		{"keys-per-direction-and-connection", keys_per_direction_and_connection},
		{"records-in-order", records_in_order},
		{"records-open-with-openssl", records_open_with_openssl},
		{"every-changed-byte-refused", every_changed_byte_refused},
		{"replayed-reordered-dropped-refused", replayed_reordered_dropped_refused},
		{"truncated-and-out-of-bounds", truncated_and_out_of_bounds},
		{"handshake-messages", handshake_messages},
		{"transport-both-ways", transport_both_ways},
		{"transport-small-reads-leave-the-rest-seen", transport_small_reads_leave_the_rest_seen},
		{"transport-one-recv-a-record", transport_one_recv_a_record},
		{"transport-by-record", transport_by_record},
		{"transport-wrong-secret", transport_wrong_secret},
		{"transport-tampered-and-cut", transport_tampered_and_cut},
		{"transport-connect-bounded", transport_connect_bounded},
	};
	signal(SIGPIPE, SIG_IGN);
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
