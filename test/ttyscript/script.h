/* ttyscript (../shared/ttyscript.md): parse a script, run it against a
 * backend (telly's kernel-pty, or the Linux kernel's pty), print the
 * transcript. The interpreter is shared; backends differ only in ops. */
#ifndef TS_SCRIPT_H
#define TS_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "kpty.h"

enum ts_kind {
	TS_MWRITE, TS_SWRITE, TS_SREAD, TS_MREAD, TS_WINSIZE, TS_SIGS,
	TS_MCLOSE, TS_SCLOSE, TS_STTY,
	/* telly's extensions (test/ttyscript/README.md) */
	TS_PACKET, TS_MSIG, TS_SFLUSH, TS_BREAD,
};

struct ts_op {
	enum ts_kind kind;
	int line;
	unsigned char *str; /* mwrite/swrite bytes */
	size_t len;
	long n[2];          /* sread N, winsize ROWS COLS, packet 0/1, msig, sflush */
	int argc;           /* stty words */
	char **argv;
};

struct ts_script {
	struct ts_op *ops;
	size_t nops, cap;
};

/* Parse text[0..n) (a NUL in it is an error); on error print
 * "NAME:LINE: message" to stderr, return -1. */
int ts_parse(struct ts_script *s, const char *name, const char *text, size_t n);
void ts_free(struct ts_script *s);
/* Write a script back out (used to print minimized failing scripts). */
void ts_print(FILE *f, const struct ts_script *s);
void ts_print_bytes(FILE *f, const unsigned char *b, size_t n);

struct ts_backend {
	void *ctx;
	/* Each returns bytes or a negative errno value. */
	long (*mwrite)(void *ctx, const void *b, size_t n);
	long (*swrite)(void *ctx, const void *b, size_t n);
	long (*sread)(void *ctx, void *b, size_t n, bool blocking);
	long (*mread)(void *ctx, void *b, size_t n);
	int (*winsize)(void *ctx, unsigned rows, unsigned cols);
	int (*getattr)(void *ctx, struct kpty_termios *t);
	int (*setattr)(void *ctx, const struct kpty_termios *t);
	unsigned long (*sigs)(void *ctx); /* pending set, bit N = signal N; clears */
	int (*mclose)(void *ctx);
	int (*sclose)(void *ctx);
	int (*packet)(void *ctx, bool on);
	int (*msig)(void *ctx, int sig);
	int (*sflush)(void *ctx, int queue);
	void (*settle)(void *ctx); /* wait until asynchronous work is done */
};

/* Run ops [0, nops) and print the transcript to out. Returns 0, or -1 on
 * an stty word the parser let through but the termios rejects. */
int ts_run(const struct ts_script *s, size_t nops, const struct ts_backend *b, FILE *out);

const char *ts_errname(int err);
const char *ts_signame(int sig);

#endif
