/* vmconsole's pure parts as plain function calls: the consoles file (every
 * bad line named by number, in a table), --console arguments, the keys
 * file and its grants (strict at start, a bad line skipped at a login),
 * escapes split across reads, log timestamps, the escaping of log lines,
 * the bound on a client's window size; base's exact read. And one tcp:
 * console at the edge, driven by poll as the daemon's loop drives it: a
 * host name resolved off the loop, every address it gives tried. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "vmc.h"

static int parse(struct vmc_config *cfg, const char *text, char *err, size_t errn)
{
	return vmc_config_parse(cfg, text, strlen(text), "c.conf", err, errn);
}

static void config_good(void)
{
	struct vmc_config cfg = {0};
	char err[400] = "";
	const char *text = "# consoles\n"
			   "[vm1]\n"
			   "  backend = unix:/run/vm1.sock  \n"
			   "log = /var/log/telly/vm1.log\n"
			   "log-cap = 64K\n"
			   "log-keep = 5\n"
			   "users = alice:rw ops-*:ro\n"
			   "\n"
			   "[web-2]\r\n"
			   "backend = tcp:127.0.0.1:4555\r\n"
			   "[pts]\n"
			   "backend=pty:/dev/pts/7\n"
			   "[cmd]\n"
			   "backend = exec:while :; do date; sleep 1; done\n";

	CHECK_EQ(parse(&cfg, text, err, sizeof err), 0);
	if (err[0])
		fprintf(stderr, "%s\n", err);
	CHECK_EQ(cfg.n, 4);
	if (cfg.n != 4)
		return;
	CHECK(!strcmp(cfg.specs[0].name, "vm1"));
	CHECK_EQ(cfg.specs[0].kind, VMC_UNIX);
	CHECK(!strcmp(cfg.specs[0].target, "/run/vm1.sock"));
	CHECK(!strcmp(cfg.specs[0].log, "/var/log/telly/vm1.log"));
	CHECK_EQ(cfg.specs[0].log_cap, 64 << 10);
	CHECK_EQ(cfg.specs[0].log_keep, 5);
	CHECK_EQ(cfg.specs[0].nusers, 2);
	CHECK(!strcmp(cfg.specs[0].users[1].pattern, "ops-*"));
	CHECK_EQ(cfg.specs[0].users[1].right, VMC_RO);
	CHECK_EQ(cfg.specs[1].kind, VMC_TCP);
	CHECK(!strcmp(cfg.specs[1].target, "127.0.0.1:4555"));
	CHECK_EQ(cfg.specs[1].log_cap, VMC_LOG_CAP_DEFAULT);
	CHECK_EQ(cfg.specs[2].kind, VMC_PTY);
	CHECK_EQ(cfg.specs[3].kind, VMC_EXEC);
	CHECK(!strcmp(cfg.specs[3].target, "while :; do date; sleep 1; done"));
	vmc_config_finish(&cfg);
}

/* Each bad file and the start of the message it must get. */
static void config_bad_table(void)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"backend = unix:/x\n", "c.conf:1: 'backend = unix:/x' comes before any [NAME]"},
		{"[vm1]\nbackend unix:/x\n", "c.conf:2: expected KEY = VALUE"},
		{"[vm1]\n", "c.conf:1: console vm1 has no backend"},
		{"[vm1]\nlog = /x\n[vm2]\nbackend = unix:/y\n", "c.conf:1: console vm1 has no backend"},
		{"[vm1]\nbackend = serial:/x\n", "c.conf:2: backend 'serial:/x' is not"},
		{"[vm1]\nbackend = unix:x.sock\n", "c.conf:2: backend unix:x.sock: wants an absolute"},
		{"[vm1]\nbackend = tcp:host\n", "c.conf:2: backend tcp:host: wants HOST:PORT"},
		{"[vm1]\nbackend = tcp:h:99999\n", "c.conf:2: backend tcp:h:99999: wants HOST:PORT"},
		{"[vm1]\nbackend = exec:\n", "c.conf:2: backend exec: wants a command"},
		{"[vm1]\nbackend =\n", "c.conf:2: backend: no value"},
		{"[vm1]\nbackend = unix:/x\ncolour = red\n", "c.conf:3: unknown key 'colour'"},
		{"[vm1]\nbackend = unix:/x\nlog-cap = 12\n", "c.conf:3: log-cap wants a size"},
		{"[vm1]\nbackend = unix:/x\nlog-keep = many\n", "c.conf:3: log-keep wants 0 to 99"},
		{"[vm1]\nbackend = unix:/x\nlog = rel.log\n", "c.conf:3: log wants an absolute"},
		{"[vm1]\nbackend = unix:/x\nusers = alice\n", "c.conf:3: 'alice' is not PATTERN:rw"},
		{"[vm1]\nbackend = unix:/x\nusers = alice:rx\n", "c.conf:3: 'alice:rx' is not"},
		{"[vm 1]\nbackend = unix:/x\n", "c.conf:1: console name 'vm 1' is not"},
		{"[.hidden]\nbackend = unix:/x\n", "c.conf:1: console name '.hidden' is not"},
		{"[vm1\nbackend = unix:/x\n", "c.conf:1: a section is [NAME]"},
		{"[vm1]\nbackend = unix:/x\n[vm1]\nbackend = unix:/y\n", "c.conf:3: console vm1 is named twice"},
		{"[vm1]\nbackend = unix:/x\0y\n", "c.conf:2: a NUL byte"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct vmc_config cfg = {0};
		char err[400] = "";
		size_t len = strlen(bad[i].text);
		if (i == sizeof bad / sizeof *bad - 1)
			len += 3; /* past the NUL */
		int r = vmc_config_parse(&cfg, bad[i].text, len, "c.conf", err, sizeof err);
		if (r != -EINVAL || strncmp(err, bad[i].msg, strlen(bad[i].msg))) {
			fprintf(stderr, "case %zu: got %d '%s', expected '%s'\n", i, r, err, bad[i].msg);
			failures++;
		}
		CHECK_EQ(cfg.n, 0); /* nothing of a bad file is kept */
		vmc_config_finish(&cfg);
	}
}

