/* telly's config file (see config.h): a strict line parser, so that a
 * typing mistake in a file read at every start is said at once, with its
 * line, rather than quietly ignored. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xkbcommon/xkbcommon.h>

#include "base.h"
#include "clients.h"
#include "config.h"
#include "desk.h"

#define FONT_PX_MIN 4
#define FONT_PX_MAX 256

int telly_x_server_parse(const char *s)
{
	return !strcmp(s, "auto")   ? TELLY_X_SERVER_AUTO
	       : !strcmp(s, "xorg") ? TELLY_X_SERVER_XORG
	       : !strcmp(s, "xvfb") ? TELLY_X_SERVER_XVFB
				    : 0;
}

void telly_config_init(struct telly_config *c)
{
	memset(c, 0, sizeof *c);
	c->escape = TELLY_CONFIG_ESCAPE_UNSET;
	c->nbind = wm_default_bindings(c->bind);
}

static int bad(char *err, size_t errn, const char *name, int line, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(err, errn, "%s:%d: ", name, line);

	va_start(ap, fmt);
	if (k >= 0 && (size_t)k < errn)
		vsnprintf(err + k, errn - (size_t)k, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

bool telly_config_key(const char *s, uint32_t *mods, uint32_t *keysym)
{
	char part[64];
	xkb_keysym_t sym;

	*mods = 0;
	for (;;) {
		const char *plus = strchr(s, '+');
		size_t n = plus ? (size_t)(plus - s) : strlen(s);
		/* "+" alone (or at the end) is the plus key, not a separator. */
		if (plus && n == 0 && !plus[1])
			plus = NULL, n = 1;
		if (!n || n >= sizeof part)
			return false;
		memcpy(part, s, n);
		part[n] = 0;
		if (!plus)
			break;
		if (!strcasecmp(part, "ctrl") || !strcasecmp(part, "control"))
			*mods |= WM_MOD_CTRL;
		else if (!strcasecmp(part, "shift"))
			*mods |= WM_MOD_SHIFT;
		else if (!strcasecmp(part, "alt"))
			*mods |= WM_MOD_ALT;
		else if (!strcasecmp(part, "super"))
			*mods |= WM_MOD_SUPER;
		else
			return false;
		s = plus + 1;
	}
	sym = xkb_keysym_from_name(part, XKB_KEYSYM_NO_FLAGS);
	if (sym == XKB_KEY_NoSymbol)
		sym = xkb_keysym_from_name(part, XKB_KEYSYM_CASE_INSENSITIVE);
	if (sym == XKB_KEY_NoSymbol)
		return false;
	/* winmgr matches letters in lower case (shift makes them upper). */
	*keysym = sym >= 'A' && sym <= 'Z' ? sym + 32 : sym;
	return true;
}

static int yes_no(const char *v)
{
	return !strcmp(v, "yes") ? 1 : !strcmp(v, "no") ? -1 : 0;
}

static int set_bind(struct telly_config *c, const char *v, const char *name, int line, char *err,
		    size_t errn)
{
	char key[128];
	const char *sp = strpbrk(v, " \t");
	uint32_t mods, sym;
	enum wm_bind_action act;
	unsigned i;

	if (!sp || (size_t)(sp - v) >= sizeof key)
		return bad(err, errn, name, line, "bind wants a key and an action: bind ctrl+shift+c copy");
	memcpy(key, v, (size_t)(sp - v));
	key[sp - v] = 0;
	sp += strspn(sp, " \t");
	if (!telly_config_key(key, &mods, &sym))
		return bad(err, errn, name, line,
			   "bind: '%s' is not a key ([ctrl+|shift+|alt+|super+]...KEYSYM)", key);
	act = wm_bind_lookup(sp);
	if (act == WM_BIND_N)
		return bad(err, errn, name, line,
			   "bind: unknown action '%s' (new-terminal, next, previous, close, maximize, "
			   "copy, paste, paste-primary, none)",
			   sp);
	for (i = 0; i < c->nbind; i++)
		if (c->bind[i].mods == mods && c->bind[i].keysym == sym)
			break;
	if (i == c->nbind) {
		if (c->nbind == WM_MAX_BINDINGS)
			return bad(err, errn, name, line, "bind: more than %d bindings",
				   WM_MAX_BINDINGS);
		c->nbind++;
	}
	c->bind[i] = (struct wm_binding){mods, sym, act};
	return 0;
}

