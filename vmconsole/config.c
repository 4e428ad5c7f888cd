/* The consoles file, --console arguments and the front door's keys file.
 * Pure: text in, structures or "FILE:LINE: what is wrong" out.
 *
 * Both files are read line by line with the same bounds (VMC_LINE_MAX a
 * line, VMC_FILE_MAX a file); every value is checked before it is kept,
 * and an error names the line, as sshd does for authorized_keys.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp.h"
#include "vmc.h"

static const char *const kind_names[] = {"unix", "pty", "tcp", "exec"};

const char *vmc_kind_name(enum vmc_kind k)
{
	return kind_names[k];
}

static int fail(char *err, size_t errn, const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t errn, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int o = line ? snprintf(err, errn, "%s:%u: ", file, line) : 0;

	if (o < 0 || (size_t)o >= errn)
		o = 0;
	va_start(ap, fmt);
	vsnprintf(err + o, errn - (size_t)o, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int vmc_backend_parse(struct vmc_spec *s, const char *v, char *err, size_t errn)
{
	const char *colon = strchr(v, ':');
	const char *t;
	unsigned k;

	for (k = 0; colon && k < 4; k++)
		if ((size_t)(colon - v) == strlen(kind_names[k]) &&
		    !memcmp(v, kind_names[k], strlen(kind_names[k])))
			break;
	if (!colon || k == 4)
		return fail(err, errn, "", 0,
			    "backend '%.80s' is not unix:PATH, pty:PATH, tcp:HOST:PORT or exec:COMMAND",
			    v);
	t = colon + 1;
	if (!*t)
		return fail(err, errn, "", 0, "backend %s: wants a %s after the colon",
			    kind_names[k], k == VMC_TCP ? "HOST:PORT" : k == VMC_EXEC ? "command" : "path");
	if (strlen(t) > VMC_TARGET_MAX)
		return fail(err, errn, "", 0, "backend %s: longer than %d bytes", kind_names[k],
			    VMC_TARGET_MAX);
	if (k == VMC_TCP) {
		const char *pc = strrchr(t, ':');
		char *end;
		long port = pc ? strtol(pc + 1, &end, 10) : 0;
		if (!pc || pc == t || !pc[1] || *end || port < 1 || port > 65535)
			return fail(err, errn, "", 0, "backend tcp:%.80s: wants HOST:PORT (port 1-65535)",
				    t);
	}
	if ((k == VMC_UNIX || k == VMC_PTY) && t[0] != '/')
		return fail(err, errn, "", 0, "backend %s:%.80s: wants an absolute path",
			    kind_names[k], t);
	if (k == VMC_UNIX && strlen(t) >= 108)
		return fail(err, errn, "", 0, "backend unix:%.80s...: a socket path has at most 107 bytes",
			    t);
	s->kind = (enum vmc_kind)k;
	snprintf(s->target, sizeof s->target, "%s", t);
	return 0;
}

/* "GLOB:rw,GLOB:ro" (separators: commas and blanks). */
static int parse_grants(const char *v, struct vmc_grant *g, unsigned *ng, char *err, size_t errn)
{
	*ng = 0;
	while (*v) {
		size_t len = strcspn(v, ", \t");
		const char *colon;
		if (!len) {
			v++;
			continue;
		}
		colon = memchr(v, ':', len);
		if (!colon || (size_t)(v + len - colon - 1) != 2 ||
		    (memcmp(colon + 1, "rw", 2) && memcmp(colon + 1, "ro", 2)))
			return fail(err, errn, "", 0, "'%.*s' is not PATTERN:rw or PATTERN:ro",
				    (int)(len > 80 ? 80 : len), v);
		if (colon == v || (size_t)(colon - v) > VMC_NAME_MAX)
			return fail(err, errn, "", 0, "'%.*s': the pattern must have 1 to %d bytes",
				    (int)(len > 80 ? 80 : len), v, VMC_NAME_MAX);
		if (*ng == VMC_GRANTS_MAX)
			return fail(err, errn, "", 0, "more than %d patterns", VMC_GRANTS_MAX);
		snprintf(g[*ng].pattern, sizeof g[*ng].pattern, "%.*s", (int)(colon - v), v);
		g[*ng].right = colon[2] == 'w' ? VMC_RW : VMC_RO;
		(*ng)++;
		v += len;
	}
	return 0;
}