static void config_limits(void)
{
	struct vmc_config cfg = {0};
	char err[400], *text = malloc(VMC_LINE_MAX + 100);

	memset(text, 'a', VMC_LINE_MAX + 10);
	memcpy(text, "[vm1]\nlog = /", 13);
	text[VMC_LINE_MAX + 10] = 0;
	CHECK_EQ(parse(&cfg, text, err, sizeof err), -EINVAL);
	CHECK(!strcmp(err, "c.conf:2: line longer than 8192 bytes"));
	vmc_config_finish(&cfg);
	free(text);
}

static void console_args(void)
{
	struct vmc_config cfg = {0};
	char err[400];

	CHECK_EQ(vmc_config_add_arg(&cfg, "vm1=unix:/tmp/vm1.sock", err, sizeof err), 0);
	CHECK_EQ(vmc_config_add_arg(&cfg, "gen=exec:yes | head", err, sizeof err), 0);
	CHECK_EQ(cfg.n, 2);
	CHECK_EQ(cfg.specs[1].kind, VMC_EXEC);
	CHECK(!strcmp(cfg.specs[1].target, "yes | head"));
	CHECK_EQ(vmc_config_add_arg(&cfg, "vm1=pty:/dev/pts/3", err, sizeof err), -EINVAL);
	CHECK(!strcmp(err, "console vm1 is named twice"));
	CHECK_EQ(vmc_config_add_arg(&cfg, "=unix:/x", err, sizeof err), -EINVAL);
	CHECK(!strncmp(err, "--console wants NAME=BACKEND", 28));
	CHECK_EQ(vmc_config_add_arg(&cfg, "vm2=ftp:/x", err, sizeof err), -EINVAL);
	CHECK_EQ(cfg.n, 2);
	/* A file after arguments: a name from both is refused. */
	CHECK_EQ(parse(&cfg, "[gen]\nbackend = unix:/z\n", err, sizeof err), -EINVAL);
	CHECK(!strcmp(err, "c.conf:1: console gen is named twice"));
	CHECK_EQ(cfg.n, 2);
	vmc_config_finish(&cfg);
}

static const char KEY_A[] = "AAAAC3NzaC1lZDI1NTE5AAAAIKZ0ZXN0a2V5YWxpY2UwMDAwMDAwMDAwMDAwMDAw";