static int set_str(char *dst, const char *v, const char *what, bool *seen, const char *name,
		   int line, char *err, size_t errn)
{
	if (*seen)
		return bad(err, errn, name, line, "%s given twice", what);
	if (strlen(v) > TELLY_CONFIG_STR_MAX)
		return bad(err, errn, name, line, "%s longer than %d bytes", what, TELLY_CONFIG_STR_MAX);
	*seen = true;
	strcpy(dst, v);
	return 0;
}

/* direct yes|no [HOST...]: v is the value after the name. */
static int set_direct(struct telly_config *c, char *v, const char *name, int line, char *err,
		      size_t errn)
{
	char *h = v + strcspn(v, " \t");
	int on;

	if (*h)
		*h++ = 0;
	if (!(on = yes_no(v)))
		return bad(err, errn, name, line, "direct wants yes or no (then hosts, if any), not '%s'",
			   v);
	h += strspn(h, " \t");
	if (!*h) {
		if (c->direct)
			return bad(err, errn, name, line, "direct given twice");
		c->direct = on;
		return 0;
	}
	while (*h) {
		size_t n = strcspn(h, " \t");
		char *next = h + n;
		if (*next)
			*next++ = 0;
		if (n > TELLY_CONFIG_HOST_MAX)
			return bad(err, errn, name, line, "direct: a host longer than %d bytes",
				   TELLY_CONFIG_HOST_MAX);
		for (unsigned i = 0; i < c->ndirect_host; i++)
			if (!strcmp(c->direct_host[i].host, h))
				return bad(err, errn, name, line, "direct: host '%s' given twice", h);
		if (c->ndirect_host == TELLY_CONFIG_DIRECT_HOSTS_MAX)
			return bad(err, errn, name, line, "direct: more than %d hosts",
				   TELLY_CONFIG_DIRECT_HOSTS_MAX);
		memcpy(c->direct_host[c->ndirect_host].host, h, n + 1);
		c->direct_host[c->ndirect_host++].direct = on;
		h = next + strspn(next, " \t");
	}
	return 0;
}

/* One line: NUL-terminated, no newline, controls already refused. */
static int parse_line(struct telly_config *c, char *l, const char *name, int line, bool *seen,
		      char *err, size_t errn)
{
	char *v;
	size_t n;

	l += strspn(l, " \t");
	n = strlen(l);
	while (n && (l[n - 1] == ' ' || l[n - 1] == '\t' || l[n - 1] == '\r'))
		l[--n] = 0;
	if (!n || l[0] == '#')
		return 0;
	v = l + strcspn(l, " \t");
	if (*v)
		*v++ = 0;
	v += strspn(v, " \t");
	if (!*v)
		return bad(err, errn, name, line, "%s wants a value", l);
	if (!strcmp(l, "bind"))
		return set_bind(c, v, name, line, err, errn);
	if (!strcmp(l, "ssh"))
		return set_str(c->ssh, v, "ssh", &seen[0], name, line, err, errn);
	if (!strcmp(l, "server"))
		return set_str(c->server, v, "server", &seen[1], name, line, err, errn);
	if (!strcmp(l, "font"))
		return set_str(c->font, v, "font", &seen[2], name, line, err, errn);
	if (!strcmp(l, "log-dir")) {
		/* Relative to what? The file is read from wherever a command
		 * that starts the daemon happens to run. */
		if (v[0] != '/')
			return bad(err, errn, name, line, "log-dir wants an absolute path, not '%s'", v);
		return set_str(c->log_dir, v, "log-dir", &seen[3], name, line, err, errn);
	}
	if (!strcmp(l, "log-cap")) {
		if (c->log_cap)
			return bad(err, errn, name, line, "log-cap given twice");
		if (base_parse_size(v, &c->log_cap) < 0)
			return bad(err, errn, name, line,
				   "log-cap wants a size of at least 4096 bytes (suffix K, M or G), "
				   "not '%s'",
				   v);
		return 0;
	}
	if (!strcmp(l, "x-server")) {
		if (c->x_server)
			return bad(err, errn, name, line, "x-server given twice");
		if (!(c->x_server = telly_x_server_parse(v)))
			return bad(err, errn, name, line, "x-server wants auto, xorg or xvfb, not '%s'", v);
		return 0;
	}
	if (!strcmp(l, "escape")) {
		if (c->escape != TELLY_CONFIG_ESCAPE_UNSET)
			return bad(err, errn, name, line, "escape given twice");
		if (!strcmp(v, "none"))
			c->escape = TELLY_CONFIG_ESCAPE_NONE;
		else if (strlen(v) == 1 && (unsigned char)v[0] < 0x80)
			c->escape = (unsigned char)v[0];
		else if (v[0] == '^' && strlen(v) == 2 && v[1] >= '?' && v[1] <= '_')
			c->escape = v[1] == '?' ? 0x7f : v[1] & 0x1f;
		else
			return bad(err, errn, name, line,
				   "escape wants one ASCII character, ^X (^@ to ^_, ^?) or none, not '%s'", v);
		return 0;
	}
	if (!strcmp(l, "compress") || !strcmp(l, "osc52-write")) {
		int *dst = l[0] == 'c' ? &c->compress : &c->osc52_write;
		if (*dst)
			return bad(err, errn, name, line, "%s given twice", l);
		if (!(*dst = yes_no(v)))
			return bad(err, errn, name, line, "%s wants yes or no, not '%s'", l, v);
		return 0;
	}
	if (!strcmp(l, "direct"))
		return set_direct(c, v, name, line, err, errn);
	if (!strcmp(l, "font-size")) {
		char *end;
		long px;
		if (c->font_size)
			return bad(err, errn, name, line, "font-size given twice");
		errno = 0;
		px = strtol(v, &end, 10);
		if (*end || errno || v[0] < '0' || v[0] > '9' || px < FONT_PX_MIN || px > FONT_PX_MAX)
			return bad(err, errn, name, line, "font-size wants pixels from %d to %d, not '%s'",
				   FONT_PX_MIN, FONT_PX_MAX, v);
		c->font_size = (int)px;
		return 0;
	}
	return bad(err, errn, name, line,
		   "unknown setting '%s' (escape, ssh, server, compress, direct, font, font-size, "
		   "osc52-write, bind, log-dir, log-cap, x-server)",
		   l);
}

