/* The seccomp filter of the front door's session process (door.h), as
 * OpenSSH's sandbox-seccomp-filter.c: an allow-list in raw BPF, set with
 * no_new_privs so an unprivileged process may set it and nothing it runs
 * could gain privileges.
 *
 * What is allowed is what libssh and its crypto need once the host key is
 * loaded, and what relaying needs: I/O on descriptors the process already
 * has, poll, memory (never executable), clocks, random bytes, exit. A path
 * opened or looked at fails with EACCES (libraries that try a file now and
 * then carry on without it); any other call kills the process, which the
 * monitor sees as its end.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "door.h"

#if defined(__x86_64__)
#define SANDBOX_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH AUDIT_ARCH_AARCH64
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + (i) * 8)
#else
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + (i) * 8 + 4)
#endif

#define LOAD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define KILL RET(SECCOMP_RET_KILL_PROCESS)
#define ALLOW_NR(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), RET(SECCOMP_RET_ALLOW)
#define ERRNO_NR(nr, e) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), RET(SECCOMP_RET_ERRNO | (e))
/* nr allowed unless argument i has any of bits (mmap's and mprotect's
 * PROT_EXEC). */
#define ALLOW_NR_WITHOUT(nr, i, bits)                                  \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 4),               \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(i)),                 \
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, (bits), 0, 1), KILL,      \
	RET(SECCOMP_RET_ALLOW)
/* nr allowed when argument i has bit (newfstatat's AT_EMPTY_PATH: fstat
 * on a descriptor), else it fails with e (a path looked at). */
#define ALLOW_NR_WITH(nr, i, bit, e)                                   \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 4),               \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(i)),                 \
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, (bit), 0, 1),             \
	RET(SECCOMP_RET_ALLOW), RET(SECCOMP_RET_ERRNO | (e))
/* nr allowed when argument i is a or b (fcntl's and ioctl's commands). */
#define ALLOW_NR_IF(nr, i, a, b)                                       \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 5),               \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(i)),                 \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (a), 2, 0),                \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (b), 1, 0), KILL,          \
	RET(SECCOMP_RET_ALLOW)

int vmc_sandbox_enter(char *err, size_t errn)
{
#ifdef SANDBOX_ARCH
	static const struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_ARCH, 1, 0),
		KILL,
		LOAD_NR,
#ifdef __X32_SYSCALL_BIT
		/* x32 calls are other numbers for the same things */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 0, 1),
		KILL,
#endif
		/* descriptors it has */
		ALLOW_NR(__NR_read), ALLOW_NR(__NR_write), ALLOW_NR(__NR_readv),
		ALLOW_NR(__NR_writev), ALLOW_NR(__NR_recvfrom), ALLOW_NR(__NR_sendto),
		ALLOW_NR(__NR_recvmsg), ALLOW_NR(__NR_sendmsg), ALLOW_NR(__NR_close),
		ALLOW_NR(__NR_shutdown), ALLOW_NR(__NR_getsockopt), ALLOW_NR(__NR_setsockopt),
		ALLOW_NR(__NR_getpeername), ALLOW_NR(__NR_getsockname), ALLOW_NR(__NR_fstat),
		/* glibc's fstat is newfstatat(fd, "", AT_EMPTY_PATH); its stat
		 * and lstat are the same call without the flag. The path itself
		 * is out of a filter's reach: a caller that sets the flag with a
		 * path still learns what stat says (never opens it). */
		ALLOW_NR_WITH(__NR_newfstatat, 3, AT_EMPTY_PATH, EACCES),
		ALLOW_NR(__NR_lseek), ALLOW_NR(__NR_ppoll),
		ALLOW_NR(__NR_pselect6),
#ifdef __NR_poll
		ALLOW_NR(__NR_poll), ALLOW_NR(__NR_select),
#endif
		ALLOW_NR_IF(__NR_fcntl, 1, F_GETFL, F_SETFL),
		ALLOW_NR_IF(__NR_ioctl, 1, FIONREAD, FIONBIO),
		/* memory, never executable */
		ALLOW_NR(__NR_brk), ALLOW_NR(__NR_munmap), ALLOW_NR(__NR_mremap),
		ALLOW_NR(__NR_madvise),
		ALLOW_NR_WITHOUT(__NR_mmap, 2, PROT_EXEC),
		ALLOW_NR_WITHOUT(__NR_mprotect, 2, PROT_EXEC),
		/* time, randomness, threads' waits, signals' returns, exit */
		ALLOW_NR(__NR_clock_gettime), ALLOW_NR(__NR_clock_getres),
		ALLOW_NR(__NR_gettimeofday), ALLOW_NR(__NR_nanosleep),
		ALLOW_NR(__NR_clock_nanosleep), ALLOW_NR(__NR_getrandom), ALLOW_NR(__NR_futex),
		ALLOW_NR(__NR_getpid), ALLOW_NR(__NR_gettid), ALLOW_NR(__NR_getuid),
		ALLOW_NR(__NR_geteuid), ALLOW_NR(__NR_getgid), ALLOW_NR(__NR_getegid),
		ALLOW_NR(__NR_sched_yield), ALLOW_NR(__NR_rt_sigreturn),
		ALLOW_NR(__NR_rt_sigprocmask), ALLOW_NR(__NR_sigaltstack),
		ALLOW_NR(__NR_restart_syscall),
		ALLOW_NR(__NR_exit), ALLOW_NR(__NR_exit_group),
		/* paths: refused, softly */
		ERRNO_NR(__NR_openat, EACCES),
#ifdef __NR_open
		ERRNO_NR(__NR_open, EACCES), ERRNO_NR(__NR_stat, EACCES),
		ERRNO_NR(__NR_lstat, EACCES), ERRNO_NR(__NR_access, EACCES),
		ERRNO_NR(__NR_readlink, EACCES),
#endif
		ERRNO_NR(__NR_faccessat, EACCES), ERRNO_NR(__NR_readlinkat, EACCES),
		ERRNO_NR(__NR_statx, EACCES),
		KILL,
	};
	static const struct sock_fprog prog = {
		.len = sizeof filter / sizeof *filter,
		.filter = (struct sock_filter *)filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errn, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		snprintf(err, errn, "seccomp filter: %s", strerror(errno));
		return -1;
	}
	return 0;
#else
	snprintf(err, errn, "no seccomp filter for this architecture");
	return -1;
#endif
}