static void keys_parse(void)
{
	char text[2048], err[400] = "";
	struct vmc_key *k;
	int n;

	snprintf(text, sizeof text,
		 "# who may use which console\n"
		 "consoles=\"vm1:rw,web*:ro\" ssh-ed25519 %s alice@desk\n"
		 "restrict,consoles=\"*:ro\" ssh-ed25519 %s bob\n"
		 "ssh-ed25519 %s carol\n"
		 "\n",
		 KEY_A, KEY_A, KEY_A);
	n = vmc_keys_parse(text, strlen(text), "keys", &k, err, sizeof err);
	CHECK_EQ(n, 3);
	if (n != 3) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK(!strcmp(k[0].type, "ssh-ed25519"));
	CHECK(!strcmp(k[0].b64, KEY_A));
	CHECK(!strcmp(k[0].name, "alice@desk"));
	CHECK_EQ(k[0].ngrants, 2);
	CHECK_EQ(vmc_grants_right(k[0].grants, k[0].ngrants, "vm1"), VMC_RW);
	CHECK_EQ(vmc_grants_right(k[0].grants, k[0].ngrants, "web3"), VMC_RO);
	CHECK_EQ(vmc_grants_right(k[0].grants, k[0].ngrants, "vm10"), VMC_NONE);
	CHECK_EQ(vmc_grants_right(k[1].grants, k[1].ngrants, "vm1"), VMC_RO);
	CHECK_EQ(k[2].ngrants, 0); /* no option: no console */
	{
		/* The strongest grant wins, in any order; a console's users
		 * line narrows it. */
		struct vmc_key both = {.name = "ops-1", .ngrants = 2,
				       .grants = {{"*", VMC_RO}, {"vm1", VMC_RW}}};
		struct vmc_spec s = {.name = "vm1"};
		CHECK_EQ(vmc_access(&both, &s), VMC_RW);
		s.nusers = 1;
		s.users[0] = (struct vmc_grant){"ops-*", VMC_RO};
		CHECK_EQ(vmc_access(&both, &s), VMC_RO);
		s.users[0] = (struct vmc_grant){"alice", VMC_RW};
		CHECK_EQ(vmc_access(&both, &s), VMC_NONE);
	}
	vmc_keys_free(k, n);
}

static void keys_bad_table(void)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{"ssh-ed25519\n", "keys:1: no key after the type"},
		{"ssh-dss AAAA x\n", "keys:1: 'ssh-dss' is not a key type"},
		{"from=\"10.0.0.1\" ssh-ed25519 AAAA x\n", "keys:1: option 'from' is not supported"},
		{"command=\"sh\" ssh-ed25519 AAAA x\n", "keys:1: option 'command' is not supported"},
		{"consoles=vm1:rw ssh-ed25519 AAAA x\n", "keys:1: option consoles: the value must be in"},
		{"consoles=\"vm1:rw ssh-ed25519 AAAA x\n", "keys:1: option consoles: no closing quote"},
		{"consoles=\"vm1\" ssh-ed25519 AAAA x\n", "keys:1: consoles=\"vm1\": 'vm1' is not PATTERN:rw"},
		{"consoles=\"vm1:rw\"ssh-ed25519 AAAA x\n", "keys:1: options must be followed by"},
		{"ssh-ed25519 AA!A x\n", "keys:1: the key is not base64"},
		{"# ok\n\nssh-ed25519 AAAA a\nnonsense\n", "keys:4: 'nonsense' is not a key type"},
		/* the last list won: "vm1:ro" then "*:rw" granted everything */
		{"consoles=\"vm1:ro\",consoles=\"*:rw\" ssh-ed25519 AAAA x\n",
		 "keys:1: consoles=\"...\" is given twice"},
		{"restrict,consoles=\"vm1:ro\",no-user-rc,consoles=\"vm1:ro\" ssh-ed25519 AAAA x\n",
		 "keys:1: consoles=\"...\" is given twice"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct vmc_key *k = (struct vmc_key *)1;
		char err[400] = "";
		int r = vmc_keys_parse(bad[i].line, strlen(bad[i].line), "keys", &k, err, sizeof err);
		if (r != -EINVAL || strncmp(err, bad[i].msg, strlen(bad[i].msg)) || k) {
			fprintf(stderr, "case %zu: got %d '%s', expected '%s'\n", i, r, err, bad[i].msg);
			failures++;
		}
	}
}

struct bad_lines {
	unsigned n;
	char msg[8][300];
};

static void note_bad(void *ctx, const char *msg)
{
	struct bad_lines *b = ctx;

	if (b->n < 8)
		snprintf(b->msg[b->n], sizeof b->msg[0], "%s", msg);
	b->n++;
}

/* At a login, a bad line (one added while the front door runs, say) is
 * said and left out; every other key still works. */
