/* remote-proto at the edge: transports and framed connections.
 *
 * A transport moves bytes; its variants (unix socket, TCP, stdio, a
 * subprocess such as ssh) sit behind struct rp_transport_impl. A connection
 * puts framing on a transport: a bounded receive buffer cut into frames, and
 * a bounded send queue (queue.h). Non-blocking throughout: the owner's event
 * loop polls rp_conn_fd() (for POLLIN, and rp_conn_wevents()) and calls
 * rp_conn_read / rp_conn_flush.
 */
#ifndef RP_IO_H
#define RP_IO_H

#include <sys/types.h>

#include "queue.h"
#include "rp.h"

struct rp_transport;

struct rp_transport_impl {
	const char *name;
	ssize_t (*read)(struct rp_transport *t, void *buf, size_t n);
	ssize_t (*writev)(struct rp_transport *t, const struct iovec *iov, int n);
	void (*destroy)(struct rp_transport *t);
	/* Optional (the direct transport's): bytes written and taken that
	 * still wait to go (writing what it can first), and why it failed. */
	size_t (*pending)(struct rp_transport *t);
	const char *(*why)(const struct rp_transport *t);
	bool (*direct_id)(const struct rp_transport *t, uint8_t id[16]);
	/* Optional: a read would hand out bytes without the descriptor's
	 * (a whole record kept by a read by_record). */
	bool (*buffered)(const struct rp_transport *t);
};

struct rp_transport {
	const struct rp_transport_impl *impl;
	int rfd, wfd; /* the same for sockets */
	pid_t pid;    /* subprocess, or 0 */
	/* File descriptors that came with the bytes read (a unix socket's
	 * SCM_RIGHTS), not yet taken; closed with the transport. */
	int passed[2];
	int npassed;
	/* The last read took all the descriptor had then (it read less than
	 * it asked for): reading again before poll says so would find
	 * nothing (EAGAIN). A hint: poll, level-triggered, still tells of
	 * what came since (and of what a read stopped short of: a unix
	 * socket's read ends where descriptors came). */
	bool drained;
	/* Set by the owner for one read (rp_conn_read_record): a transport of
	 * records (the direct one) hands out the first it opens and keeps
	 * the rest, whole or not, for the next read (impl->buffered). */
	bool by_record;
};

/* Each returns NULL with errno set. */
struct rp_transport *rp_transport_unix_connect(const char *path);
struct rp_transport *rp_transport_tcp_connect(const char *host, const char *port);
/* The same, each address's connect given up after timeout_ms (ETIMEDOUT;
 * <0: no bound but the kernel's). */
struct rp_transport *rp_transport_tcp_connect_within(const char *host, const char *port,
						     int timeout_ms);
struct rp_transport *rp_transport_socket(int fd); /* an accepted socket; takes fd */
struct rp_transport *rp_transport_stdio(void);    /* stdin, stdout */
/* A pipe pair handed over by another process; takes both (closes them). */
struct rp_transport *rp_transport_fds(int rfd, int wfd);
/* Run `/bin/sh -c CMD` with its stdin and stdout on a socketpair (ssh). */
struct rp_transport *rp_transport_spawn(const char *cmd);
/* The same, its stderr on errfd (>= 0; -1: this process's). */
struct rp_transport *rp_transport_spawn_err(const char *cmd, int errfd);
void rp_transport_destroy(struct rp_transport *t); /* takes NULL */

/* The direct transport (direct.h, transport_direct.c). The desk's side:
 * TCP to host:port and the handshake with secret, each within timeout_ms;
 * NULL with err said (the host's refusal in its words, errno EACCES; no
 * listener there: ECONNREFUSED; no answer to the connect: ETIMEDOUT). */
struct rp_transport *rp_transport_direct_connect(const char *host, const char *port,
						 const uint8_t secret[32], int timeout_ms,
						 char *err, size_t errn);
/* The daemon's side: an accepted socket (taken), its handshake done in
 * its first reads. lookup gives the secret of id: 0 with secret set, or a
 * refusal's status (RP_DX_UNKNOWN, RP_DX_BUSY) with why said. */
typedef int rp_dx_lookup(void *ctx, const uint8_t id[16], uint8_t secret[32], char *why,
			 size_t whyn);
struct rp_transport *rp_transport_direct_accept(int fd, rp_dx_lookup *lookup, void *ctx);

