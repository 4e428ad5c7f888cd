/* ttyscript parser and interpreter. Bounded: a script line is at most
 * MAX_LINE bytes, a string at most MAX_STR bytes, reads at most 64 KiB. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"
#include "stty.h"

#define MAX_LINE 65536
#define MAX_STR 65536
#define MAX_READ 65536
#define MAX_WORDS 64

static void perr(const char *name, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", name, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse a quoted string at *p into out (MAX_STR); advance *p past it. */
static int parse_string(const char **p, unsigned char *out, size_t *len, const char **why)
{
	const char *s = *p;
	size_t n = 0;

	if (*s != '"') {
		*why = "expected a double-quoted string";
		return -1;
	}
	s++;
	while (*s && *s != '"') {
		int c = (unsigned char)*s++;
		if (c == '\\') {
			int e = (unsigned char)*s++;
			switch (e) {
			case 'r': c = '\r'; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'e': c = 033; break;
			case '\\': c = '\\'; break;
			case '"': c = '"'; break;
			case 'x': {
				int h = hexval(s[0]), l = h < 0 ? -1 : hexval(s[1]);
				if (h < 0 || l < 0) {
					*why = "\\x needs two hex digits";
					return -1;
				}
				c = h * 16 + l;
				s += 2;
				break;
			}
			default:
				*why = "unknown escape (use \\r \\n \\t \\\\ \\\" \\e \\xHH)";
				return -1;
			}
		}
		if (n >= MAX_STR) {
			*why = "string too long";
			return -1;
		}
		out[n++] = (unsigned char)c;
	}
	if (*s != '"') {
		*why = "unterminated string";
		return -1;
	}
	*p = s + 1;
	*len = n;
	return 0;
}

/* Between words: a CR too (a stray one of a CRLF file), so what is
 * printed back (a CR ends a line there) parses the same. */