static void keys_lenient(void)
{
	char *text = malloc(3 * VMC_LINE_MAX), err[400] = "";
	struct bad_lines bad = {0};
	struct vmc_key *k;
	size_t o = 0;
	int n;

	o += (size_t)sprintf(text + o, "consoles=\"vm1:rw\" ssh-ed25519 %s alice\n", KEY_A);
	o += (size_t)sprintf(text + o, "consoles=\"vm1:ro\",consoles=\"*:rw\" ssh-ed25519 %s eve\n",
			     KEY_A);
	o += (size_t)sprintf(text + o, "from=\"10.0.0.1\" ssh-ed25519 %s mallory\n", KEY_A);
	memset(text + o, 'x', VMC_LINE_MAX + 1);
	o += VMC_LINE_MAX + 1;
	text[o++] = '\n';
	o += (size_t)sprintf(text + o, "ssh-ed25519 AA%cA nul\n", 0); /* counts the NUL */
	o += (size_t)sprintf(text + o, "consoles=\"web*:ro\" ssh-ed25519 %s bob", KEY_A);
	n = vmc_keys_parse_lenient(text, o, "keys", &k, note_bad, &bad, err, sizeof err);
	CHECK_EQ(n, 2);
	CHECK_EQ(bad.n, 4);
	if (n == 2) {
		CHECK(!strcmp(k[0].name, "alice"));
		CHECK_EQ(vmc_grants_right(k[0].grants, k[0].ngrants, "vm1"), VMC_RW);
		CHECK(!strcmp(k[1].name, "bob"));
		CHECK_EQ(vmc_grants_right(k[1].grants, k[1].ngrants, "web1"), VMC_RO);
		CHECK_EQ(vmc_grants_right(k[1].grants, k[1].ngrants, "vm1"), VMC_NONE);
	}
	if (bad.n == 4) {
		CHECK(!strncmp(bad.msg[0], "keys:2: consoles=\"...\" is given twice", 37));
		CHECK(!strncmp(bad.msg[1], "keys:3: option 'from' is not supported", 38));
		CHECK(!strncmp(bad.msg[2], "keys:4: line longer than", 24));
		CHECK(!strncmp(bad.msg[3], "keys:5: a NUL byte", 18));
	}
	vmc_keys_free(k, n);

	/* At start the same file is refused, at its first bad line. */
	k = (struct vmc_key *)1;
	CHECK_EQ(vmc_keys_parse(text, o, "keys", &k, err, sizeof err), -EINVAL);
	CHECK(!strncmp(err, "keys:2: consoles=", 17));
	CHECK(k == NULL);
	free(text);
}

static void log_escape(void)
{
	static const struct {
		const char *in;
		size_t n; /* 0: strlen(in) */
		bool quote;
		const char *want;
	} t[] = {
		{"x\n2026-01-01 telly sshd[1]: forged", 0, false,
		 "x\\n2026-01-01 telly sshd[1]: forged"},
		{"a\rb\tc", 0, false, "a\\rb\\tc"},
		{"\x1b[31mred\x1b[0m\x07\x7f", 0, false, "\\x1b[31mred\\x1b[0m\\x07\\x7f"},
		{"back\\slash", 0, false, "back\\\\slash"},
		{"say \"hi\"", 0, false, "say \"hi\""},
		{"say \"hi\"", 0, true, "say \\\"hi\\\""},
		{"a\0b", 3, false, "a\\x00b"},
		{"caf\xc3\xa9 \xf0\x9f\x98\x80", 0, false, "caf\xc3\xa9 \xf0\x9f\x98\x80"},
		{"\xff\xfe", 0, false, "\\xff\\xfe"},
		{"end\xc3", 0, false, "end\\xc3"},
		{"\xc3(", 0, false, "\\xc3("},
		{"\xc0\xaf", 0, false, "\\xc0\\xaf"},
		{"\xed\xa0\x80", 0, false, "\\xed\\xa0\\x80"},
		{"\xf4\x90\x80\x80", 0, false, "\\xf4\\x90\\x80\\x80"},
		{"\xc2\x85", 0, false, "\\xc2\\x85"},
		{"\xe2\x80\xa8", 0, false, "\\xe2\\x80\\xa8"},
		{"ok\xe2\x80\xae" "kO", 0, false, "ok\\xe2\\x80\\xae" "kO"},
		/* U+061C ARABIC LETTER MARK, a bidi mark as U+200E/U+200F */
		{"ab\xd8\x9c" "cd", 0, false, "ab\\xd8\\x9c" "cd"},
	};
	char out[256];

	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		size_t n = t[i].n ? t[i].n : strlen(t[i].in);
		size_t r = base_log_escape(t[i].in, n, t[i].quote, out, sizeof out);
		if (r != strlen(t[i].want) || strcmp(out, t[i].want)) {
			fprintf(stderr, "case %zu: got '%s', expected '%s'\n", i, out, t[i].want);
			failures++;
		}
	}
	/* Whole units, as many as fit. */
	CHECK_EQ(base_log_escape("abc\n", 4, false, out, 5), 3);
	CHECK(!strcmp(out, "abc"));
	CHECK_EQ(base_log_escape("abc\n", 4, false, out, 6), 5);
	CHECK_EQ(base_log_escape("abc", 3, false, out, 1), 0);
	CHECK(!strcmp(out, ""));
	/* Random bytes: never a control character in what comes out. */
	srand(16);
	for (int round = 0; round < 20000; round++) {
		char in[64], o2[96];
		size_t n = (size_t)(rand() % 64), r;
		for (size_t j = 0; j < n; j++)
			in[j] = (char)(rand() % 256);
		r = base_log_escape(in, n, round & 1, o2, sizeof o2);
		CHECK(r < sizeof o2 && o2[r] == 0);
		for (size_t j = 0; j < r; j++)
			if ((unsigned char)o2[j] < 0x20 || o2[j] == 0x7f) {
				fprintf(stderr, "round %d: byte 0x%02x at %zu\n", round, o2[j], j);
				failures++;
				break;
			}
	}
}