enum vmc_right vmc_grants_right(const struct vmc_grant *g, unsigned n, const char *name)
{
	enum vmc_right best = VMC_NONE;

	for (unsigned i = 0; i < n; i++)
		if (g[i].right > best && fnmatch(g[i].pattern, name, 0) == 0)
			best = g[i].right;
	return best;
}

enum vmc_right vmc_access(const struct vmc_key *k, const struct vmc_spec *s)
{
	enum vmc_right r = vmc_grants_right(k->grants, k->ngrants, s->name);

	if (s->nusers) {
		enum vmc_right u = vmc_grants_right(s->users, s->nusers, k->name);
		if (u < r)
			r = u;
	}
	return r;
}

/* ---- line reading shared by both files ---- */

struct lines {
	const char *p, *end, *file;
	unsigned no;
	char buf[VMC_LINE_MAX + 1];
};

/* The next line, trimmed, in l->buf: 1, 0 at the end, or -EINVAL. */
static int next_line(struct lines *l, char *err, size_t errn)
{
	const char *nl;
	size_t len;
	char *s, *e;

	const char *line = l->p;

	if (l->p >= l->end)
		return 0;
	nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
	len = (size_t)((nl ? nl : l->end) - l->p);
	l->no++;
	/* Past the line before judging it: a reader that skips bad lines
	 * goes on with the next. */
	l->p = nl ? nl + 1 : l->end;
	if (len > VMC_LINE_MAX)
		return fail(err, errn, l->file, l->no, "line longer than %d bytes", VMC_LINE_MAX);
	if (memchr(line, 0, len))
		return fail(err, errn, l->file, l->no, "a NUL byte");
	memcpy(l->buf, line, len);
	l->buf[len] = 0;
	for (s = l->buf; *s == ' ' || *s == '\t'; s++)
		;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	memmove(l->buf, s, (size_t)(e - s) + 1);
	return 1;
}

static int lines_init(struct lines *l, const char *text, size_t n, const char *file, char *err,
		      size_t errn)
{
	l->p = text;
	l->end = text + n;
	l->file = file;
	l->no = 0;
	if (n > VMC_FILE_MAX)
		return fail(err, errn, file, 0, "%s: larger than %u bytes", file, VMC_FILE_MAX);
	return 0;
}

/* ---- the consoles file ---- */

static struct vmc_spec *add_spec(struct vmc_config *cfg, const char *name, char *err, size_t errn)
{
	struct vmc_spec *s;

	if (!rp_name_valid(name, strlen(name)))
		return fail(err, errn, "", 0,
			    "console name '%.80s' is not 1-64 letters, digits, '.', '_', '-' or '@'",
			    name),
		       NULL;
	for (unsigned i = 0; i < cfg->n; i++)
		if (!strcmp(cfg->specs[i].name, name))
			return fail(err, errn, "", 0, "console %s is named twice", name), NULL;
	if (cfg->n == VMC_CONSOLES_MAX)
		return fail(err, errn, "", 0, "more than %d consoles", VMC_CONSOLES_MAX), NULL;
	s = realloc(cfg->specs, (cfg->n + 1) * sizeof *s);
	if (!s)
		return fail(err, errn, "", 0, "out of memory"), NULL;
	cfg->specs = s;
	s = &cfg->specs[cfg->n++];
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	s->log_cap = VMC_LOG_CAP_DEFAULT;
	s->log_keep = VMC_LOG_KEEP_DEFAULT;
	s->kind = (enum vmc_kind)-1;
	return s;
}

/* An error from a helper that knows no line: give it one. */
static int at_line(char *err, size_t errn, const char *file, unsigned line)
{
	char msg[400];

	snprintf(msg, sizeof msg, "%s", err);
	return fail(err, errn, file, line, "%s", msg);
}

