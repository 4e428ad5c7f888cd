/* fork-fails.so: preloaded into a daemon (LD_PRELOAD), fails its fork
 * number TELLY_TEST_FORK_FAIL (counted from 1) with EAGAIN, as at the
 * user's process limit; every other fork is the real one. The variable
 * is taken out of the environment at load: the daemon's children
 * (Xvfb, which forks xkbcomp) fork as they would.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static int fail_at;

__attribute__((constructor)) static void fork_fails_init(void)
{
	const char *n = getenv("TELLY_TEST_FORK_FAIL");

	fail_at = n ? atoi(n) : 0;
	unsetenv("TELLY_TEST_FORK_FAIL");
}

pid_t fork(void)
{
	static pid_t (*real)(void);
	static int forks;

	if (!real)
		real = (pid_t(*)(void))dlsym(RTLD_NEXT, "fork");
	if (++forks == fail_at) {
		errno = EAGAIN;
		return -1;
	}
	return real ? real() : (errno = ENOSYS, -1);
}
