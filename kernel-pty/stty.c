/* stty(1) words on a kpty_termios, as GNU coreutils' stty applies them.
 *
 * The tables follow coreutils' stty.c: each flag word with whether a leading
 * '-' may reverse it and what `sane` does to it; control-character words
 * with their sane values; combination words spelled out in apply_combo().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stty.h"

enum field { IFLAG, OFLAG, CFLAG, LFLAG };

#define REV 1        /* may be negated with '-' */
#define SANE_SET 2
#define SANE_UNSET 4

struct mode_word {
	const char *name;
	enum field field;
	int flags;
	uint32_t bits, mask; /* mask: the multi-bit field the bits live in */
};

static const struct mode_word modes[] = {
	{"parenb", CFLAG, REV, KPTY_PARENB, 0},
	{"parodd", CFLAG, REV, KPTY_PARODD, 0},
	{"cmspar", CFLAG, REV, KPTY_CMSPAR, 0},
	{"cs5", CFLAG, 0, KPTY_CS5, KPTY_CSIZE},
	{"cs6", CFLAG, 0, KPTY_CS6, KPTY_CSIZE},
	{"cs7", CFLAG, 0, KPTY_CS7, KPTY_CSIZE},
	{"cs8", CFLAG, 0, KPTY_CS8, KPTY_CSIZE},
	{"hupcl", CFLAG, REV, KPTY_HUPCL, 0},
	{"hup", CFLAG, REV, KPTY_HUPCL, 0},
	{"cstopb", CFLAG, REV, KPTY_CSTOPB, 0},
	{"cread", CFLAG, SANE_SET | REV, KPTY_CREAD, 0},
	{"clocal", CFLAG, REV, KPTY_CLOCAL, 0},
	{"crtscts", CFLAG, REV, KPTY_CRTSCTS, 0},

	{"ignbrk", IFLAG, SANE_UNSET | REV, KPTY_IGNBRK, 0},
	{"brkint", IFLAG, SANE_SET | REV, KPTY_BRKINT, 0},
	{"ignpar", IFLAG, REV, KPTY_IGNPAR, 0},
	{"parmrk", IFLAG, REV, KPTY_PARMRK, 0},
	{"inpck", IFLAG, REV, KPTY_INPCK, 0},
	{"istrip", IFLAG, REV, KPTY_ISTRIP, 0},
	{"inlcr", IFLAG, SANE_UNSET | REV, KPTY_INLCR, 0},
	{"igncr", IFLAG, SANE_UNSET | REV, KPTY_IGNCR, 0},
	{"icrnl", IFLAG, SANE_SET | REV, KPTY_ICRNL, 0},
	{"ixon", IFLAG, REV, KPTY_IXON, 0},
	{"ixoff", IFLAG, SANE_UNSET | REV, KPTY_IXOFF, 0},
	{"tandem", IFLAG, REV, KPTY_IXOFF, 0},
	{"iuclc", IFLAG, SANE_UNSET | REV, KPTY_IUCLC, 0},
	{"ixany", IFLAG, SANE_UNSET | REV, KPTY_IXANY, 0},
	{"imaxbel", IFLAG, SANE_SET | REV, KPTY_IMAXBEL, 0},
	{"iutf8", IFLAG, SANE_UNSET | REV, KPTY_IUTF8, 0},

	{"opost", OFLAG, SANE_SET | REV, KPTY_OPOST, 0},
	{"olcuc", OFLAG, SANE_UNSET | REV, KPTY_OLCUC, 0},
	{"ocrnl", OFLAG, SANE_UNSET | REV, KPTY_OCRNL, 0},
	{"onlcr", OFLAG, SANE_SET | REV, KPTY_ONLCR, 0},
	{"onocr", OFLAG, SANE_UNSET | REV, KPTY_ONOCR, 0},
	{"onlret", OFLAG, SANE_UNSET | REV, KPTY_ONLRET, 0},
	{"ofill", OFLAG, SANE_UNSET | REV, KPTY_OFILL, 0},
	{"ofdel", OFLAG, SANE_UNSET | REV, KPTY_OFDEL, 0},
	{"nl1", OFLAG, SANE_UNSET, 0000400, KPTY_NLDLY},
	{"nl0", OFLAG, SANE_SET, 0, KPTY_NLDLY},
	{"cr3", OFLAG, SANE_UNSET, 0003000, KPTY_CRDLY},
	{"cr2", OFLAG, SANE_UNSET, 0002000, KPTY_CRDLY},
	{"cr1", OFLAG, SANE_UNSET, 0001000, KPTY_CRDLY},
	{"cr0", OFLAG, SANE_SET, 0, KPTY_CRDLY},
	{"tab3", OFLAG, SANE_UNSET, 0014000, KPTY_TABDLY},
	{"tab2", OFLAG, SANE_UNSET, 0010000, KPTY_TABDLY},
	{"tab1", OFLAG, SANE_UNSET, 0004000, KPTY_TABDLY},
	{"tab0", OFLAG, SANE_SET, 0, KPTY_TABDLY},
	{"bs1", OFLAG, SANE_UNSET, 0020000, KPTY_BSDLY},
	{"bs0", OFLAG, SANE_SET, 0, KPTY_BSDLY},
	{"vt1", OFLAG, SANE_UNSET, 0040000, KPTY_VTDLY},
	{"vt0", OFLAG, SANE_SET, 0, KPTY_VTDLY},
	{"ff1", OFLAG, SANE_UNSET, 0100000, KPTY_FFDLY},
	{"ff0", OFLAG, SANE_SET, 0, KPTY_FFDLY},

	{"isig", LFLAG, SANE_SET | REV, KPTY_ISIG, 0},
	{"icanon", LFLAG, SANE_SET | REV, KPTY_ICANON, 0},
	{"iexten", LFLAG, SANE_SET | REV, KPTY_IEXTEN, 0},
	{"echo", LFLAG, SANE_SET | REV, KPTY_ECHO, 0},
	{"echoe", LFLAG, SANE_SET | REV, KPTY_ECHOE, 0},
	{"crterase", LFLAG, REV, KPTY_ECHOE, 0},
	{"echok", LFLAG, SANE_SET | REV, KPTY_ECHOK, 0},
	{"echonl", LFLAG, SANE_UNSET | REV, KPTY_ECHONL, 0},
	{"noflsh", LFLAG, SANE_UNSET | REV, KPTY_NOFLSH, 0},
	{"xcase", LFLAG, SANE_UNSET | REV, KPTY_XCASE, 0},
	{"tostop", LFLAG, SANE_UNSET | REV, KPTY_TOSTOP, 0},
	{"echoprt", LFLAG, SANE_UNSET | REV, KPTY_ECHOPRT, 0},
	{"prterase", LFLAG, REV, KPTY_ECHOPRT, 0},
	{"echoctl", LFLAG, SANE_SET | REV, KPTY_ECHOCTL, 0},
	{"ctlecho", LFLAG, REV, KPTY_ECHOCTL, 0},
	{"echoke", LFLAG, SANE_SET | REV, KPTY_ECHOKE, 0},
	{"crtkill", LFLAG, REV, KPTY_ECHOKE, 0},
	{"flusho", LFLAG, SANE_UNSET | REV, KPTY_FLUSHO, 0},
	{"extproc", LFLAG, SANE_UNSET | REV, KPTY_EXTPROC, 0},
};