static int section_done(const struct vmc_spec *s, const char *file, unsigned line, char *err,
			size_t errn)
{
	if (s && s->kind == (enum vmc_kind)-1)
		return fail(err, errn, file, line, "console %s has no backend = line", s->name);
	return 0;
}

int vmc_config_parse(struct vmc_config *cfg, const char *text, size_t n, const char *file,
		     char *err, size_t errn)
{
	struct lines *l = malloc(sizeof *l);
	struct vmc_spec *s = NULL;
	unsigned s_line = 0, first = cfg->n;
	int r;

	if (!l)
		return fail(err, errn, file, 0, "out of memory");
	if ((r = lines_init(l, text, n, file, err, errn)) < 0)
		goto out;
	while ((r = next_line(l, err, errn)) == 1) {
		char *b = l->buf, *eq, *key, *val, *e;
		if (!*b || *b == '#')
			continue;
		if (*b == '[') {
			if ((r = section_done(s ? &cfg->specs[cfg->n - 1] : NULL, file, s_line, err,
					      errn)) < 0)
				goto out;
			e = strchr(b, ']');
			if (!e || e[1]) {
				r = fail(err, errn, file, l->no, "a section is [NAME], got '%.80s'", b);
				goto out;
			}
			*e = 0;
			if (!(s = add_spec(cfg, b + 1, err, errn))) {
				r = at_line(err, errn, file, l->no);
				goto out;
			}
			s_line = l->no;
			continue;
		}
		eq = strchr(b, '=');
		if (!eq) {
			r = fail(err, errn, file, l->no, "expected KEY = VALUE or [NAME], got '%.80s'", b);
			goto out;
		}
		if (!s) {
			r = fail(err, errn, file, l->no, "'%.80s' comes before any [NAME] section", b);
			goto out;
		}
		s = &cfg->specs[cfg->n - 1];
		for (e = eq; e > b && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = 0;
		key = b;
		for (val = eq + 1; *val == ' ' || *val == '\t'; val++)
			;
		if (!*val) {
			r = fail(err, errn, file, l->no, "%s: no value", key);
			goto out;
		}
		if (!strcmp(key, "backend")) {
			r = vmc_backend_parse(s, val, err, errn);
		} else if (!strcmp(key, "log")) {
			if (val[0] != '/' || strlen(val) > VMC_PATH_MAX - 3)
				r = fail(err, errn, "", 0, "log wants an absolute path of at most %d bytes",
					 VMC_PATH_MAX - 3);
			else
				snprintf(s->log, sizeof s->log, "%s", val);
		} else if (!strcmp(key, "log-cap")) {
			if (base_parse_size(val, &s->log_cap) < 0)
				r = fail(err, errn, "", 0,
					 "log-cap wants a size of at least 4096 bytes (suffix K, M or G), got '%.40s'",
					 val);
		} else if (!strcmp(key, "log-keep")) {
			char *end;
			long k = strtol(val, &end, 10);
			if (*end || end == val || k < 0 || k > 99)
				r = fail(err, errn, "", 0, "log-keep wants 0 to 99, got '%.40s'", val);
			else
				s->log_keep = (unsigned)k;
		} else if (!strcmp(key, "users")) {
			r = parse_grants(val, s->users, &s->nusers, err, errn);
		} else {
			r = fail(err, errn, "", 0,
				 "unknown key '%.40s' (backend, log, log-cap, log-keep, users)", key);
		}
		if (r < 0) {
			r = at_line(err, errn, file, l->no);
			goto out;
		}
	}
	if (r == 0)
		r = section_done(s ? &cfg->specs[cfg->n - 1] : NULL, file, s_line, err, errn);
out:
	if (r < 0)
		cfg->n = first; /* nothing of a bad file is kept */
	free(l);
	return r < 0 ? r : 0;
}

int vmc_config_add_arg(struct vmc_config *cfg, const char *arg, char *err, size_t errn)
{
	const char *eq = strchr(arg, '=');
	char name[VMC_NAME_MAX + 2];
	struct vmc_spec *s;

	if (!eq || eq == arg || (size_t)(eq - arg) > VMC_NAME_MAX)
		return fail(err, errn, "", 0, "--console wants NAME=BACKEND, got '%.80s'", arg);
	snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
	if (!(s = add_spec(cfg, name, err, errn)))
		return -EINVAL;
	if (vmc_backend_parse(s, eq + 1, err, errn) < 0) {
		cfg->n--;
		return -EINVAL;
	}
	return 0;
}

void vmc_config_finish(struct vmc_config *cfg)
{
	free(cfg->specs);
	cfg->specs = NULL;
	cfg->n = 0;
}

/* ---- the keys file ---- */

static bool key_type(const char *t, size_t n)
{
	static const char *const types[] = {
		"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
		"ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
		"sk-ecdsa-sha2-nistp256@openssh.com",
	};
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if (strlen(types[i]) == n && !memcmp(types[i], t, n))
			return true;
	return false;
}

/* Options before the key type: NAME or NAME="VALUE", comma separated.
 * consoles= is ours; the restrictions OpenSSH keys often carry are what
 * the front door does anyway; any other option (from=, command=, ...)
 * would promise something the front door does not do, so it is refused. */
static int parse_options(char **pp, struct vmc_key *k, char *err, size_t errn)
{
	static const char *const implied[] = {
		"restrict", "no-port-forwarding", "no-agent-forwarding", "no-X11-forwarding",
		"no-user-rc",
	};
	char *p = *pp;
	bool consoles_seen = false;

	for (;;) {
		char *name = p, value[VMC_LINE_MAX];
		size_t nlen = strcspn(p, "=, \t"), vlen = 0;
		bool has_value = p[nlen] == '=';
		p += nlen;
		if (has_value) {
			p++;
			if (*p != '"')
				return fail(err, errn, "", 0, "option %.*s: the value must be in double quotes",
					    (int)nlen, name);
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1] == '"')
					p++;
				value[vlen++] = *p;
			}
			if (*p != '"')
				return fail(err, errn, "", 0, "option %.*s: no closing quote", (int)nlen, name);
			p++;
			value[vlen] = 0;
		}
		if (nlen == 8 && !memcmp(name, "consoles", 8)) {
			if (!has_value)
				return fail(err, errn, "", 0, "consoles wants =\"PATTERN:rw,...\"");
			/* Two lists would leave one of them unread (the last
			 * won, and "vm1:ro" then "*:rw" granted everything). */
			if (consoles_seen)
				return fail(err, errn, "", 0,
					    "consoles=\"...\" is given twice: a key has one list "
					    "(put every PATTERN:RIGHT in it)");
			consoles_seen = true;
			if (parse_grants(value, k->grants, &k->ngrants, err, errn) < 0) {
				char msg[300];
				snprintf(msg, sizeof msg, "%s", err);
				return fail(err, errn, "", 0, "consoles=\"%.80s\": %s", value, msg);
			}
		} else {
			size_t i;
			for (i = 0; i < sizeof implied / sizeof *implied; i++)
				if (!has_value && strlen(implied[i]) == nlen && !memcmp(implied[i], name, nlen))
					break;
			if (i == sizeof implied / sizeof *implied)
				return fail(err, errn, "", 0,
					    "option '%.*s' is not supported here (only consoles=\"...\" "
					    "and the forwarding restrictions, which always hold)",
					    (int)(nlen > 40 ? 40 : nlen), name);
		}
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p != ' ' && *p != '\t')
			return fail(err, errn, "", 0, "options must be followed by the key type");
		*pp = p;
		return 0;
	}
}

