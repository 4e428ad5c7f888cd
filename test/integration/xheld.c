/* xheld: run a program whose end its parent cannot see for a while, as
 * one the kernel holds in uninterruptible sleep, for the tests of a
 * daemon that must not wait for its children (x11-put-down.sh).
 *
 *   xheld RELEASE-FILE PID-FILE PROGRAM [ARG...]
 *
 * Writes its pid to PID-FILE, then becomes PROGRAM (same pid, same
 * descriptors: an X server's -displayfd goes along), traced by a child of
 * its own (ptrace, PR_SET_PTRACER for Yama) that:
 * - ignores SIGTERM for it (the signal is suppressed; any other signal
 *   goes on as sent), so only SIGKILL ends it;
 * - once it has ended, holds its end: a tracee's exit is seen by its
 *   tracer first, and its parent's waitpid sees nothing (not even with
 *   WNOHANG) until the tracer lets go. It lets go (exits) once
 *   RELEASE-FILE exists, polled every 20 ms, or after 60 s at most.
 * /proc/PID stays (a zombie) meanwhile.
 */
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOLD_MAX_S 60

static void tracer(pid_t tracee, const char *release, int ready)
{
	struct timespec tick = {0, 20 * 1000 * 1000};
	time_t until = time(NULL) + HOLD_MAX_S;
	bool ended = false;

	if (ptrace(PTRACE_SEIZE, tracee, NULL, NULL) < 0) {
		fprintf(stderr, "xheld: ptrace: %m\n");
		_exit(1);
	}
	if (write(ready, "x", 1) != 1)
		_exit(1);
	close(ready);
	while (time(NULL) < until) {
		siginfo_t si = {0};
		int st;

		if (ended) {
			if (access(release, F_OK) == 0)
				break;
			nanosleep(&tick, NULL);
			continue;
		}
		/* Looked at, not taken: an end taken here would never reach
		 * the parent; a stop is taken below. */
		if (waitid(P_PID, (id_t)tracee, &si, WEXITED | WSTOPPED | WNOHANG | WNOWAIT | __WALL) <
		    0)
			break;
		if (si.si_pid == 0) {
			nanosleep(&tick, NULL);
			continue;
		}
		if (si.si_code == CLD_EXITED || si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED) {
			fprintf(stderr, "xheld: pid %d ended; its end is held\n", (int)tracee);
			ended = true;
			continue;
		}
		if (waitpid(tracee, &st, __WALL) != tracee || !WIFSTOPPED(st))
			continue;
		if (st >> 16 == PTRACE_EVENT_STOP) /* a group stop (SIGSTOP): as asked */
			ptrace(PTRACE_LISTEN, tracee, NULL, NULL);
		else if (WSTOPSIG(st) == SIGTERM) {
			fprintf(stderr, "xheld: pid %d ignores SIGTERM\n", (int)tracee);
			ptrace(PTRACE_CONT, tracee, NULL, NULL);
		} else
			ptrace(PTRACE_CONT, tracee, NULL, (void *)(long)WSTOPSIG(st));
	}
	_exit(0); /* the tracee is let go: its parent reaps it */
}

int main(int argc, char **argv)
{
	int p[2];
	char c;
	pid_t self = getpid(), t;
	FILE *f;

	if (argc < 4) {
		fprintf(stderr, "usage: xheld RELEASE-FILE PID-FILE PROGRAM [ARG...]\n");
		return 2;
	}
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY); /* (Yama: a child may trace us) */
	if (pipe(p) < 0)
		return 1;
	t = fork();
	if (t < 0)
		return 1;
	if (t == 0) {
		close(p[0]);
		for (int fd = 3; fd < 1024; fd++) /* nothing of the program's kept open */
			if (fd != p[1])
				close(fd);
		setsid(); /* not in the program's process group: its kill is not ours */
		tracer(self, argv[1], p[1]);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1) {
		fprintf(stderr, "xheld: the tracer did not start\n");
		return 1;
	}
	close(p[0]);
	if (!(f = fopen(argv[2], "w")) || fprintf(f, "%d\n", (int)self) < 0 || fclose(f) != 0) {
		fprintf(stderr, "xheld: cannot write %s\n", argv[2]);
		return 1;
	}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "xheld: cannot run %s: %m\n", argv[3]);
	return 127;
}
