#!/bin/sh
# telly attach asks its terminal whether it has synchronized updates (DEC
# 2026, DECRQM) and takes the answer out of the keys. Here the terminal is
# a pty the test drives, and its answer comes in two writes, the second
# only once attach has read the first: no byte of it reaches the program,
# the keys typed after it do, and an Escape typed alone still arrives
# (a partial answer that is not completed is keys after a bound time).
. test/integration/lib.sh "$1"
command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }

"$TELLY" new -s sy -- sh -c "stty raw -echo; echo ready; exec cat >$T/typed" >/dev/null ||
	fail "telly new"
wait_until 20 grep -q ready "$LOG_DIR/logs/sy.log"

# The terminal: attach on a pty's slave; on the master, the answer in
# two pieces, each awaited until the slave's input queue is empty (attach
# read it), then keys, then an Escape alone, then ~. to leave.
cat >"$T/term.py" <<'EOF'
import fcntl, os, select, struct, sys, termios, time

telly, typed = sys.argv[1], sys.argv[2]
master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    os.dup2(slave, 0)
    os.dup2(slave, 1)
    os.close(master)
    os.execv(telly, [telly, "attach", "sy"])

def fail(msg):
    print("FAIL: " + msg)
    os.kill(pid, 9)
    sys.exit(1)

seen = b""
def read_for(what, secs):
    global seen
    end = time.time() + secs
    while what not in seen:
        left = end - time.time()
        if left <= 0:
            fail("attach never wrote %r" % what)
        if select.select([master], [], [], left)[0]:
            seen += os.read(master, 65536)

def unread():
    return struct.unpack("i", fcntl.ioctl(slave, termios.FIONREAD, b"\0" * 4))[0]

def write_read(data, secs=20):
    os.write(master, data)
    end = time.time() + secs
    while unread():  # attach reads it at once: no sleep, the piece after must follow soon
        if time.time() > end:
            fail("attach did not read %r" % data)

def typed_has(data, secs=20):
    end = time.time() + secs
    while time.time() < end:
        try:
            if data in open(typed, "rb").read():
                return
        except FileNotFoundError:
            pass
        time.sleep(0.02)
    fail("the program never got %r (it got %r)" % (data, open(typed, "rb").read()))

read_for(b"\033[?2026$p", 30)
write_read(b"\033[?20")
write_read(b"26;2$y")
write_read(b"abc")
typed_has(b"abc")
write_read(b"\033")
typed_has(b"abc\033")
write_read(b"z\r~.")
_, st = os.waitpid(pid, 0)
sys.exit(0 if os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0 else 3)
EOF
python3 "$T/term.py" "$TELLY" "$T/typed" >"$T/term.out" 2>&1 || fail "$(cat "$T/term.out")"
wait_until 20 grep -q z "$T/typed"
got=$(od -An -c "$T/typed" | tr -s ' ')
want=$(printf 'abc\033z\r' | od -An -c | tr -s ' ')
[ "$got" = "$want" ] || fail "the program got$got, want$want (the terminal's answer leaked into the keys)"
echo "attach-sync-split: a split answer is not keys; an Escape alone still is: ok"
