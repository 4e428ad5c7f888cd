#!/bin/sh
# python3 started through a wrapper that asks a helper something first
# (a version manager's shim: v=$(...), then exec): while the wrapper, the
# foreground group's leader, reads the helper's pipe, the program does
# not wait for input, so keys typed then are kept on the desk (bash went
# canonical for the command) until the REPL is raw, then echoed by it
# after its prompt; not echoed by the desk before the prompt, where they
# would stay ("1+1>>> 1+1").
. test/integration/lib.sh "$1"
. test/integration/cooked.inc
command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }
cooked_serve
cat >"$T/shim" <<'EOF'
#!/bin/sh
v=$(sleep 1; echo 3)
exec python3 -q "$@"
EOF
chmod +x "$T/shim"
cooked_attach w1 bash --rcfile "$T/rc" -i
wait_for w1 'P1 >' 30
# "gone" comes after bash's canonical TERMIOS, while the shim waits.
tm send-keys -t t:w1 "echo go''ne; $T/shim" Enter
wait_line w1 gone
tm send-keys -t t:w1 1+1
wait_for w1 '>>> 1+1' 20
screen w1 | grep -q '^1+1' && { screen w1; fail "keys typed while the wrapper ran were echoed on the desk before the prompt"; }
echo "predict-cooked-wrapper: ok"