static void winsize_bound(void)
{
	static const struct {
		long cols, rows;
		bool ok;
		uint16_t want_cols, want_rows;
	} t[] = {
		{80, 24, true, 80, 24},
		{5000, 5000, true, 1000, 500},
		{1000, 500, true, 1000, 500},
		{1001, 501, true, 1000, 500},
		{65535, 3, true, 1000, 3},
		{3, 99999, true, 3, 500},
		{0, 24, false, 0, 0},
		{80, 0, false, 0, 0},
		{-1, -1, false, 0, 0},
	};

	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		uint16_t cols = 0, rows = 0;
		bool ok = vmc_winsize_bound(t[i].cols, t[i].rows, &cols, &rows);
		if (ok != t[i].ok || (ok && (cols != t[i].want_cols || rows != t[i].want_rows))) {
			fprintf(stderr, "case %zu: got %d %ux%u\n", i, ok, cols, rows);
			failures++;
		}
	}
}

/* Runs keys through the scanner n bytes at a time; returns what was sent
 * and the commands in order. */
static void esc_run(const char *keys, size_t step, char *sent, char *cmds)
{
	struct vmc_esc e;
	size_t len = strlen(keys), s = 0, c = 0;

	vmc_esc_init(&e, '~');
	for (size_t off = 0; off < len;) {
		size_t n = len - off < step ? len - off : step;
		while (n) {
			uint8_t out[64];
			size_t used, nout;
			int cmd = vmc_esc_scan(&e, ".?Bf", (const uint8_t *)keys + off, n, &used, out,
					       &nout);
			memcpy(sent + s, out, nout);
			s += nout;
			if (cmd)
				cmds[c++] = (char)cmd;
			off += used;
			n -= used;
		}
	}
	sent[s] = 0;
	cmds[c] = 0;
}

static void escapes(void)
{
	static const struct {
		const char *keys, *sent, *cmds;
	} t[] = {
		{"~.", "", "."},                 /* first thing typed */
		{"ls\r~.", "ls\r", "."},
		{"a~.", "a~.", ""},              /* not after a newline */
		{"\r~~x", "\r~x", ""},           /* doubled: one goes */
		{"\r~x", "\r~x", ""},            /* not a command: both go */
		{"\r~B\r~f\r~?", "\r\r\r", "Bf?"},
		{"\r~Bx~f", "\rx~f", "B"}, /* a command ends the line start */
		{"\n~Bab\r~.", "\nab\r", "B."},
		{"~~.", "~.", ""},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		for (size_t step = 1; step <= 3; step++) {
			char sent[64], cmds[16];
			esc_run(t[i].keys, step, sent, cmds);
			if (strcmp(sent, t[i].sent) || strcmp(cmds, t[i].cmds)) {
				fprintf(stderr, "case %zu step %zu: sent '%s' cmds '%s'\n", i, step, sent,
					cmds);
				failures++;
			}
		}
	}
}