struct cc_word {
	const char *name;
	int index;
	uint8_t sane;
};

static const struct cc_word ccs[] = {
	{"intr", KPTY_VINTR, 003},     {"quit", KPTY_VQUIT, 034},
	{"erase", KPTY_VERASE, 0177},  {"kill", KPTY_VKILL, 025},
	{"eof", KPTY_VEOF, 004},       {"eol", KPTY_VEOL, 0},
	{"eol2", KPTY_VEOL2, 0},       {"swtch", KPTY_VSWTC, 0},
	{"start", KPTY_VSTART, 021},   {"stop", KPTY_VSTOP, 023},
	{"susp", KPTY_VSUSP, 032},     {"rprnt", KPTY_VREPRINT, 022},
	{"werase", KPTY_VWERASE, 027}, {"lnext", KPTY_VLNEXT, 026},
	{"discard", KPTY_VDISCARD, 017}, {"min", KPTY_VMIN, 1},
	{"time", KPTY_VTIME, 0},
};

static uint32_t *field_of(struct kpty_termios *t, enum field f)
{
	switch (f) {
	case IFLAG: return &t->c_iflag;
	case OFLAG: return &t->c_oflag;
	case CFLAG: return &t->c_cflag;
	default: return &t->c_lflag;
	}
}

static void sane(struct kpty_termios *t)
{
	for (size_t i = 0; i < sizeof ccs / sizeof ccs[0]; i++)
		t->c_cc[ccs[i].index] = ccs[i].sane;
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		uint32_t *f = field_of(t, modes[i].field);
		if (modes[i].flags & SANE_SET)
			*f = (*f & ~modes[i].mask) | modes[i].bits;
		else if (modes[i].flags & SANE_UNSET)
			*f = *f & ~modes[i].mask & ~modes[i].bits;
	}
}