int telly_config_parse(struct telly_config *c, const char *text, size_t n, const char *name,
		       char *err, size_t errn)
{
	struct telly_config tmp;
	char l[TELLY_CONFIG_LINE_MAX + 1];
	bool seen[4] = {false, false, false, false};
	int line = 0;
	size_t off = 0;

	telly_config_init(&tmp);
	if (n > TELLY_CONFIG_MAX_BYTES)
		return bad(err, errn, name, 0, "longer than %d bytes", TELLY_CONFIG_MAX_BYTES);
	while (off < n) {
		const char *nl = memchr(text + off, '\n', n - off);
		size_t len = nl ? (size_t)(nl - (text + off)) : n - off;
		line++;
		if (len > TELLY_CONFIG_LINE_MAX)
			return bad(err, errn, name, line, "line longer than %d bytes",
				   TELLY_CONFIG_LINE_MAX);
		memcpy(l, text + off, len);
		l[len] = 0;
		off += len + (nl ? 1 : 0);
		for (size_t i = 0; i < len; i++) {
			unsigned char ch = (unsigned char)l[i];
			if ((ch < 0x20 && ch != '\t' && !(ch == '\r' && i == len - 1)) || ch == 0x7f)
				return bad(err, errn, name, line, "control character 0x%02x", ch);
		}
		if (parse_line(&tmp, l, name, line, seen, err, errn) < 0)
			return -EINVAL;
	}
	*c = tmp;
	return 0;
}

bool telly_config_path(char *buf, size_t n)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
	int k;

	/* XDG: a relative XDG_CONFIG_HOME is invalid and ignored. */
	if (x && x[0] == '/')
		k = snprintf(buf, n, "%s/telly/config", x);
	else if (h && h[0])
		k = snprintf(buf, n, "%s/.config/telly/config", h);
	else
		return false;
	return k > 0 && (size_t)k < n;
}

int telly_config_load(struct telly_config *c, char *err, size_t errn)
{
	char path[4096], *text = NULL;
	struct stat st;
	ssize_t got;
	size_t n = 0;
	int fd, r;

	telly_config_init(c);
	if (!telly_config_path(path, sizeof path))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		r = -errno;
		snprintf(err, errn, "%s: %s", path, strerror(errno));
		return r;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errn, "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	/* One byte more than allowed: a longer file is said to be so. */
	if (!(text = malloc(TELLY_CONFIG_MAX_BYTES + 1))) {
		close(fd);
		return -ENOMEM;
	}
	while (n <= TELLY_CONFIG_MAX_BYTES &&
	       (got = read(fd, text + n, TELLY_CONFIG_MAX_BYTES + 1 - n)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			snprintf(err, errn, "%s: %s", path, strerror(errno));
			goto out;
		}
		n += (size_t)got;
	}
	r = telly_config_parse(c, text, n, path, err, errn);
out:
	free(text);
	close(fd);
	return r;
}