static void stamps(void)
{
	struct vmc_stamp st = {0};
	const char stamp[] = "2026-11-22T06:30:01.123 ";
	uint8_t out[256];
	size_t used, n;
	char want[256];

	n = vmc_stamp_lines(&st, stamp, (const uint8_t *)"boot\r\nok", 8, out, sizeof out, &used);
	CHECK_EQ(used, 8);
	snprintf(want, sizeof want, "%sboot\r\n%sok", stamp, stamp);
	CHECK_EQ(n, strlen(want));
	CHECK(!memcmp(out, want, n));
	/* The line goes on in the next piece: no stamp in its middle. */
	n = vmc_stamp_lines(&st, stamp, (const uint8_t *)"!\n", 2, out, sizeof out, &used);
	CHECK_EQ(n, 2);
	CHECK(!memcmp(out, "!\n", 2));
	/* A small out takes what fits and says so. */
	n = vmc_stamp_lines(&st, stamp, (const uint8_t *)"abcdefgh", 8, out, VMC_STAMP_LEN + 3, &used);
	CHECK_EQ(used, 3);
	CHECK_EQ(n, VMC_STAMP_LEN + 3);
	n = vmc_stamp_lines(&st, stamp, (const uint8_t *)"defgh", 5, out, VMC_STAMP_LEN + 3, &used);
	CHECK_EQ(used, 5);
	CHECK(!memcmp(out, "defgh", 5));
	{
		char s[VMC_STAMP_LEN + 1];
		vmc_stamp_format(s, 0, 1234);
		CHECK_EQ(strlen(s), VMC_STAMP_LEN);
		CHECK(!strcmp(s + 19, ".234 "));
	}
}

/* Found by test/fuzz/keys.c: a key without a comment had an empty name
 * (the audit log's who), and the longest key type lost its end, so such a
 * key never matched at a login. */
static void keys_name_and_type(void)
{
	char text[512], err[400] = "";
	struct vmc_key *k;
	int n;

	snprintf(text, sizeof text,
		 "consoles=\"vm1:rw\" ssh-ed25519 %s\n"
		 "consoles=\"vm1:rw\" sk-ecdsa-sha2-nistp256@openssh.com %s sk\n",
		 KEY_A, KEY_A);
	n = vmc_keys_parse(text, strlen(text), "keys", &k, err, sizeof err);
	CHECK_EQ(n, 2);
	if (n != 2) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK(!strcmp(k[0].name, "(no name)"));
	CHECK(!strcmp(k[1].type, "sk-ecdsa-sha2-nistp256@openssh.com"));
	vmc_keys_free(k, n);
}

/* The consoles file the README shows is one the daemon takes. */
static void readme_consoles_example(void)
{
	struct vmc_config cfg = {0};
	FILE *f = fopen("vmconsole/README.md", "r");
	char err[400] = "", *text = malloc(1 << 16), *start, *end;
	size_t n;

	CHECK(f && text);
	if (!f || !text) {
		fprintf(stderr, "vmconsole/README.md: run from the top of the tree\n");
		free(text);
		if (f)
			fclose(f);
		return;
	}
	n = fread(text, 1, (1 << 16) - 1, f);
	fclose(f);
	text[n] = 0;
	start = strstr(text, "```ini\n");
	end = start ? strstr(start + 7, "```") : NULL;
	CHECK(start && end);
	if (start && end) {
		int r = vmc_config_parse(&cfg, start + 7, (size_t)(end - start - 7), "README", err,
					 sizeof err);
		CHECK_EQ(r, 0);
		if (r)
			fprintf(stderr, "%s\n", err);
		CHECK_EQ(cfg.n, 4);
		if (cfg.n == 4) {
			CHECK(!strcmp(cfg.specs[0].target, "/run/vm1/serial.sock"));
			CHECK_EQ(cfg.specs[0].log_cap, 8 << 20);
		}
	}
	vmc_config_finish(&cfg);
	free(text);
}

static void sizes(void)
{
	size_t v;

	CHECK_EQ(base_parse_size("8M", &v), 0);
	CHECK_EQ(v, 8 << 20);
	CHECK_EQ(base_parse_size("4096", &v), 0);
	CHECK_EQ(base_parse_size("4095", &v), -EINVAL);
	CHECK_EQ(base_parse_size("-5M", &v), -EINVAL);
	CHECK_EQ(base_parse_size("5MB", &v), -EINVAL);
	CHECK_EQ(base_parse_size("", &v), -EINVAL);
	/* Found by test/fuzz/consoles.c: the suffix's shift wrapped these
	 * into range (5 GiB and 1 GiB). */
	CHECK_EQ(base_parse_size("10995116277765g", &v), -EINVAL);
	CHECK_EQ(base_parse_size("17179869185G", &v), -EINVAL);
	CHECK_EQ(base_parse_size("1024G", &v), 0);
	CHECK_EQ(base_parse_size("1025G", &v), -EINVAL);
}

/* base_read_all: bytes that come in pieces (a writer that pauses), on a
 * non-blocking fd; the end of the stream and the deadline said apart. */
