/* Inside the SSH front door: what its per-connection processes say to each
 * other (see sshd.c for who they are). Private to vmconsole.
 *
 * The session process (libssh, sandboxed) and its monitor talk over a unix
 * socketpair in remote-proto frames. Before login only the DOOR_ types
 * below; the session asks to attach with an RP_OPEN (the monitor decides
 * the name and the rights), and from the answer on the frames of the
 * attached channel go through the monitor, which passes on only what the
 * grant allows.
 */
#ifndef VMC_DOOR_H
#define VMC_DOOR_H

#include <stddef.h>

/* Types no daemon uses (remote-proto's stop below 0x40). */
enum door_type {
	DOOR_KEX = 0xd0,    /* session → monitor: key exchange done (empty) */
	DOOR_KEY = 0xd1,    /* session → monitor: u8 proven, "USER\0TYPE\0BASE64\0" */
	DOOR_KEY_OK = 0xd2, /* monitor → session: flags 1 = take it; the key's name */
	DOOR_LOG = 0xd3,    /* session → monitor: a line for the log */
	DOOR_TEXT = 0xd4,   /* monitor → session: text for the person, then the end */
	DOOR_ATTACHED = 0xd5, /* monitor → session: on the daemon's channel; flags 1 = read-only */
};

#define DOOR_SOCK_FD 3   /* the session process's client socket */
#define DOOR_MON_FD 4    /* and its end of the monitor's socketpair */
#define DOOR_LOG_BYTES 1024
#define DOOR_SUBCOMMAND "sshd-session"

/* The seccomp filter of the session process: from here on it can only
 * read, write, poll and close descriptors it has, allocate memory, read
 * clocks and random bytes, and exit; opening a file or stat of a path fails
 * with EACCES (fstat of a descriptor works) and
 * anything else (a socket, connect, exec, fork, kill, ptrace, ...) kills
 * it. 0, or -1 with err. */
int vmc_sandbox_enter(char *err, size_t errn);

#endif
