/* thread-hold TID: stop one thread of a process, and only it (ptrace's
 * SEIZE and INTERRUPT stop the thread named, not its whole process), until
 * the process dies or this is killed. Prints "held" once the thread is
 * stopped. A test holds a daemon's helper thread this way to see what the
 * daemon's main loop does without it: the thread cannot catch up behind
 * the test's back before the test kills the daemon. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	char *end;
	long tid = argc == 2 ? strtol(argv[1], &end, 10) : 0;
	int st;

	if (argc != 2 || *end || tid <= 0) {
		fprintf(stderr, "usage: thread-hold TID\n");
		return 2;
	}
	if (ptrace(PTRACE_SEIZE, (pid_t)tid, NULL, NULL) < 0 ||
	    ptrace(PTRACE_INTERRUPT, (pid_t)tid, NULL, NULL) < 0) {
		perror("thread-hold: ptrace");
		return 1;
	}
	if (waitpid((pid_t)tid, &st, __WALL) < 0) {
		perror("thread-hold: waitpid");
		return 1;
	}
	printf("held\n");
	fflush(stdout);
	/* Never let it go on: wait for its end (a SIGKILL ends it stopped). */
	while (waitpid((pid_t)tid, &st, __WALL) >= 0 || errno == EINTR)
		if (WIFEXITED(st) || WIFSIGNALED(st))
			break;
	return 0;
}