/* Returns 1 if name was a combination word, 0 if not, -1 if it may not be
 * negated. */
static int apply_combo(struct kpty_termios *t, const char *name, bool rev)
{
	const uint32_t CS = KPTY_CSIZE;

	if (!strcmp(name, "evenp") || !strcmp(name, "parity")) {
		if (rev)
			t->c_cflag = (t->c_cflag & ~KPTY_PARENB & ~CS) | KPTY_CS8;
		else
			t->c_cflag = (t->c_cflag & ~KPTY_PARODD & ~CS) | KPTY_PARENB | KPTY_CS7;
	} else if (!strcmp(name, "oddp")) {
		if (rev)
			t->c_cflag = (t->c_cflag & ~KPTY_PARENB & ~CS) | KPTY_CS8;
		else
			t->c_cflag = (t->c_cflag & ~CS) | KPTY_CS7 | KPTY_PARODD | KPTY_PARENB;
	} else if (!strcmp(name, "nl")) {
		if (rev) {
			t->c_iflag = (t->c_iflag | KPTY_ICRNL) & ~KPTY_INLCR & ~KPTY_IGNCR;
			t->c_oflag = (t->c_oflag | KPTY_ONLCR) & ~KPTY_OCRNL & ~KPTY_ONLRET;
		} else {
			t->c_iflag &= ~KPTY_ICRNL;
			t->c_oflag &= ~KPTY_ONLCR;
		}
	} else if (!strcmp(name, "cbreak")) {
		if (rev)
			t->c_lflag |= KPTY_ICANON;
		else
			t->c_lflag &= ~KPTY_ICANON;
	} else if (!strcmp(name, "pass8")) {
		if (rev) {
			t->c_cflag = (t->c_cflag & ~CS) | KPTY_CS7 | KPTY_PARENB;
			t->c_iflag |= KPTY_ISTRIP;
		} else {
			t->c_cflag = (t->c_cflag & ~KPTY_PARENB & ~CS) | KPTY_CS8;
			t->c_iflag &= ~KPTY_ISTRIP;
		}
	} else if (!strcmp(name, "litout")) {
		if (rev) {
			t->c_cflag = (t->c_cflag & ~CS) | KPTY_CS7 | KPTY_PARENB;
			t->c_iflag |= KPTY_ISTRIP;
			t->c_oflag |= KPTY_OPOST;
		} else {
			t->c_cflag = (t->c_cflag & ~KPTY_PARENB & ~CS) | KPTY_CS8;
			t->c_iflag &= ~KPTY_ISTRIP;
			t->c_oflag &= ~KPTY_OPOST;
		}
	} else if (!strcmp(name, "raw") || !strcmp(name, "cooked")) {
		if ((name[0] == 'r' && rev) || (name[0] == 'c' && !rev)) {
			t->c_iflag |= KPTY_BRKINT | KPTY_IGNPAR | KPTY_ISTRIP | KPTY_ICRNL | KPTY_IXON;
			t->c_oflag |= KPTY_OPOST;
			t->c_lflag |= KPTY_ISIG | KPTY_ICANON;
		} else {
			t->c_iflag = 0;
			t->c_oflag &= ~KPTY_OPOST;
			t->c_lflag &= ~(KPTY_ISIG | KPTY_ICANON | KPTY_XCASE);
			t->c_cc[KPTY_VMIN] = 1;
			t->c_cc[KPTY_VTIME] = 0;
		}
	} else if (!strcmp(name, "decctlq")) {
		if (rev)
			t->c_iflag |= KPTY_IXANY;
		else
			t->c_iflag &= ~KPTY_IXANY;
	} else if (!strcmp(name, "tabs")) {
		t->c_oflag = (t->c_oflag & ~KPTY_TABDLY) | (rev ? KPTY_XTABS : 0);
	} else if (!strcmp(name, "lcase") || !strcmp(name, "LCASE")) {
		if (rev) {
			t->c_lflag &= ~KPTY_XCASE;
			t->c_iflag &= ~KPTY_IUCLC;
			t->c_oflag &= ~KPTY_OLCUC;
		} else {
			t->c_lflag |= KPTY_XCASE;
			t->c_iflag |= KPTY_IUCLC;
			t->c_oflag |= KPTY_OLCUC;
		}
	} else if (!strcmp(name, "sane") || !strcmp(name, "ek") || !strcmp(name, "crt") ||
		   !strcmp(name, "dec")) {
		if (rev)
			return -1;
		if (name[0] == 's') {
			sane(t);
		} else if (name[0] == 'e') {
			t->c_cc[KPTY_VERASE] = 0177;
			t->c_cc[KPTY_VKILL] = 025;
		} else if (name[1] == 'r') {
			t->c_lflag |= KPTY_ECHOE | KPTY_ECHOCTL | KPTY_ECHOKE;
		} else {
			t->c_cc[KPTY_VINTR] = 3;
			t->c_cc[KPTY_VERASE] = 127;
			t->c_cc[KPTY_VKILL] = 21;
			t->c_lflag |= KPTY_ECHOE | KPTY_ECHOCTL | KPTY_ECHOKE;
			t->c_iflag &= ~KPTY_IXANY;
		}
	} else {
		return 0;
	}
	return 1;
}

