/* telly's config file: $XDG_CONFIG_HOME/telly/config (else
 * ~/.config/telly/config), defaults that the command line overrides.
 *
 * One setting a line, `NAME VALUE`; blank lines and lines starting with #
 * are skipped:
 *   escape CHAR           telly attach's escape character: one
 *                         character, ^X, or none (default ~)
 *   ssh CMD...            the ssh command line (--ssh)
 *   server CMD...         the telly command on the host (--server)
 *   compress yes|no       lz4 for the output (--compress, --no-compress)
 *   direct yes|no [HOST...]  --direct (or --no-direct) for every DEST, or
 *                         for these only (repeatable); a HOST without
 *                         user@ matches DEST with any user; a host's
 *                         line wins over the default, the command line
 *                         over both
 *   font PATTERN          telly view's fontconfig pattern (--font)
 *   font-size PX          telly view's font size, 4-256 (--font-size)
 *   osc52-write yes|no    telly view lets programs set the clipboard
 *   bind [MOD+]...KEY ACTION   a key binding of telly view (MOD: ctrl,
 *                         shift, alt, super; KEY: an xkb keysym name;
 *                         ACTION: new-terminal, next, previous, close,
 *                         maximize, copy, paste, paste-primary, or none
 *                         to give the key to the program); bindings
 *                         change the defaults one by one
 *   log-dir DIR           telly serve's log folder (--log-dir), also for
 *                         a daemon a client starts; an absolute path
 *   log-cap SIZE          a session log's size before it rotates
 *                         (--log-cap; at least 4096, suffix K, M or G)
 *   x-server auto|xorg|xvfb  telly serve's X server for X sessions
 *                         (--x-server): X.Org's with the dummy driver,
 *                         which takes the size of the desk that views
 *                         it; Xvfb, which keeps its first size; auto
 *                         (the default): Xorg if installed, else Xvfb
 * Strict: an unknown name, a bad value, a setting given twice (but bind),
 * a line over TELLY_CONFIG_LINE_MAX, a file over TELLY_CONFIG_MAX_BYTES, a
 * NUL or another control byte is an error naming the file and line; a
 * file with an error is not used at all. Pure parsing here, no I/O but in
 * telly_config_load. */
#ifndef TELLY_CONFIG_H
#define TELLY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "wm.h"

#define TELLY_CONFIG_MAX_BYTES (64 << 10)
#define TELLY_CONFIG_LINE_MAX 1024
#define TELLY_CONFIG_STR_MAX 512 /* ssh, server, font, log-dir */
#define TELLY_CONFIG_DIRECT_HOSTS_MAX 32
#define TELLY_CONFIG_HOST_MAX 255 /* a direct line's HOST, bytes */
#define TELLY_CONFIG_ESCAPE_UNSET -2
#define TELLY_CONFIG_ESCAPE_NONE -1
/* "auto", "xorg", "xvfb" as TELLY_X_SERVER_* (clients.h); 0 for anything else. */
int telly_x_server_parse(const char *s);

struct telly_config {
	int escape; /* a byte, TELLY_CONFIG_ESCAPE_NONE or _UNSET */
	char ssh[TELLY_CONFIG_STR_MAX + 1], server[TELLY_CONFIG_STR_MAX + 1];
	char font[TELLY_CONFIG_STR_MAX + 1];
	char log_dir[TELLY_CONFIG_STR_MAX + 1]; /* "": not set */
	size_t log_cap;				/* 0: not set */
	int x_server; /* TELLY_X_SERVER_*: 0 not set */
	int compress;	 /* 1 yes, -1 no, 0 not set */
	int direct;	 /* for every DEST: 1 yes, -1 no, 0 not set */
	struct telly_config_host {
		char host[TELLY_CONFIG_HOST_MAX + 1];
		int direct; /* 1 yes, -1 no */
	} direct_host[TELLY_CONFIG_DIRECT_HOSTS_MAX];
	unsigned ndirect_host;
	int osc52_write; /* 1 yes, -1 no, 0 not set */
	int font_size;	 /* 0: not set */
	/* telly view's bindings: the defaults with the file's changes (valid
	 * whether or not the file had any). */
	struct wm_binding bind[WM_MAX_BINDINGS];
	unsigned nbind;
};

void telly_config_init(struct telly_config *c);
/* Parse a file's text (n bytes, no NUL needed) named name in messages. 0,
 * or -EINVAL with err "NAME:LINE: what is wrong" and c as init left it. */
int telly_config_parse(struct telly_config *c, const char *text, size_t n, const char *name,
		       char *err, size_t errn);
/* Read the file (init'ed defaults if there is none). 0, or -errno with
 * err said (a file that cannot be read, or is wrong). */
int telly_config_load(struct telly_config *c, char *err, size_t errn);
/* The path: $XDG_CONFIG_HOME/telly/config, else $HOME/.config/telly/config.
 * false when neither is set (or it does not fit n). */
bool telly_config_path(char *buf, size_t n);
/* The settings as a file would say them (the bindings that differ from
 * the defaults as bind lines). The length written, or what it needs. */
size_t telly_config_write(const struct telly_config *c, char *buf, size_t n);
/* The ssh, server and compress settings as defaults of d (pointing into
 * c: c must outlive d). */
struct rp_dest;
void telly_config_dest(const struct telly_config *c, struct rp_dest *d);
/* After the command line: d->direct as the file says for d->host (a
 * host's line, else its default line), unless --direct or --no-direct
 * said; said nowhere, direct by default (d->direct_default: ssh when it
 * cannot be had). Not for --tcp, nor without a host. */
void telly_config_direct(const struct telly_config *c, struct rp_dest *d);
/* Parse "[MOD+]...KEY" as bind does. false if it is not one. */
bool telly_config_key(const char *s, uint32_t *mods, uint32_t *keysym);

#endif