static int parse_key_line(char *b, struct vmc_key *k, char *err, size_t errn)
{
	char *t, *b64, *c;
	size_t tl;

	memset(k, 0, sizeof *k);
	tl = strcspn(b, " \t");
	if (!key_type(b, tl)) {
		/* A word with no options in it and nothing after it, or one that
		 * looks like a type: a key type this server does not know. */
		if (!memchr(b, '=', tl) && (!b[tl] || !strncmp(b, "ssh-", 4) ||
					     !strncmp(b, "ecdsa-", 6) || !strncmp(b, "sk-", 3)))
			return fail(err, errn, "", 0, "'%.*s' is not a key type this server knows",
				    (int)(tl > 40 ? 40 : tl), b);
		if (parse_options(&b, k, err, errn) < 0)
			return -EINVAL;
		b += strspn(b, " \t");
		tl = strcspn(b, " \t");
		if (!key_type(b, tl))
			return fail(err, errn, "", 0, "'%.*s' is not a key type this server knows",
				    (int)(tl > 40 ? 40 : tl), b);
	}
	t = b;
	b += tl;
	if (!*b)
		return fail(err, errn, "", 0, "no key after the type");
	*b++ = 0;
	b += strspn(b, " \t");
	b64 = b;
	b += strcspn(b, " \t");
	if (b == b64)
		return fail(err, errn, "", 0, "no key after the type");
	if (*b)
		*b++ = 0;
	for (c = b64; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		      *c == '+' || *c == '/' || *c == '='))
			return fail(err, errn, "", 0, "the key is not base64");
	b += strspn(b, " \t");
	snprintf(k->type, sizeof k->type, "%s", t);
	/* The comment names the key's owner in the audit log. */
	if (*b)
		snprintf(k->name, sizeof k->name, "%.*s", (int)strcspn(b, " \t"), b);
	else
		snprintf(k->name, sizeof k->name, "(no name)");
	if (!(k->b64 = strdup(b64)))
		return fail(err, errn, "", 0, "out of memory");
	return 0;
}

