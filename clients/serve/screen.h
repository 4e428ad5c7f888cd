/* struct screen: a session's screen as the host keeps it, for reattach.
 *
 * libvterm's parser and state draw into telly's cells; the screen and a
 * bounded scrollback are one ring of lines. Output is drawn in batches
 * (see screen_feed), so the readers below bring it up to date first;
 * the owner settles it when output pauses. A snapshot is a byte
 * stream that, written to a terminal of the same size, leaves it showing
 * the recent scrollback (in its history) and then the current screen, the
 * cursor and the modes libvterm reports: what a viewer gets on attach, or
 * when it fell behind, instead of a replay of old output.
 */
#ifndef TELLY_SERVE_SCREEN_H
#define TELLY_SERVE_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct screen;

/* A growable byte buffer for snapshots. */
struct screen_bytes {
	char *p;
	size_t len, cap;
	int err; /* -ENOMEM once an append failed */
};
void screen_bytes_put(struct screen_bytes *b, const void *p, size_t n);
void screen_bytes_printf(struct screen_bytes *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void screen_bytes_finish(struct screen_bytes *b);

/* sb_lines and sb_bytes bound the scrollback. */
struct screen *screen_create(int rows, int cols, unsigned sb_lines, size_t sb_bytes);
/* A screen for output nobody may look at for days (a console): nothing
 * is parsed as it comes. The last keep_bytes of output are kept (from the
 * start of a line, in one buffer allocated when the first byte comes),
 * with the size changes among them, and the screen is built from them
 * for each reader below (snapshot, row_text) and freed after: the reader
 * gets what an eager screen fed the bytes kept, at the same sizes, would
 * give. Lines before those (beyond a screen and its scrollback, if the
 * output is lines of text) are not in the replay; the owner's log keeps
 * them. settle frees nothing (there is nothing drawn); work and skipped
 * count the readers' drawing. */
struct screen *screen_create_lazy(int rows, int cols, unsigned sb_lines, size_t sb_bytes,
					size_t keep_bytes);
void screen_destroy(struct screen *s); /* takes NULL */
/* Output is kept (up to a batch of 1 MiB) and drawn when a batch is full,
 * a reader below needs it, or at screen_settle. Plain lines that would
 * scroll out of the scrollback before the end are dropped as they come,
 * so a flood of text is scanned, not drawn. */
void screen_feed(struct screen *s, const void *buf, size_t n);
/* Cells drawn, moved or cleared so far: what output has cost. A byte
 * can cost a whole screen (an insert-line at the top moves every row),
 * so the owner paces a program's output by this, not by its bytes. */
uint64_t screen_work(const struct screen *s);
/* Bytes of output not drawn because drawing them at once would have
 * cost too much (each call in draws at most a bounded amount): the
 * host's copy of the screen is then not exact until the program draws
 * it again. Viewers and the log get every byte regardless. */
uint64_t screen_skipped(const struct screen *s);
/* Draws what is kept and frees the batch: for when output pauses. */
void screen_settle(struct screen *s);
void screen_resize(struct screen *s, int rows, int cols);
/* Appends the snapshot, with up to sb_max scrollback lines. */
void screen_snapshot(struct screen *s, unsigned sb_max, struct screen_bytes *out);
/* The text of one screen row (UTF-8, trailing blanks trimmed), for tests
 * and titles. Returns its length. */
size_t screen_row_text(struct screen *s, int row, char *buf, size_t n);
/* Plain text is drawn without libvterm's per-character work unless this
 * is turned off; tests compare the two. On by default. */
void screen_set_fast(struct screen *s, bool on);

#endif