static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int split_words(char *s, char **w, int max)
{
	int n = 0;

	for (;;) {
		while (blank(*s))
			s++;
		if (!*s)
			return n;
		if (n == max)
			return -1;
		w[n++] = s;
		while (*s && !blank(*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int sig_by_name(const char *s)
{
	if (!strcmp(s, "SIGINT"))
		return SIGINT;
	if (!strcmp(s, "SIGQUIT"))
		return SIGQUIT;
	if (!strcmp(s, "SIGTSTP"))
		return SIGTSTP;
	return -1;
}

static struct ts_op *push_op(struct ts_script *s)
{
	if (s->nops == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct ts_op *o = realloc(s->ops, cap * sizeof *o);
		if (!o)
			return NULL;
		s->ops = o;
		s->cap = cap;
	}
	memset(&s->ops[s->nops], 0, sizeof s->ops[0]);
	return &s->ops[s->nops++];
}

static int parse_line(struct ts_script *s, const char *name, int lineno, char *line,
		      unsigned char *strbuf)
{
	char *words[MAX_WORDS];
	const char *why = NULL;
	char *rest;
	struct ts_op *op;
	int nw;

	while (blank(*line))
		line++;
	if (!*line || *line == '#')
		return 0;
	rest = line;
	while (*rest && !blank(*rest))
		rest++;
	if (*rest)
		*rest++ = '\0';
	while (blank(*rest))
		rest++;

	op = push_op(s);
	if (!op) {
		perr(name, lineno, "out of memory");
		return -1;
	}
	op->line = lineno;
	if (!strcmp(line, "mwrite") || !strcmp(line, "swrite")) {
		const char *p = rest;
		op->kind = line[0] == 'm' ? TS_MWRITE : TS_SWRITE;
		if (parse_string(&p, strbuf, &op->len, &why) < 0) {
			perr(name, lineno, "%s: %s", line, why);
			return -1;
		}
		while (blank(*p))
			p++;
		if (*p) {
			perr(name, lineno, "%s: unexpected text after the string", line);
			return -1;
		}
		op->str = malloc(op->len ? op->len : 1);
		if (!op->str)
			return -1;
		memcpy(op->str, strbuf, op->len);
		return 0;
	}
	nw = split_words(rest, words, MAX_WORDS);
	if (nw < 0) {
		perr(name, lineno, "too many words");
		return -1;
	}
	if (!strcmp(line, "sread") || !strcmp(line, "bread")) {
		op->kind = line[0] == 's' ? TS_SREAD : TS_BREAD;
		op->n[0] = 4096;
		if (nw > 1 || (nw == 1 && !parse_long(words[0], 1, MAX_READ, &op->n[0]))) {
			perr(name, lineno, "%s takes one optional byte count from 1 to %d", line,
			     MAX_READ);
			return -1;
		}
	} else if (!strcmp(line, "mread") || !strcmp(line, "sigs") || !strcmp(line, "mclose") ||
		   !strcmp(line, "sclose")) {
		op->kind = line[0] == 'm' ? (line[1] == 'r' ? TS_MREAD : TS_MCLOSE)
			 : (line[1] == 'i' ? TS_SIGS : TS_SCLOSE);
		if (nw) {
			perr(name, lineno, "%s takes no arguments", line);
			return -1;
		}
	} else if (!strcmp(line, "winsize")) {
		op->kind = TS_WINSIZE;
		if (nw != 2 || !parse_long(words[0], 0, 65535, &op->n[0]) ||
		    !parse_long(words[1], 0, 65535, &op->n[1])) {
			perr(name, lineno, "winsize takes ROWS COLS (0 to 65535)");
			return -1;
		}
	} else if (!strcmp(line, "stty")) {
		struct kpty_termios t;
		char err[200];
		op->kind = TS_STTY;
		if (!nw) {
			perr(name, lineno, "stty needs at least one setting");
			return -1;
		}
		kpty_termios_default(&t);
		if (kpty_stty(&t, nw, words, err, sizeof err) < 0) {
			perr(name, lineno, "stty: %s", err);
			return -1;
		}
		op->argv = calloc((size_t)nw, sizeof *op->argv);
		if (!op->argv)
			return -1;
		for (int i = 0; i < nw; i++) {
			op->argv[i] = strdup(words[i]);
			if (!op->argv[i])
				return -1;
			op->argc = i + 1;
		}
	} else if (!strcmp(line, "packet")) {
		op->kind = TS_PACKET;
		if (nw != 1 || (strcmp(words[0], "on") && strcmp(words[0], "off"))) {
			perr(name, lineno, "packet takes on or off");
			return -1;
		}
		op->n[0] = !strcmp(words[0], "on");
	} else if (!strcmp(line, "msig")) {
		op->kind = TS_MSIG;
		if (nw != 1 || (op->n[0] = sig_by_name(words[0])) < 0) {
			perr(name, lineno, "msig takes SIGINT, SIGQUIT or SIGTSTP");
			return -1;
		}
	} else if (!strcmp(line, "sflush")) {
		op->kind = TS_SFLUSH;
		if (nw != 1 || (strcmp(words[0], "in") && strcmp(words[0], "out") &&
				strcmp(words[0], "both"))) {
			perr(name, lineno, "sflush takes in, out or both");
			return -1;
		}
		op->n[0] = words[0][0] == 'i' ? 0 : words[0][0] == 'o' ? 1 : 2;
	} else {
		s->nops--;
		perr(name, lineno, "unknown operation '%s'", line);
		return -1;
	}
	return 0;
}

int ts_parse(struct ts_script *s, const char *name, const char *text, size_t n)
{
	const char *end = text + n;
	unsigned char *strbuf = malloc(MAX_STR);
	char *line = malloc(MAX_LINE + 1);
	int lineno = 0, rc = 0;

	memset(s, 0, sizeof *s);
	if (!strbuf || !line) {
		fprintf(stderr, "%s: out of memory\n", name);
		rc = -1;
		goto out;
	}
	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t len = nl ? (size_t)(nl - text) : (size_t)(end - text);
		lineno++;
		if (len > MAX_LINE) {
			perr(name, lineno, "line longer than %d bytes", MAX_LINE);
			rc = -1;
			break;
		}
		memcpy(line, text, len);
		line[len] = '\0';
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		if (memchr(text, '\0', len)) {
			perr(name, lineno, "NUL byte in script");
			rc = -1;
			break;
		}
		if (parse_line(s, name, lineno, line, strbuf) < 0) {
			rc = -1;
			break;
		}
		text += len + (nl != NULL);
	}
out:
	free(strbuf);
	free(line);
	if (rc)
		ts_free(s);
	return rc;
}

void ts_free(struct ts_script *s)
{
	for (size_t i = 0; i < s->nops; i++) {
		free(s->ops[i].str);
		for (int j = 0; j < s->ops[i].argc; j++)
			free(s->ops[i].argv[j]);
		free(s->ops[i].argv);
	}
	free(s->ops);
	memset(s, 0, sizeof *s);
}

void ts_print_bytes(FILE *f, const unsigned char *b, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned c = b[i];
		switch (c) {
		case '\\': fputs("\\\\", f); break;
		case '"': fputs("\\\"", f); break;
		case '\r': fputs("\\r", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case 033: fputs("\\e", f); break;
		default:
			if (c >= 0x20 && c < 0x7f)
				fputc((int)c, f);
			else
				fprintf(f, "\\x%02x", c);
		}
	}
	fputc('"', f);
}

static const char *const sflush_words[] = {"in", "out", "both"};

void ts_print(FILE *f, const struct ts_script *s)
{
	for (size_t i = 0; i < s->nops; i++) {
		const struct ts_op *o = &s->ops[i];
		switch (o->kind) {
		case TS_MWRITE:
		case TS_SWRITE:
			fputs(o->kind == TS_MWRITE ? "mwrite " : "swrite ", f);
			ts_print_bytes(f, o->str, o->len);
			break;
		case TS_SREAD: fprintf(f, "sread %ld", o->n[0]); break;
		case TS_BREAD: fprintf(f, "bread %ld", o->n[0]); break;
		case TS_MREAD: fputs("mread", f); break;
		case TS_WINSIZE: fprintf(f, "winsize %ld %ld", o->n[0], o->n[1]); break;
		case TS_SIGS: fputs("sigs", f); break;
		case TS_MCLOSE: fputs("mclose", f); break;
		case TS_SCLOSE: fputs("sclose", f); break;
		case TS_STTY:
			fputs("stty", f);
			for (int j = 0; j < o->argc; j++)
				fprintf(f, " %s", o->argv[j]);
			break;
		case TS_PACKET: fprintf(f, "packet %s", o->n[0] ? "on" : "off"); break;
		case TS_MSIG: fprintf(f, "msig %s", ts_signame((int)o->n[0])); break;
		case TS_SFLUSH: fprintf(f, "sflush %s", sflush_words[o->n[0]]); break;
		}
		fputc('\n', f);
	}
}

const char *ts_errname(int err)
{
	static const struct { int e; const char *n; } names[] = {
		{EAGAIN, "EAGAIN"}, {EIO, "EIO"}, {EINTR, "EINTR"}, {EBADF, "EBADF"},
		{EINVAL, "EINVAL"}, {ENOTTY, "ENOTTY"}, {EPERM, "EPERM"}, {ENXIO, "ENXIO"},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].e == err)
			return names[i].n;
	return "EUNKNOWN";
}

const char *ts_signame(int sig)
{
	static const char *const names[32] = {
		[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT",
		[SIGILL] = "SIGILL", [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE", [SIGUSR1] = "SIGUSR1",
		[SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2", [SIGPIPE] = "SIGPIPE",
		[SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
		[SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT", [SIGTSTP] = "SIGTSTP",
		[SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG",
		[SIGXCPU] = "SIGXCPU", [SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM",
		[SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO",
		[SIGPWR] = "SIGPWR", [SIGSYS] = "SIGSYS",
	};
	return sig > 0 && sig < 32 && names[sig] ? names[sig] : "SIG?";
}

static void print_err(FILE *out, const char *op, long r)
{
	fprintf(out, "%s %s\n", op, ts_errname((int)-r));
}

/* Write all of it, as far as the other side takes; print only a stop. */
static void do_write(FILE *out, const char *name,
		     long (*wr)(void *, const void *, size_t), void *ctx,
		     const unsigned char *b, size_t n)
{
	size_t taken = 0;

	while (taken < n) {
		long r = wr(ctx, b + taken, n - taken);
		if (r < 0) {
			fprintf(out, "%s %s %zu\n", name, ts_errname((int)-r), taken);
			return;
		}
		if (r == 0) {
			fprintf(out, "%s EAGAIN %zu\n", name, taken);
			return;
		}
		taken += (size_t)r;
	}
}

static void do_mread(FILE *out, const struct ts_backend *b, bool packet, unsigned char *buf)
{
	/* Plain mode prints the concatenation. In packet mode every read is
	 * a packet (status byte first), so each is printed on its own. */
	size_t total = 0;
	bool first = true;

	fputs("mread", out);
	for (;;) {
		long r = b->mread(b->ctx, packet ? buf : buf + total,
				  packet ? 4096 : MAX_READ - total);
		if (r <= 0) {
			if (first && r < 0 && r != -EAGAIN) {
				fprintf(out, " %s\n", ts_errname((int)-r));
				return;
			}
			break;
		}
		first = false;
		if (packet) {
			fputc(' ', out);
			ts_print_bytes(out, buf, (size_t)r);
		} else {
			total += (size_t)r;
			if (total == MAX_READ)
				break;
		}
		b->settle(b->ctx);
	}
	if (!packet) {
		fputc(' ', out);
		ts_print_bytes(out, buf, total);
	} else if (first) {
		fputs(" \"\"", out);
	}
	fputc('\n', out);
}

int ts_run(const struct ts_script *s, size_t nops, const struct ts_backend *b, FILE *out)
{
	unsigned char *buf = malloc(MAX_READ);
	bool packet = false;
	int rc = 0;

	if (!buf)
		return -1;
	for (size_t i = 0; i < nops && i < s->nops; i++) {
		const struct ts_op *o = &s->ops[i];
		long r;

		b->settle(b->ctx);
		switch (o->kind) {
		case TS_MWRITE:
			do_write(out, "mwrite", b->mwrite, b->ctx, o->str, o->len);
			break;
		case TS_SWRITE:
			do_write(out, "swrite", b->swrite, b->ctx, o->str, o->len);
			break;
		case TS_SREAD:
		case TS_BREAD:
			r = b->sread(b->ctx, buf, (size_t)o->n[0], o->kind == TS_BREAD);
			fputs(o->kind == TS_SREAD ? "sread " : "bread ", out);
			if (r < 0)
				fputs(ts_errname((int)-r), out);
			else if (r == 0)
				fputs("EOF", out);
			else
				ts_print_bytes(out, buf, (size_t)r);
			fputc('\n', out);
			break;
		case TS_MREAD:
			do_mread(out, b, packet, buf);
			break;
		case TS_WINSIZE:
			if ((r = b->winsize(b->ctx, (unsigned)o->n[0], (unsigned)o->n[1])) < 0)
				print_err(out, "winsize", r);
			break;
		case TS_SIGS: {
			unsigned long set = b->sigs(b->ctx);
			fputs("sigs", out);
			if (!set)
				fputs(" -", out);
			for (int sig = 1; sig < 32; sig++)
				if (set & (1ul << sig))
					fprintf(out, " %s", ts_signame(sig));
			fputc('\n', out);
			break;
		}
		case TS_MCLOSE:
			if ((r = b->mclose(b->ctx)) < 0)
				print_err(out, "mclose", r);
			break;
		case TS_SCLOSE:
			if ((r = b->sclose(b->ctx)) < 0)
				print_err(out, "sclose", r);
			break;
		case TS_STTY: {
			struct kpty_termios t;
			char err[200];
			if ((r = b->getattr(b->ctx, &t)) < 0) {
				print_err(out, "stty", r);
				break;
			}
			if (kpty_stty(&t, o->argc, o->argv, err, sizeof err) < 0) {
				fprintf(stderr, "line %d: stty: %s\n", o->line, err);
				rc = -1;
				goto done;
			}
			if ((r = b->setattr(b->ctx, &t)) < 0)
				print_err(out, "stty", r);
			break;
		}
		case TS_PACKET:
			if ((r = b->packet(b->ctx, o->n[0] != 0)) < 0)
				print_err(out, "packet", r);
			else
				packet = o->n[0] != 0;
			break;
		case TS_MSIG:
			if ((r = b->msig(b->ctx, (int)o->n[0])) < 0)
				print_err(out, "msig", r);
			break;
		case TS_SFLUSH:
			if ((r = b->sflush(b->ctx, (int)o->n[0])) < 0)
				print_err(out, "sflush", r);
			break;
		}
	}
	b->settle(b->ctx);
done:
	free(buf);
	fflush(out);
	return rc;
}