/* Up to 2 descriptors received with what was read; the caller owns them. */
int rp_transport_take_fds(struct rp_transport *t, int fds[2]);
/* Sends n bytes with nfds descriptors over a unix socket (blocking). */
int rp_transport_send_fds(struct rp_transport *t, const void *buf, size_t n, const int *fds,
			  int nfds);

#define RP_RX_SIZE (2 * RP_MAX_FRAME)

/* A connection is opaque: its owner uses the functions below. */
struct rp_conn;

struct rp_conn *rp_conn_create(struct rp_transport *t, unsigned queue_entries, size_t queue_limit);
/* Destroys the transport (takes NULL) with an orderly close, so that it
 * ends the peer's stream rather than resetting it (a socket closed with
 * unread bytes resets: the peer takes it for a lost link): our end of the
 * stream first (shutdown), then what the peer sends read and dropped
 * until its own end, at most RP_CLOSE_WAIT_MS; a connection whose peer
 * ended its stream, or one lost (a failed read or write, rp_conn_lost)
 * or already shut (rp_conn_shut), is closed without waiting, what it has
 * unread dropped first. */
#define RP_CLOSE_WAIT_MS 300
void rp_conn_destroy(struct rp_conn *c);
/* The link is known lost (no answer to the heartbeat): its destroy does
 * not wait for the peer. */
void rp_conn_lost(struct rp_conn *c);
/* The peer ended its stream, or the link is lost: nothing to wait for. */
bool rp_conn_ended(const struct rp_conn *c);
/* For a caller that cannot wait (the daemon): our end of the stream sent,
 * without waiting; 0, -ENOTCONN (ended, lost or shut already), or -errno
 * (a pipe cannot: ENOTSOCK). Then rp_conn_drop_input as the peer's bytes
 * come, until it returns 0 (the peer's end) or the caller's bound, then
 * rp_conn_destroy. */
int rp_conn_shut(struct rp_conn *c);
/* What the peer sent, read and dropped without waiting (bounded): 0 at
 * its end of the stream (or an error), -EAGAIN while more may come. */
int rp_conn_drop_input(struct rp_conn *c);

/* Read what is there (one bounded read). Returns bytes read, 0 at end of
 * stream, -EAGAIN, or -errno. */
ssize_t rp_conn_read(struct rp_conn *c);
/* As rp_conn_read, but from a direct transport only the first record it
 * opens: the caller handles its frames before the next is opened (a key's
 * press injected before its release, come in the same recv, is decrypted).
 * The rest waits in the transport, where poll does not see it: read again
 * while rp_conn_buffered says so. */
ssize_t rp_conn_read_record(struct rp_conn *c);
bool rp_conn_buffered(const struct rp_conn *c);
/* The last rp_conn_read took all there was (rp_transport's drained): an
 * owner that reads until EAGAIN stops here, one syscall fewer a wakeup. */
bool rp_conn_drained(const struct rp_conn *c);
/* The next whole frame in the receive buffer: 1 with *h and *payload set
 * (valid until the next rp_conn_read), 0 if none is complete, or -EPROTO /
 * -EMSGSIZE for a bad header. */
int rp_conn_frame(struct rp_conn *c, struct rp_hdr *h, const uint8_t **payload);
/* Put back the frame rp_conn_frame() just returned, to take it again
 * later (the owner cannot handle it yet). */
void rp_conn_unread(struct rp_conn *c, const struct rp_hdr *h);
/* Queue a whole encoded frame (copied). Never dropped. */
int rp_conn_send(struct rp_conn *c, const void *frame, size_t n);
/* Encode and queue an ERROR frame. */
int rp_conn_error(struct rp_conn *c, uint16_t chan, uint16_t code, uint32_t req, bool fatal,
		  const char *msg);
/* Write what is queued. Returns 0 (queue empty), 1 (more to write), or
 * -errno. */
int rp_conn_flush(struct rp_conn *c);
/* For a side with nothing else to do (a client before it attaches): the
 * next whole frame, writing what is queued meanwhile, waiting up to
 * timeout_ms. 1, or -ETIMEDOUT, -ECONNRESET, -EPROTO, -errno. */
int rp_conn_next_frame(struct rp_conn *c, struct rp_hdr *h, const uint8_t **payload,
		       int timeout_ms);
/* The same, and meanwhile fn(ctx, c) each time fd is readable (it may
 * queue more on c: a redial's keys typed while it waits); its error
 * (< 0) ends the wait. */
struct rp_conn_side {
	int fd;
	int (*fn)(void *ctx, struct rp_conn *c);
};
int rp_conn_next_frame_or(struct rp_conn *c, struct rp_hdr *h, const uint8_t **payload,
			  int timeout_ms, const struct rp_conn_side *side, void *ctx);
