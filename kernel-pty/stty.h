/* stty words applied to a kpty_termios, with the syntax and meaning of
 * GNU coreutils' `stty -F DEV ARGS...`. Pure: no I/O. */
#ifndef KPTY_STTY_H
#define KPTY_STTY_H

#include <stddef.h>

#include "kpty.h"

/* Apply argv[0..argc) to *t. On a bad word returns -1 and writes a message
 * naming it into err; *t is then unspecified. */
int kpty_stty(struct kpty_termios *t, int argc, char *const *argv, char *err, size_t errlen);

#endif
