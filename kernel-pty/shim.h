/* The little libc the kernel-pty core uses, in one place, so that the core
 * can be built where there is no libc (a kernel module, a freestanding
 * build): memcpy and memset, and one allocation per pty at create time. */
#ifndef KPTY_SHIM_H
#define KPTY_SHIM_H

#include <stdlib.h>

#define kpty_zalloc(n) calloc(1, (n))
#define kpty_free(p) free(p)
#define kpty_memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define kpty_memset(d, c, n) __builtin_memset((d), (c), (n))

#endif
