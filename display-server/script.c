/* telly view's input scripts (the tests' and the demo's): one step a line, parsed here with
 * no I/O so that every malformed line gets an error naming it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xkbcommon/xkbcommon.h>

#include "ds.h"

#define WAIT_DEFAULT_MS 20000
#define WAIT_MAX_S 3600
#define WAIT_ROW_MAX 500 /* RP_MAX_ROWS */
#define MOVE_MAX 100000
#define CLICK_WINDOW_MAX 32767 /* X coordinates are 16-bit */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A "quoted string" with C-like escapes. Returns the rest, or NULL. */
static const char *quoted(const char *p, char *out, size_t n, char *err, size_t errn)
{
	size_t o = 0;

	if (*p != '"') {
		snprintf(err, errn, "expected a \"quoted string\"");
		return NULL;
	}
	for (p++; *p && *p != '"'; p++) {
		char c = *p;
		if (c == '\\') {
			switch (*++p) {
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'e': c = 27; break;
			case '\\': c = '\\'; break;
			case '"': c = '"'; break;
			case 'x': {
				char hex[3] = {0};
				if (!p[1] || !p[2] || sscanf(p + 1, "%2[0-9a-fA-F]", hex) != 1 ||
				    strlen(hex) != 2) {
					snprintf(err, errn, "\\x wants two hex digits");
					return NULL;
				}
				c = (char)strtol(hex, NULL, 16);
				p += 2;
				break;
			}
			default:
				snprintf(err, errn, "unknown escape \\%c in string", *p ? *p : ' ');
				return NULL;
			}
		}
		if (o + 1 >= n) {
			snprintf(err, errn, "string longer than %zu bytes", n - 1);
			return NULL;
		}
		out[o++] = c;
	}
	if (*p != '"') {
		snprintf(err, errn, "string has no closing quote");
		return NULL;
	}
	out[o] = 0;
	return p + 1;
}

static bool word(const char **p, char *out, size_t n)
{
	size_t o = 0;
	const char *q = skip_ws(*p);

	while (*q && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r') {
		if (o + 1 >= n)
			return false;
		out[o++] = *q++;
	}
	out[o] = 0;
	*p = q;
	return o > 0;
}

static bool at_end(const char *p)
{
	p = skip_ws(p);
	return !*p || *p == '\n' || *p == '\r';
}

static int parse_key(const char *spec, struct ds_step *s, char *err, size_t errn)
{
	char buf[128], *save = NULL, *tok, *last = NULL;

	if (!spec[0] || spec[strlen(spec) - 1] == '+') {
		snprintf(err, errn, "key needs a name");
		return -EINVAL;
	}
	if (strlen(spec) >= sizeof buf) {
		snprintf(err, errn, "key '%s' is too long", spec);
		return -EINVAL;
	}
	strcpy(buf, spec);
	s->mods = 0;
	for (tok = strtok_r(buf, "+", &save); tok; tok = strtok_r(NULL, "+", &save)) {
		if (last) {
			if (!strcasecmp(last, "ctrl") || !strcasecmp(last, "control"))
				s->mods |= WM_MOD_CTRL;
			else if (!strcasecmp(last, "shift"))
				s->mods |= WM_MOD_SHIFT;
			else if (!strcasecmp(last, "alt") || !strcasecmp(last, "mod1"))
				s->mods |= WM_MOD_ALT;
			else if (!strcasecmp(last, "super") || !strcasecmp(last, "mod4"))
				s->mods |= WM_MOD_SUPER;
			else {
				snprintf(err, errn, "unknown modifier '%s' (ctrl, shift, alt, super)",
					 last);
				return -EINVAL;
			}
		}
		last = tok;
	}
	if (!last) {
		snprintf(err, errn, "key needs a name");
		return -EINVAL;
	}
	s->keysym = xkb_keysym_from_name(last, XKB_KEYSYM_NO_FLAGS);
	if (s->keysym == XKB_KEY_NoSymbol)
		s->keysym = xkb_keysym_from_name(last, XKB_KEYSYM_CASE_INSENSITIVE);
	if (s->keysym == XKB_KEY_NoSymbol) {
		snprintf(err, errn, "unknown key name '%s' (xkb keysym names: Return, a, F1, ...)",
			 last);
		return -EINVAL;
	}
	return 0;
}