static void put(char *buf, size_t n, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(*off < n ? buf + *off : NULL, *off < n ? n - *off : 0, fmt, ap);
	va_end(ap);
	if (k > 0)
		*off += (size_t)k;
}

size_t telly_config_write(const struct telly_config *c, char *buf, size_t n)
{
	struct wm_binding def[WM_MAX_BINDINGS];
	unsigned ndef = wm_default_bindings(def);
	size_t off = 0;

	if (n)
		buf[0] = 0;
	if (c->escape == TELLY_CONFIG_ESCAPE_NONE)
		put(buf, n, &off, "escape none\n");
	else if (c->escape == 0x7f)
		put(buf, n, &off, "escape ^?\n");
	else if (c->escape >= 0 && c->escape < 0x20)
		put(buf, n, &off, "escape ^%c\n", c->escape + '@');
	else if (c->escape >= 0)
		put(buf, n, &off, "escape %c\n", c->escape);
	if (c->ssh[0])
		put(buf, n, &off, "ssh %s\n", c->ssh);
	if (c->server[0])
		put(buf, n, &off, "server %s\n", c->server);
	if (c->font[0])
		put(buf, n, &off, "font %s\n", c->font);
	if (c->compress)
		put(buf, n, &off, "compress %s\n", c->compress > 0 ? "yes" : "no");
	if (c->direct)
		put(buf, n, &off, "direct %s\n", c->direct > 0 ? "yes" : "no");
	for (unsigned i = 0; i < c->ndirect_host; i++)
		put(buf, n, &off, "direct %s %s\n", c->direct_host[i].direct > 0 ? "yes" : "no",
		    c->direct_host[i].host);
	if (c->osc52_write)
		put(buf, n, &off, "osc52-write %s\n", c->osc52_write > 0 ? "yes" : "no");
	if (c->font_size)
		put(buf, n, &off, "font-size %d\n", c->font_size);
	if (c->log_dir[0])
		put(buf, n, &off, "log-dir %s\n", c->log_dir);
	if (c->log_cap)
		put(buf, n, &off, "log-cap %zu\n", c->log_cap);
	if (c->x_server)
		put(buf, n, &off, "x-server %s\n",
		    c->x_server == TELLY_X_SERVER_XORG	 ? "xorg"
		    : c->x_server == TELLY_X_SERVER_XVFB ? "xvfb"
							 : "auto");
	for (unsigned i = 0; i < c->nbind; i++) {
		const struct wm_binding *b = &c->bind[i];
		char sym[64];
		if (i < ndef && def[i].mods == b->mods && def[i].keysym == b->keysym &&
		    def[i].action == b->action)
			continue;
		if (xkb_keysym_get_name(b->keysym, sym, sizeof sym) < 0)
			snprintf(sym, sizeof sym, "0x%08x", (unsigned)b->keysym);
		put(buf, n, &off, "bind %s%s%s%s%s %s\n", b->mods & WM_MOD_CTRL ? "ctrl+" : "",
		    b->mods & WM_MOD_SHIFT ? "shift+" : "", b->mods & WM_MOD_ALT ? "alt+" : "",
		    b->mods & WM_MOD_SUPER ? "super+" : "", sym, wm_bind_name(b->action));
	}
	return off;
}

void telly_config_dest(const struct telly_config *c, struct rp_dest *d)
{
	if (c->ssh[0])
		d->ssh = c->ssh;
	if (c->server[0])
		d->server = c->server;
	if (c->compress)
		d->compress = c->compress;
}

void telly_config_direct(const struct telly_config *c, struct rp_dest *d)
{
	const char *at;
	int on = c->direct;

	if (d->direct_opt || !d->host || d->tcp)
		return;
	/* "host" is the host for any user; "user@host" that user's only. */
	at = strrchr(d->host, '@');
	for (unsigned i = 0; i < c->ndirect_host; i++) {
		const char *h = c->direct_host[i].host;
		if (!strcmp(h, d->host) || (at && !strchr(h, '@') && !strcmp(h, at + 1))) {
			on = c->direct_host[i].direct;
			/* The exact DEST wins over its host for any user. */
			if (!strcmp(h, d->host))
				break;
		}
	}
	/* Said nowhere: direct, ssh if it cannot be had. */
	d->direct = on >= 0;
	d->direct_default = !on;
}
