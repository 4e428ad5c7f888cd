/* The two ttyscript backends: telly's kernel-pty in process, and the Linux
 * kernel's pty in a child process that is a session leader with the slave
 * as its controlling terminal (so ISIG signals reach it). */
#ifndef TS_BACKENDS_H
#define TS_BACKENDS_H

#include "script.h"

/* Run the first nops ops of s and write the transcript to out. */
int ts_run_kpty(const struct ts_script *s, size_t nops, FILE *out);
/* quiet_ms: how long the pty must stay unchanged before the runner trusts
 * that the kernel's asynchronous input processing is done. Returns 0, or -1
 * if the child failed or timed out (out then says why). */
int ts_run_linux(const struct ts_script *s, size_t nops, int quiet_ms, FILE *out);

#endif