/* [SECS] after a wait-window or wait-update. */
static int parse_timeout(const char **p, const char *cmd, struct ds_step *s, char *err,
			 size_t errn)
{
	char w[32], *end;
	double secs;

	s->timeout_ms = WAIT_DEFAULT_MS;
	if (!word(p, w, sizeof w))
		return 0;
	secs = strtod(w, &end);
	if (*end || !(secs > 0 && secs <= WAIT_MAX_S)) {
		snprintf(err, errn, "%s timeout '%s' is not 0-%d seconds", cmd, w, WAIT_MAX_S);
		return -EINVAL;
	}
	s->timeout_ms = (int)(secs * 1000);
	return 0;
}

static int parse_button(const char **p, struct ds_step *s, char *err, size_t errn)
{
	char w[32];
	char *end;
	long b;

	char *num;

	s->button = 1;
	if (!word(p, w, sizeof w))
		return 0;
	/* [MOD+]...BUTTON: shift+1 is a shift+click. */
	num = w;
	for (char *plus; (plus = strchr(num, '+')); num = plus + 1) {
		*plus = 0;
		if (!strcasecmp(num, "shift"))
			s->mods |= WM_MOD_SHIFT;
		else if (!strcasecmp(num, "ctrl") || !strcasecmp(num, "control"))
			s->mods |= WM_MOD_CTRL;
		else if (!strcasecmp(num, "alt") || !strcasecmp(num, "mod1"))
			s->mods |= WM_MOD_ALT;
		else if (!strcasecmp(num, "super") || !strcasecmp(num, "mod4"))
			s->mods |= WM_MOD_SUPER;
		else {
			snprintf(err, errn, "unknown modifier '%s' (ctrl, shift, alt, super)", num);
			return -EINVAL;
		}
	}
	b = strtol(num, &end, 10);
	if (!*num || *end || b < 1 || b > 9) {
		snprintf(err, errn, "button '%s' is not 1-9", num);
		return -EINVAL;
	}
	s->button = (int)b;
	return 0;
}