static void read_all(void)
{
	int p[2];
	char buf[8] = "";

	CHECK_EQ(pipe(p), 0);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (write(p[1], "ab", 2) != 2)
			_exit(1);
		usleep(20000); /* the reader has waited in poll once */
		_exit(write(p[1], "cde", 3) == 3 ? 0 : 1);
	}
	CHECK(pid > 0);
	close(p[1]);
	CHECK_EQ(base_read_all(p[0], buf, 4, base_now_ms() + 10000), 0);
	CHECK(!memcmp(buf, "abcd", 4));
	int st = 1;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(st, 0);
	/* One byte left, and then the end: two asked are not there. */
	CHECK_EQ(base_read_all(p[0], buf, 2, base_now_ms() + 10000), -ECONNRESET);
	close(p[0]);

	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(base_read_all(p[0], buf, 1, base_now_ms() + 30), -ETIMEDOUT);
	CHECK_EQ(base_read_all(p[0], buf, 1, base_now_ms() - 1), -ETIMEDOUT);
	CHECK_EQ(base_read_all(p[0], buf, 0, base_now_ms() - 1), 0); /* nothing asked */
	close(p[0]);
	close(p[1]);
}

/* A listening socket on 127.0.0.1 (port 0: one that refuses, as closed). */
static int listener(int *port, bool listen_too)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0);
	CHECK_EQ(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	CHECK_EQ(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	if (listen_too)
		CHECK_EQ(listen(fd, 4), 0);
	return fd;
}

struct con_dir {
	char dir[64];
	struct vmc_spec spec;
};

static struct vmc_console *tcp_console(struct con_dir *d, const char *host, int port)
{
	char err[200] = "";
	struct vmc_console *c;

	snprintf(d->dir, sizeof d->dir, "/tmp/telly-vmc.XXXXXX");
	CHECK(mkdtemp(d->dir) != NULL);
	d->spec = (struct vmc_spec){.kind = VMC_TCP, .log_cap = 1 << 20, .log_keep = 1};
	snprintf(d->spec.name, sizeof d->spec.name, "t");
	snprintf(d->spec.target, sizeof d->spec.target, "%s:%d", host, port);
	snprintf(d->spec.log, sizeof d->spec.log, "%s/t.log", d->dir);
	c = vmc_console_create(&d->spec, d->dir, d->dir, err, sizeof err);
	CHECK(c != NULL);
	return c;
}

static void con_dir_finish(struct con_dir *d)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->dir);
	CHECK_EQ(system(cmd), 0);
}

/* Polls and services c as the loop does, until it is up or said down
 * (*said: the notice), or limit_ms passed. */
static bool drive(struct vmc_console *c, long limit_ms, char *said, size_t saidn)
{
	long end = base_now_ms() + limit_ms;
	uint8_t buf[4096];

	said[0] = 0;
	while (base_now_ms() < end) {
		struct pollfd pf[2];
		long now = base_now_ms(), t = vmc_console_timeout_ms(c, now);
		if (t < 0 || t > end - now)
			t = end - now;
		vmc_console_pollfds(c, pf);
		if (poll(pf, 2, (int)t) < 0)
			continue;
		size_t n = vmc_console_service(c, pf, base_now_ms(), buf, sizeof buf - 1);
		if (vmc_console_up(c))
			return true;
		if (n) {
			buf[n] = 0;
			snprintf(said, saidn, "%s", (char *)buf);
			return false;
		}
	}
	return false;
}

/* A name: resolving (the loop is not held), then connected; the resolver
 * thread posts to a descriptor the console's poll slot watches. */
static void tcp_name_connects(void)
{
	struct con_dir d;
	char desc[200], said[512];
	int port, lfd = listener(&port, true);
	struct vmc_console *c = tcp_console(&d, "localhost", port);

	vmc_console_describe(c, desc, sizeof desc);
	CHECK(strstr(desc, "(resolving localhost)") != NULL);
	CHECK(!vmc_console_up(c));
	CHECK(drive(c, 10000, said, sizeof said));
	vmc_console_describe(c, desc, sizeof desc);
	CHECK(strstr(desc, "(up)") != NULL);
	vmc_console_destroy(c);
	close(lfd);
	con_dir_finish(&d);
}

/* An address connects without a resolver; a refused one is said down
 * with why, naming the target. */
static void tcp_address_and_refused(void)
{
	struct con_dir d;
	char desc[200], said[512];
	int port, lfd = listener(&port, true), closed_port, cfd = listener(&closed_port, false);
	struct vmc_console *c = tcp_console(&d, "127.0.0.1", port);

	vmc_console_describe(c, desc, sizeof desc);
	CHECK(strstr(desc, "resolving") == NULL);
	CHECK(drive(c, 10000, said, sizeof said));
	vmc_console_destroy(c);
	con_dir_finish(&d);

	c = tcp_console(&d, "localhost", closed_port); /* every address localhost has refuses */
	CHECK(!drive(c, 10000, said, sizeof said));
	CHECK(strstr(said, ": Connection refused; retrying") != NULL);
	CHECK(strstr(said, "tcp:localhost:") != NULL);
	vmc_console_describe(c, desc, sizeof desc);
	CHECK(strstr(desc, "(down: Connection refused)") != NULL);
	vmc_console_destroy(c);
	con_dir_finish(&d);
	close(lfd);
	close(cfd);
}