/* A number as stty reads one: decimal, 0x hex or 0 octal, at most max. */
static bool parse_int(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+')
		return false;
	v = strtoul(s, &end, 0);
	if (*end || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_cc(const struct cc_word *w, const char *arg, uint8_t *out)
{
	unsigned long v;

	if (w->index == KPTY_VMIN || w->index == KPTY_VTIME) {
		if (!parse_int(arg, 255, &v))
			return false;
		*out = (uint8_t)v;
	} else if (arg[0] == '\0' || arg[1] == '\0') {
		*out = (uint8_t)arg[0];
	} else if (!strcmp(arg, "^-") || !strcmp(arg, "undef")) {
		*out = 0;
	} else if (arg[0] == '^' && arg[2] == '\0') {
		*out = arg[1] == '?' ? 127 : (uint8_t)(arg[1] & ~0140);
	} else {
		if (!parse_int(arg, 255, &v))
			return false;
		*out = (uint8_t)v;
	}
	return true;
}

int kpty_stty(struct kpty_termios *t, int argc, char *const *argv, char *err, size_t errlen)
{
	for (int i = 0; i < argc; i++) {
		const char *word = argv[i];
		bool rev = word[0] == '-';
		const char *name = rev ? word + 1 : word;
		bool known = false;

		for (size_t j = 0; j < sizeof modes / sizeof modes[0]; j++) {
			if (strcmp(name, modes[j].name))
				continue;
			if (rev && !(modes[j].flags & REV))
				break;
			uint32_t *f = field_of(t, modes[j].field);
			*f &= ~modes[j].mask;
			if (rev)
				*f &= ~modes[j].bits;
			else
				*f |= modes[j].bits;
			known = true;
			break;
		}
		if (known)
			continue;
		int c = apply_combo(t, name, rev);
		if (c > 0)
			continue;
		if (c == 0 && !rev) {
			for (size_t j = 0; j < sizeof ccs / sizeof ccs[0]; j++) {
				if (strcmp(name, ccs[j].name))
					continue;
				if (i + 1 >= argc) {
					snprintf(err, errlen, "missing argument to '%s'", word);
					return -1;
				}
				if (!parse_cc(&ccs[j], argv[i + 1], &t->c_cc[ccs[j].index])) {
					snprintf(err, errlen, "invalid integer argument '%s' to '%s'",
						 argv[i + 1], word);
					return -1;
				}
				known = true;
				i++;
				break;
			}
		}
		if (!known) {
			snprintf(err, errlen, "invalid argument '%s'", word);
			return -1;
		}
	}
	return 0;
}