int ds_step_parse(const char *line, int lineno, struct ds_step *s, char *err, size_t errn)
{
	const char *p = skip_ws(line);
	char cmd[32], w[DS_STEP_TEXT_MAX];
	int rc = 0;

	memset(s, 0, sizeof *s);
	s->line = lineno;
	if (at_end(p) || *p == '#')
		return 0;
	if (!word(&p, cmd, sizeof cmd)) {
		snprintf(err, errn, "unknown step");
		return -EINVAL;
	}
	p = skip_ws(p);
	if (!strcmp(cmd, "type") || !strcmp(cmd, "wait")) {
		s->type = cmd[0] == 't' ? DS_STEP_TYPE : DS_STEP_WAIT;
		if (!(p = quoted(p, s->text, sizeof s->text, err, errn)))
			return -EINVAL;
		if (!s->text[0]) {
			snprintf(err, errn, "%s wants a non-empty string", cmd);
			return -EINVAL;
		}
		s->timeout_ms = WAIT_DEFAULT_MS;
		/* wait "TEXT" [SECS] [row N] */
		bool more = s->type == DS_STEP_WAIT && word(&p, w, sizeof w);
		if (more && strcmp(w, "row")) {
			char *end;
			double secs = strtod(w, &end);
			if (*end || !(secs > 0 && secs <= WAIT_MAX_S)) {
				snprintf(err, errn, "wait timeout '%s' is not 0-%d seconds", w,
					 WAIT_MAX_S);
				return -EINVAL;
			}
			s->timeout_ms = (int)(secs * 1000);
			more = word(&p, w, sizeof w);
		}
		if (more && !strcmp(w, "row")) {
			char *end = NULL;
			long row = word(&p, w, sizeof w) ? strtol(w, &end, 10) : 0;
			if (!row || *end || row < -WAIT_ROW_MAX || row > WAIT_ROW_MAX) {
				snprintf(err, errn, "wait ... row wants a row, 1 to %d or -1 to -%d",
					 WAIT_ROW_MAX, WAIT_ROW_MAX);
				return -EINVAL;
			}
			s->row = (int)row;
		} else if (more) {
			snprintf(err, errn, "unexpected '%s' after the step", w);
			return -EINVAL;
		}
	} else if (!strcmp(cmd, "key") || !strcmp(cmd, "key-down") || !strcmp(cmd, "key-up")) {
		s->type = !cmd[3] ? DS_STEP_KEY : cmd[4] == 'd' ? DS_STEP_KEY_DOWN : DS_STEP_KEY_UP;
		if (!word(&p, w, sizeof w)) {
			snprintf(err, errn, "%s needs a name, such as Return or ctrl+c", cmd);
			return -EINVAL;
		}
		rc = parse_key(w, s, err, errn);
	} else if (!strcmp(cmd, "move")) {
		char x[32], y[32], *e1, *e2;
		s->type = DS_STEP_MOVE;
		if (!word(&p, x, sizeof x) || !word(&p, y, sizeof y)) {
			snprintf(err, errn, "move wants DX DY");
			return -EINVAL;
		}
		s->dx = strtod(x, &e1);
		s->dy = strtod(y, &e2);
		if (*e1 || *e2 || !(s->dx >= -MOVE_MAX && s->dx <= MOVE_MAX) ||
		    !(s->dy >= -MOVE_MAX && s->dy <= MOVE_MAX)) {
			snprintf(err, errn, "move wants two numbers within +-%d", MOVE_MAX);
			return -EINVAL;
		}
	} else if (!strcmp(cmd, "click") || !strcmp(cmd, "press") || !strcmp(cmd, "release")) {
		s->type = cmd[0] == 'c' ? DS_STEP_CLICK : cmd[0] == 'p' ? DS_STEP_PRESS
									 : DS_STEP_RELEASE;
		rc = parse_button(&p, s, err, errn);
	} else if (!strcmp(cmd, "wait-window")) {
		s->type = DS_STEP_WAIT_WINDOW;
		if (!(p = quoted(p, s->text, sizeof s->text, err, errn)))
			return -EINVAL;
		if (!s->text[0]) {
			snprintf(err, errn, "wait-window wants a non-empty title");
			return -EINVAL;
		}
		rc = parse_timeout(&p, cmd, s, err, errn);
	} else if (!strcmp(cmd, "wait-update")) {
		s->type = DS_STEP_WAIT_UPDATE;
		rc = parse_timeout(&p, cmd, s, err, errn);
	} else if (!strcmp(cmd, "click-window")) {
		char x[32], y[32], *e1, *e2;
		long lx, ly;
		s->type = DS_STEP_CLICK_WINDOW;
		if (!word(&p, x, sizeof x) || !word(&p, y, sizeof y)) {
			snprintf(err, errn, "click-window wants X Y [BUTTON]");
			return -EINVAL;
		}
		lx = strtol(x, &e1, 10);
		ly = strtol(y, &e2, 10);
		if (*e1 || *e2 || lx < -CLICK_WINDOW_MAX || lx > CLICK_WINDOW_MAX ||
		    ly < -CLICK_WINDOW_MAX || ly > CLICK_WINDOW_MAX) {
			snprintf(err, errn, "click-window wants two whole numbers within +-%d",
				 CLICK_WINDOW_MAX);
			return -EINVAL;
		}
		s->dx = (double)lx;
		s->dy = (double)ly;
		rc = parse_button(&p, s, err, errn);
	} else if (!strcmp(cmd, "screenshot")) {
		s->type = DS_STEP_SCREENSHOT;
		if (*p == '"') {
			if (!(p = quoted(p, s->text, sizeof s->text, err, errn)))
				return -EINVAL;
		} else if (!word(&p, s->text, sizeof s->text)) {
			snprintf(err, errn, "screenshot needs a file name");
			return -EINVAL;
		}
	} else {
		snprintf(err, errn,
			 "unknown step '%s' (type, key, key-down, key-up, move, click, press, release, "
			 "wait, screenshot, wait-window, wait-update, click-window)",
			 cmd);
		return -EINVAL;
	}
	if (rc < 0)
		return rc;
	if (!at_end(p)) {
		snprintf(err, errn, "unexpected '%s' after the step", skip_ws(p));
		return -EINVAL;
	}
	return 1;
}

uint32_t ds_keysym_for(uint32_t cp)
{
	switch (cp) {
	case '\n':
	case '\r':
		return XKB_KEY_Return;
	case '\t':
		return XKB_KEY_Tab;
	case 27:
		return XKB_KEY_Escape;
	case 8:
	case 127:
		return XKB_KEY_BackSpace;
	}
	return xkb_utf32_to_keysym(cp);
}

uint32_t ds_codepoint_of(uint32_t keysym)
{
	return xkb_keysym_to_utf32(keysym);
}