/* Both readers of the keys file: with bad == NULL the first bad line fails
 * the whole file; otherwise it is said through bad and skipped. */
static int keys_parse(const char *text, size_t n, const char *file, struct vmc_key **out,
		      void (*bad)(void *ctx, const char *msg), void *ctx, char *err, size_t errn)
{
	struct lines *l = malloc(sizeof *l);
	struct vmc_key *keys = NULL;
	int count = 0, r;

	*out = NULL;
	if (!l)
		return fail(err, errn, file, 0, "out of memory");
	if ((r = lines_init(l, text, n, file, err, errn)) < 0)
		goto out;
	for (;;) {
		struct vmc_key *k;
		if ((r = next_line(l, err, errn)) == 0)
			break;
		if (r == 1 && (!l->buf[0] || l->buf[0] == '#'))
			continue;
		if (r == 1 && count == VMC_KEYS_MAX) {
			r = fail(err, errn, file, l->no, "more than %d keys: this line and the rest are left out",
				 VMC_KEYS_MAX);
			if (bad) {
				bad(ctx, err);
				r = 0;
			}
			break;
		}
		if (r == 1) {
			k = realloc(keys, (size_t)(count + 1) * sizeof *keys);
			if (!k) {
				r = fail(err, errn, file, l->no, "out of memory");
				goto out;
			}
			keys = k;
			if (parse_key_line(l->buf, &keys[count], err, errn) == 0) {
				count++;
				continue;
			}
			r = at_line(err, errn, file, l->no);
		}
		if (!bad)
			goto out;
		bad(ctx, err);
	}
out:
	free(l);
	if (r < 0) {
		vmc_keys_free(keys, count);
		return r;
	}
	*out = keys;
	return count;
}

int vmc_keys_parse(const char *text, size_t n, const char *file, struct vmc_key **out, char *err,
		   size_t errn)
{
	return keys_parse(text, n, file, out, NULL, NULL, err, errn);
}

int vmc_keys_parse_lenient(const char *text, size_t n, const char *file, struct vmc_key **out,
			   void (*bad)(void *ctx, const char *msg), void *ctx, char *err,
			   size_t errn)
{
	return keys_parse(text, n, file, out, bad, ctx, err, errn);
}

void vmc_keys_free(struct vmc_key *k, int n)
{
	for (int i = 0; i < n; i++)
		free(k[i].b64);
	free(k);
}
