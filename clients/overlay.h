/* telly attach's predictions, drawn over the person's own terminal.
 *
 * The terminal shows the true screen (the host's output) and, over it, a
 * few predicted cells and the cursor where the keys typed will put it
 * (predict/predict.h decides what). Before any output reaches the
 * terminal the overlay is taken off: the true cells under it are
 * repainted from the screen model, the cursor and the pen put back where
 * the program left them; after a batch of output, or keys, the new
 * overlay is drawn. All of it inside DEC 2026 synchronized updates, so a
 * terminal that has them never shows a half-drawn state.
 *
 * Never drawn: while the program has origin mode on (DECOM: a cursor
 * address would land elsewhere). Insert mode (IRM) is turned off for the
 * overlay's cells and back on after.
 */
#ifndef TELLY_OVERLAY_H
#define TELLY_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "predict.h"
#include "rp.h"

typedef void telly_overlay_put(void *ctx, const void *buf, size_t n);

struct telly_overlay;

/* An overlay on a rows x cols terminal; bytes for it go to put(ctx).
 * NULL if out of memory. */
struct telly_overlay *telly_overlay_create(int rows, int cols, enum pred_policy policy,
					   telly_overlay_put *put, void *ctx);
void telly_overlay_destroy(struct telly_overlay *o); /* takes NULL */

/* Bytes for the terminal (the host's output, the desk's echo), in three
 * steps so that the bytes are written before the model work:
 * telly_overlay_output_begin takes the overlay off, the caller gives the
 * bytes to the terminal, telly_overlay_output_end gives them to the
 * screen model; telly_overlay_show once the batch is done.
 * telly_overlay_output is begin and end at once (the bytes written
 * after it). */
void telly_overlay_output_begin(struct telly_overlay *o);
void telly_overlay_output_end(struct telly_overlay *o, const void *buf, size_t n);
void telly_overlay_output(struct telly_overlay *o, const void *buf, size_t n);
/* Draw what is predicted now (if it changed). True: the overlay drawn
 * changed (a key's prediction shown or taken off). */
bool telly_overlay_show(struct telly_overlay *o, long now_ms);
/* An answer held whole on a terminal with synchronized updates (DEC
 * 2026): on opens the update (if not open) and keeps it open across
 * telly_overlay_show and _repaint_row; off lets the next of them close it
 * (the terminal then shows it all at once). */
void telly_overlay_hold(struct telly_overlay *o, bool on);
bool telly_overlay_holding(const struct telly_overlay *o);
/* A synchronized update is open (the overlay came off, or a hold): what
 * is written now shows only with the rest of the batch. */
bool telly_overlay_syncing(const struct telly_overlay *o);
/* Predictions are shown now (pred_showing). */
bool telly_overlay_showing(const struct telly_overlay *o, long now_ms);
/* The predictor's smoothed round trip (ms; -1: not measured yet). */
int telly_overlay_srtt_ms(const struct telly_overlay *o);
/* Take it off for good (leaving): the terminal shows the true screen. */
void telly_overlay_hide(struct telly_overlay *o);
void telly_overlay_resize(struct telly_overlay *o, int rows, int cols);
/* Something else was drawn over row (from the bottom if negative: -1 the
 * last), a status line: its true cells back from the model, the cursor
 * and the pen where the program left them. */
void telly_overlay_repaint_row(struct telly_overlay *o, int row);

/* What the channel hands the desk. */
void telly_overlay_keys(struct telly_overlay *o, uint32_t seq, const void *buf, size_t n,
			long now_ms);
void telly_overlay_ack(struct telly_overlay *o, uint32_t seq, long now_ms);
void telly_overlay_context(struct telly_overlay *o, const struct rp_context *c);
void telly_overlay_consumed(struct telly_overlay *o, uint32_t seq);
void telly_overlay_let_go(struct telly_overlay *o, uint32_t seq, uint32_t upto);

/* One line of counts for --stats. */
void telly_overlay_print_stats(const struct telly_overlay *o, FILE *f);

#endif