/* Write everything, waiting up to timeout_ms in all. */
int rp_conn_flush_wait(struct rp_conn *c, int timeout_ms);
/* Events to poll for the write side: POLLOUT if something is queued. */
short rp_conn_wevents(const struct rp_conn *c);
/* The descriptor to poll for what the peer sends (and, but for a pipe pair
 * handed over by `serve --stdio`, for POLLOUT too). */
int rp_conn_fd(const struct rp_conn *c);
/* Bytes queued to send, not yet written (for a relay that holds back). */
size_t rp_conn_queued(const struct rp_conn *c);
/* A mark of what is queued now: rp_conn_went(c, mark) once all of it
 * has gone, written (none held by the transport) or dropped. */
uint64_t rp_conn_mark(const struct rp_conn *c);
bool rp_conn_went(const struct rp_conn *c, uint64_t mark);
/* Frames queued (entries of its queue, bounded by rp_conn_create's
 * queue_entries), not yet all written. */
unsigned rp_conn_queued_frames(const struct rp_conn *c);
/* The host's name, from its HELLO (rp_desk_hello): printable, at most
 * RP_HOST_NAME_MAX bytes; "" when it said none or one that is not. */
#define RP_HOST_NAME_MAX 64
#define RP_HELLO_HOST_PREFIX "telly serve " /* the host's HELLO name: it, then its name */
void rp_conn_set_host_name(struct rp_conn *c, const char *p, size_t n);
const char *rp_conn_host_name(const struct rp_conn *c);
/* The peer's HELLO capabilities (RP_CAP_*), as the desk's HELLO read them. */
void rp_conn_set_peer_caps(struct rp_conn *c, uint32_t caps);
uint32_t rp_conn_peer_caps(const struct rp_conn *c);
/* Why its transport failed, if it says ("" if not): a direct link's
 * refused handshake or a record that failed authentication. */
const char *rp_conn_why(const struct rp_conn *c);
/* The direct transport's secret id (rp_transport_direct_id). */
bool rp_conn_direct_id(const struct rp_conn *c, uint8_t id[16]);

/* A TCP listener on "HOST:PORT" (backlog 64, SO_REUSEADDR, non-blocking,
 * close-on-exec).
 * With loopback_only, an address beyond this host is refused with
 * -EADDRNOTAVAIL. Returns the fd, or -errno with err said. */
int rp_tcp_listen(const char *host_port, bool loopback_only, char *err, size_t errn);

/* ---- for the daemon ---- */
/* What `telly serve` needs of a connection beyond the above, so that it
 * never reaches into one. */
/* The descriptors to poll: for reading and for writing (the same but for
 * a pipe pair handed over by `serve --stdio`). */
void rp_conn_fds(const struct rp_conn *c, int *rfd, int *wfd);
/* Bytes received that are not a whole frame yet. */
size_t rp_conn_rx_partial(const struct rp_conn *c);
/* Queue a frame header (with a u32 field, RP_HDR_SIZE + 4 bytes at most)
 * and a shared body (a reference taken); droppable as rp_queue_push. */
int rp_conn_push(struct rp_conn *c, const void *hdr, size_t hdr_len, struct rp_buf *b,
		 bool droppable);
/* Drop what has not started to go out and may be dropped (a viewer that
 * fell behind gets a snapshot instead). */
void rp_conn_drop_queued(struct rp_conn *c);
/* Up to 2 descriptors that came with what was read; the caller owns them. */
int rp_conn_take_fds(struct rp_conn *c, int fds[2]);
/* Speak on t from now on; the old transport is returned, not destroyed. */
struct rp_transport *rp_conn_swap_transport(struct rp_conn *c, struct rp_transport *t);
/* n bytes written at once on the connection's socket, past the queue
 * (which must be empty): n, or -errno (-EAGAIN if they did not all go). */
ssize_t rp_conn_send_now(struct rp_conn *c, const void *buf, size_t n);
/* The descriptor a transport reads from (serve --stdio's relay). */
int rp_transport_read_fd(const struct rp_transport *t);
/* codec.c: the header of an OUTPUT (or, with lz4, OUTPUT_LZ4) frame with
 * its ack, for a body of body_len bytes queued after it. */
void rp_output_hdr_encode(uint8_t out[RP_HDR_SIZE + 4], bool lz4, uint16_t chan, uint32_t ack,
			  uint32_t body_len);

#endif