/* Destroyed while its resolver may still run: the thread lets go last
 * (under ASan: nothing used after free, nothing leaked). */
static void tcp_destroy_resolving(void)
{
	struct con_dir d;
	int port, lfd = listener(&port, true);

	for (int i = 0; i < 20; i++) {
		struct vmc_console *c = tcp_console(&d, "localhost", port);
		vmc_console_destroy(c);
		con_dir_finish(&d);
	}
	close(lfd);
}

/* base_env_edit: the environment a child gets, made before the fork
 * (X programs, xkbcomp): set replaces or adds, a bare name removes, the
 * rest stays in its order. */
static void env_edit(void)
{
	char *env[] = {"PATH=/bin", "DISPLAY=:9", "NOTIFY_SOCKET=/run/x", "DISPLAYX=1",
		       "XAUTHORITY=/old", NULL};
	const char *edits[] = {"DISPLAY=:3", "XAUTHORITY=/new", "NOTIFY_SOCKET", "GONE",
			       "TELLY_SESSION=s", NULL};
	char **e = base_env_edit(env, edits);
	const char *want[] = {"PATH=/bin", "DISPLAYX=1", "DISPLAY=:3", "XAUTHORITY=/new",
			      "TELLY_SESSION=s", NULL};

	CHECK(e != NULL);
	if (!e)
		return;
	for (size_t i = 0; want[i] || e[i]; i++) {
		CHECK(want[i] && e[i] && !strcmp(want[i], e[i]));
		if (!want[i] || !e[i])
			break;
	}
	free(e);
	e = base_env_edit(NULL, NULL);
	CHECK(e && !e[0]);
	free(e);
	/* Of two edits of one name, the later (env's words: telly new --
	 * TERM=dumb PROG after the TERM the daemon sets). */
	const char *twice[] = {"TERM=xterm", "A=1", "TERM=dumb", "A", NULL};
	e = base_env_edit(env, twice);
	CHECK(e && e[5] && !strcmp(e[5], "TERM=dumb") && !e[6]);
	free(e);
}

/* What a forked child calls before exec: descriptors from low on closed
 * (below kept), and a failed exec said in one line through write(2). */
static void child_calls(void)
{
	int p[2], keep = open("/dev/null", O_RDONLY), high = open("/dev/null", O_RDONLY), status;
	int bound = base_fd_bound();
	char buf[200] = "";
	pid_t pid;

	CHECK(keep >= 0 && high > keep && bound > high);
	CHECK_EQ(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		if (dup2(p[1], 0) < 0)
			_exit(2);
		base_child_closefrom(high, bound);
		if (fcntl(high, F_GETFD) != -1 || fcntl(keep, F_GETFD) < 0 || fcntl(0, F_GETFD) < 0)
			_exit(3);
		base_child_say_failed(0, "xkbcomp", ENOENT);
		_exit(0);
	}
	close(p[1]);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(read(p[0], buf, sizeof buf - 1) > 0);
	CHECK(!strcmp(buf, "telly: cannot run xkbcomp: No such file or directory\n"));
	close(p[0]);
	close(keep);
	close(high);
}

int main(int argc, char **argv)
{
	static const struct unit_case cases[] = {
		{"config-good", config_good},     {"config-bad-table", config_bad_table},
		{"config-limits", config_limits}, {"console-args", console_args},
		{"keys-parse", keys_parse},       {"keys-bad-table", keys_bad_table},
		{"escapes", escapes},             {"stamps", stamps},
		{"sizes", sizes},
		{"keys-name-and-type", keys_name_and_type},
		{"readme-consoles-example", readme_consoles_example},
		{"keys-lenient", keys_lenient},   {"log-escape", log_escape},
		{"winsize-bound", winsize_bound}, {"read-all", read_all},
		{"tcp-name-connects", tcp_name_connects},
		{"tcp-address-and-refused", tcp_address_and_refused},
		{"tcp-destroy-resolving", tcp_destroy_resolving},
		{"env-edit", env_edit},           {"child-calls", child_calls},
	};
	return unit_main(cases, sizeof cases / sizeof *cases, argc, argv);
}
