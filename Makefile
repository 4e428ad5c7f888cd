# telly: top-level build. `make` builds into build/; `make test` runs every
# test and ends with "N passed, N failed"; `make demo` runs the demo.
#
# Every part is a folder (see ../shared/DESIGN.md); each builds a static
# library or programs here, in the order the dependencies run.

CC      ?= gcc
BUILD   ?= build
WARN    := -Wall -Wextra -Werror
# snprintf truncation is deliberate in messages; gcc warns of it, clang does not know the flag.
WARN    += $(shell $(CC) --version 2>/dev/null | grep -q clang || echo -Wno-format-truncation)
CFLAGS  ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -MMD -MP
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
DEPS    := scripts/deps.sh

KPTY_SRC   := kernel-pty/disc.c kernel-pty/pty.c kernel-pty/stty.c kernel-pty/linemode.c
KPTY_OS    := kernel-pty/os.c kernel-pty/pump.c
BASE_SRC   := base/base.c
RP_CORE    := $(BASE_SRC) remote-proto/codec.c remote-proto/queue.c remote-proto/resume.c
# The X windows' messages and pixel codec (xwin.h) go wherever the codec does.
RP_CORE    += remote-proto/xwin.c
RP_SRC     := $(RP_CORE) remote-proto/transport.c remote-proto/conn.c remote-proto/desk.c remote-proto/chan.c remote-proto/redial.c
VTF_SRC    := kernel-pty/vtfilter.c
SERVE_SRC  := clients/serve/main.c clients/serve/loop.c clients/serve/fdm.c clients/serve/conn.c \
              clients/serve/dispatch.c clients/serve/viewer.c clients/serve/session.c \
              clients/serve/session_pty.c clients/serve/session_console.c \
              clients/serve/screen.c clients/serve/vtscan.c $(VTF_SRC) clients/serve/link.c
CLIENT_SRC := clients/telly.c clients/demo.c $(SERVE_SRC) clients/attach.c clients/ctl.c \
              clients/client.c clients/rundir.c clients/view.c clients/slog.c
CLIENT_SRC += clients/termmodes.c
CLIENT_SRC += clients/overlay.c predict/predict.c
VTERM_LIBS := $(shell pkg-config --libs vterm 2>/dev/null || echo -lvterm)
TS_SRC     := test/ttyscript/script.c test/ttyscript/backend_kpty.c test/ttyscript/backend_linux.c
WM_SRC     := winmgr/wm.c
VMC_CORE   := $(BASE_SRC) vmconsole/config.c vmconsole/escape.c
VMC_SRC    := $(VMC_CORE) vmconsole/console.c vmconsole/sshd.c vmconsole/session.c vmconsole/sandbox.c
SSH_LIBS   := $(shell pkg-config --libs libssh 2>/dev/null || echo -lssh)
LZ4_LIBS   := $(shell pkg-config --libs liblz4 2>/dev/null || echo -llz4)
# ... and so does zstd, for the X pixel codec (remote-proto/xwin.c).
LZ4_LIBS   += $(shell pkg-config --libs libzstd 2>/dev/null || echo -lzstd)
# ... and libjpeg-turbo, for its lossy ops (video-like regions only).
LZ4_LIBS   += $(shell pkg-config --libs libturbojpeg 2>/dev/null || echo -lturbojpeg)
DS_SRC     := $(BASE_SRC) $(VTF_SRC) display-server/comp.c display-server/term.c display-server/font.c \
              display-server/headless.c display-server/x11.c display-server/script.c
DS_SRC     += display-server/clip.c
# The config file (~/.config/telly/config), for attach and view.
CLIENT_SRC += clients/config.c
DS_LIBS    := $(shell pkg-config --libs pixman-1 freetype2 fontconfig libpng xcb xcb-shm xkbcommon xkbcommon-x11 2>/dev/null)
# XKB's events (the desk's layout followed while telly view runs).
DS_LIBS    += $(shell pkg-config --libs xcb-xkb 2>/dev/null || echo -lxcb-xkb)
# XFixes' selection events (clip.c: a desk program's copy heard as it is made).
DS_LIBS    += $(shell pkg-config --libs xcb-xfixes 2>/dev/null || echo -lxcb-xfixes)
DS_CFLAGS  := $(shell pkg-config --cflags pixman-1 freetype2 fontconfig libpng xcb xkbcommon 2>/dev/null)
# X windows on the desk: their surfaces and the keymap sent to X sessions
# (display-server/xsurf.c, keymap.c; the pixel codec with them), the view's X side.
DS_SRC     += display-server/xsurf.c display-server/keymap.c display-server/seamless.c \
              remote-proto/xwin.c remote-proto/codec.c
DS_LIBS    += $(LZ4_LIBS) $(shell pkg-config --libs xcb-render xcb-shape 2>/dev/null || echo -lxcb-render -lxcb-shape)
CLIENT_SRC += clients/view_x11.c clients/x.c
INC        := $(DS_CFLAGS) -Ibase -Ikernel-pty -Iclients/serve -Iremote-proto -Iwinmgr -Idisplay-server -Ivmconsole -Ipredict -Itest/ttyscript -Itest/unit -Iclients

obj = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

# X sessions on the host (clients/serve/session_x11.c) and the display they
# run (xdisplay/), in the daemon and all that is built with it; their X
# libraries go along with the codec's. The probe desk of the X tests.
XD_SRC     := xdisplay/xd.c xdisplay/xd_prop.c xdisplay/xvfb.c xdisplay/xorg.c \
              clients/serve/session_x11.c
SERVE_SRC  += $(XD_SRC)
CLIENT_SRC += $(XD_SRC)
LZ4_LIBS   += $(shell pkg-config --libs xcb xcb-shm xcb-composite xcb-damage xcb-xfixes xcb-xtest xcb-randr xcb-shape xcb-xkb 2>/dev/null)
# X-Resource's QueryClients: the display's clients (xd_clients_ask) and
# the count of its reply (xd_prop.c, so its unit test and fuzzer too).
XRES_LIBS  := $(shell pkg-config --libs xcb-res 2>/dev/null || echo -lxcb-res)
LZ4_LIBS   += $(XRES_LIBS)
INC        += -Ixdisplay
# The direct transport (remote-proto/direct.c, transport_direct.c;
# clients/serve/direct.c): keys derived with OpenSSL's libcrypto, records
# sealed with libsodium, which go wherever the codec's libraries go. Its
# unit test and fuzzer.
RP_SRC     += remote-proto/direct.c remote-proto/transport_direct.c
SERVE_SRC  += clients/serve/direct.c
CLIENT_SRC += clients/serve/direct.c
LZ4_LIBS   += $(shell pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)
LZ4_LIBS   += $(shell pkg-config --libs libsodium 2>/dev/null || echo -lsodium)
FUZZ_SRC_direct := $(BASE_SRC) remote-proto/direct.c
DIRECT_UNIT := $(BASE_SRC) remote-proto/direct.c remote-proto/transport.c remote-proto/codec.c \
               remote-proto/transport_direct.c test/unit/test_direct.c $(KPTY_SRC)
all: $(BUILD)/test/unit-direct $(BUILD)/test/unit-direct-asan
$(BUILD)/test/unit-direct: $(call obj,obj,$(DIRECT_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LZ4_LIBS)
$(BUILD)/test/unit-direct-asan: $(call obj,san,$(DIRECT_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ $(LZ4_LIBS)
# desk.c connects --direct: the unit tests that link it take these too.
DIRECT_SRC := remote-proto/direct.c remote-proto/transport_direct.c
$(BUILD)/test/unit-door $(BUILD)/test/unit-desk: $(call obj,obj,$(DIRECT_SRC))
$(BUILD)/test/unit-door-asan $(BUILD)/test/unit-desk-asan: $(call obj,san,$(DIRECT_SRC))
all: $(BUILD)/test/direct-poke
$(BUILD)/test/direct-poke: $(call obj,obj,$(RP_CORE) $(KPTY_SRC) remote-proto/transport.c remote-proto/direct.c \
                           remote-proto/transport_direct.c test/integration/direct-poke.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LZ4_LIBS)

all: $(BUILD)/test/xprobe
$(BUILD)/test/xprobe: $(call obj,obj,$(RP_SRC) $(KPTY_SRC) test/integration/xprobe.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LZ4_LIBS) $(shell pkg-config --libs xkbcommon 2>/dev/null)

BINS := $(BUILD)/bin/kpty-script $(BUILD)/bin/kpty-fuzz $(BUILD)/bin/kpty-bench \
        $(BUILD)/bin/telly $(BUILD)/bin/typometer $(BUILD)/bin/delay-proxy $(BUILD)/bin/ticker \
        $(BUILD)/bin/vtfilter-bench
FUZZ := $(patsubst test/fuzz/%.c,$(BUILD)/test/fuzz-%,$(wildcard test/fuzz/*.c))
UNIT := $(FUZZ) $(BUILD)/test/unit-kpty $(BUILD)/test/unit-kpty-asan $(BUILD)/test/kpty-script-asan \
        $(BUILD)/test/unit-pump $(BUILD)/test/unit-pump-asan $(BUILD)/test/unit-pump-tsan \
        $(BUILD)/test/unit-rp $(BUILD)/test/unit-rp-asan $(BUILD)/test/rp-poke $(BUILD)/test/old-host $(BUILD)/test/fork-fails.so \
        $(BUILD)/test/unit-screen $(BUILD)/test/unit-screen-asan \
        $(BUILD)/test/unit-wm $(BUILD)/test/unit-wm-asan $(BUILD)/test/png-probe $(BUILD)/test/free-port $(BUILD)/test/notify-sink \
        $(BUILD)/test/unit-ds $(BUILD)/test/unit-ds-asan $(BUILD)/test/unit-vmc $(BUILD)/test/unit-vmc-asan \
        $(BUILD)/test/unit-vtfilter $(BUILD)/test/unit-vtfilter-asan \
        $(BUILD)/test/unit-slog $(BUILD)/test/unit-slog-asan

.PHONY: all test demo bench fuzz fuzz-kpty deps clean install check-deps
all: $(BINS) $(UNIT)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INC) -c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) $(INC) -c $< -o $@

$(BUILD)/bin/kpty-script: $(call obj,obj,$(KPTY_SRC) $(TS_SRC) test/ttyscript/kpty-script.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^

$(BUILD)/bin/kpty-fuzz: $(call obj,obj,$(KPTY_SRC) $(TS_SRC) test/ttyscript/kpty-fuzz.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^

$(BUILD)/bin/kpty-bench: $(call obj,obj,$(KPTY_SRC) test/bench/kpty-bench.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lutil -lpthread

$(BUILD)/bin/telly: $(call obj,obj,$(KPTY_SRC) $(KPTY_OS) $(RP_SRC) $(WM_SRC) $(DS_SRC) $(VMC_SRC) $(CLIENT_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(VTERM_LIBS) $(DS_LIBS) $(SSH_LIBS) $(LZ4_LIBS) -lm -lpthread

VMC_UNIT := $(VMC_CORE) vmconsole/console.c $(KPTY_OS) remote-proto/codec.c test/unit/test_vmc.c
$(BUILD)/test/unit-vmc: $(call obj,obj,$(VMC_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LZ4_LIBS) -lpthread

$(BUILD)/test/unit-vmc-asan: $(call obj,san,$(VMC_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ $(LZ4_LIBS) -lpthread

# The front door's processes driven without a client (test/unit/test_door.c).
DOOR_UNIT := $(VMC_CORE) vmconsole/console.c vmconsole/sshd.c vmconsole/sandbox.c $(KPTY_OS) \
             $(RP_CORE) remote-proto/transport.c remote-proto/conn.c remote-proto/desk.c remote-proto/redial.c \
             test/unit/test_door.c
all: $(BUILD)/test/unit-door $(BUILD)/test/unit-door-asan
$(BUILD)/test/unit-door: $(call obj,obj,$(DOOR_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(SSH_LIBS) $(LZ4_LIBS) -lpthread

$(BUILD)/test/unit-door-asan: $(call obj,san,$(DOOR_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ $(SSH_LIBS) $(LZ4_LIBS) -lpthread

$(BUILD)/bin/typometer: $(call obj,obj,test/bench/typometer.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lutil

$(BUILD)/bin/vtfilter-bench: $(call obj,obj,kernel-pty/vtfilter.c test/bench/vtfilter-bench.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(VTERM_LIBS)

# The X pixel encoder against whole-frame lz4 and zstd (test/bench/xenc-bench.c).
all: $(BUILD)/bin/xenc-bench
$(BUILD)/bin/xenc-bench: $(call obj,obj,$(RP_CORE) test/bench/xenc-bench.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LZ4_LIBS)

$(BUILD)/bin/ticker: $(call obj,obj,test/bench/ticker.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^

$(BUILD)/bin/delay-proxy: $(call obj,obj,test/bench/delay-proxy.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^

$(BUILD)/test/unit-kpty: $(call obj,obj,$(KPTY_SRC) test/unit/test_kpty.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^

$(BUILD)/test/unit-kpty-asan: $(call obj,san,$(KPTY_SRC) test/unit/test_kpty.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^

# The pty reader thread on real ptys: plain, ASan+UBSan, ThreadSanitizer.
$(BUILD)/test/unit-pump: $(call obj,obj,$(KPTY_OS) base/base.c test/unit/test_pump.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lpthread

$(BUILD)/test/unit-pump-asan: $(call obj,san,$(KPTY_OS) base/base.c test/unit/test_pump.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ -lpthread

$(BUILD)/test/unit-pump-tsan: $(KPTY_OS) base/base.c test/unit/test_pump.c kernel-pty/kpty_os.h test/unit/unit.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 -fsanitize=thread $(INC) -o $@ $(KPTY_OS) base/base.c test/unit/test_pump.c -lpthread

$(BUILD)/test/kpty-script-asan: $(call obj,san,$(KPTY_SRC) $(TS_SRC) test/ttyscript/kpty-script.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^

RP_UNIT := $(RP_CORE) kernel-pty/pty.c kernel-pty/disc.c test/unit/test_rp.c
$(BUILD)/test/unit-rp: $(call obj,obj,$(RP_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(VTERM_LIBS) $(LZ4_LIBS)

$(BUILD)/test/unit-rp-asan: $(call obj,san,$(RP_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ $(VTERM_LIBS) $(LZ4_LIBS)

# The daemon's copy of a session's screen, against libvterm's own.
SCREEN_UNIT := clients/serve/screen.c clients/serve/vtscan.c kernel-pty/vtfilter.c test/unit/test_screen.c
$(BUILD)/test/unit-screen: $(call obj,obj,$(SCREEN_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(VTERM_LIBS)

$(BUILD)/test/unit-screen-asan: $(call obj,san,$(SCREEN_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ $(VTERM_LIBS)

# The session log as the daemon's loop sees it (a thread, real files).
SLOG_UNIT := clients/slog.c $(VMC_CORE) vmconsole/console.c remote-proto/codec.c $(KPTY_OS) \
             test/unit/test_slog.c
$(BUILD)/test/unit-slog: $(call obj,obj,$(SLOG_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LZ4_LIBS) -lpthread

$(BUILD)/test/unit-slog-asan: $(call obj,san,$(SLOG_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ $(LZ4_LIBS) -lpthread

# telly attach's terminal modes (test/unit/test_termmodes.c).
TERMMODES_UNIT := clients/termmodes.c test/unit/test_termmodes.c
all: $(BUILD)/test/unit-termmodes $(BUILD)/test/unit-termmodes-asan
$(BUILD)/test/unit-termmodes: $(call obj,obj,$(TERMMODES_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^

$(BUILD)/test/unit-termmodes-asan: $(call obj,san,$(TERMMODES_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^

# The prediction engine's rules as plain calls (test/unit/test_predict.c).
PRED_SRC := predict/predict.c $(VTF_SRC)
PREDICT_UNIT := $(PRED_SRC) test/unit/test_predict.c
all: $(BUILD)/test/unit-predict $(BUILD)/test/unit-predict-asan
$(BUILD)/test/unit-predict: $(call obj,obj,$(PREDICT_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(VTERM_LIBS)

$(BUILD)/test/unit-predict-asan: $(call obj,san,$(PREDICT_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ $(VTERM_LIBS)

# WM_DELETE_WINDOW sent to a window, for the seamless view's tests.
all: $(BUILD)/test/xclose
$(BUILD)/test/xclose: $(call obj,obj,test/integration/xclose.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(shell pkg-config --libs xcb 2>/dev/null)
# An X program that maps a window at a place, asked for or not, or with
# malformed properties (the placement tests).
all: $(BUILD)/test/xplace
$(BUILD)/test/xplace: $(call obj,obj,test/integration/xplace.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(shell pkg-config --libs xcb 2>/dev/null)
# An X program whose clipboard text comes in INCR pieces that never end.
all: $(BUILD)/test/xincr
$(BUILD)/test/xincr: $(call obj,obj,test/integration/xincr.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(shell pkg-config --libs xcb 2>/dev/null)
# An X program that draws on presses only and logs every button and key.
all: $(BUILD)/test/xpress
$(BUILD)/test/xpress: $(call obj,obj,test/integration/xpress.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(shell pkg-config --libs xcb 2>/dev/null)
# A shaped X program (a cross) that unshapes and shapes again when told,
# and logs the clicks that reach it (xview-shape.sh).
all: $(BUILD)/test/xshape
$(BUILD)/test/xshape: $(call obj,obj,test/integration/xshape.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(shell pkg-config --libs xcb xcb-shape 2>/dev/null)
# The keys an X server has down (xview-focus-keys.sh).
all: $(BUILD)/test/xkeys
$(BUILD)/test/xkeys: $(call obj,obj,test/integration/xkeys.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(shell pkg-config --libs xcb 2>/dev/null)
# Grabs the X server and holds it until told (x11-grab.sh).
all: $(BUILD)/test/xgrab
$(BUILD)/test/xgrab: $(call obj,obj,test/integration/xgrab.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(shell pkg-config --libs xcb 2>/dev/null)
# An X program that does what a broken or hostile one may (x11-hostile*.sh).
all: $(BUILD)/test/xhostile
$(BUILD)/test/xhostile: $(call obj,obj,test/integration/xhostile.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(shell pkg-config --libs xcb xcb-render 2>/dev/null)
# A program whose end its parent cannot see until told (x11-put-down.sh).
all: $(BUILD)/test/xheld
$(BUILD)/test/xheld: $(call obj,obj,test/integration/xheld.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^
# A folder on a mount that never answers (program-cannot-run.sh).
all: $(BUILD)/test/hungmount
$(BUILD)/test/hungmount: $(call obj,obj,test/integration/hungmount.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^
# A window that plays video-like frames, for the lossy X test.
all: $(BUILD)/test/xanim
$(BUILD)/test/xanim: $(call obj,obj,test/integration/xanim.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(shell pkg-config --libs xcb 2>/dev/null)

# Pastes the CLIPBOARD and says whether it came in INCR pieces (x11-clipboard-incr.sh).
all: $(BUILD)/test/xpaste
$(BUILD)/test/xpaste: $(call obj,obj,test/integration/xpaste.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(shell pkg-config --libs xcb 2>/dev/null)

# Owns the CLIPBOARD as a toolkit program does, TIMESTAMP answered
# (xview-clipboard-attach.sh).
all: $(BUILD)/test/xown
$(BUILD)/test/xown: $(call obj,obj,test/integration/xown.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(shell pkg-config --libs xcb 2>/dev/null)

# X windows on the desk without a daemon: surfaces, keymap, the view's X
# side against a fake host (test/unit/test_xdesk.c).
XDESK_UNIT := $(WM_SRC) $(DS_SRC) $(RP_CORE) remote-proto/transport.c remote-proto/conn.c \
              clients/view_x11.c xdisplay/xd_prop.c test/unit/test_xdesk.c
all: $(BUILD)/test/unit-xdesk $(BUILD)/test/unit-xdesk-asan
$(BUILD)/test/unit-xdesk: $(call obj,obj,$(XDESK_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(VTERM_LIBS) $(DS_LIBS) $(XRES_LIBS) -lm

$(BUILD)/test/unit-xdesk-asan: $(call obj,san,$(XDESK_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ $(VTERM_LIBS) $(DS_LIBS) $(XRES_LIBS) -lm

# xdisplay's reads against a real Xvfb (test/unit/test_xd.c).
XD_UNIT := $(BASE_SRC) xdisplay/xd.c xdisplay/xd_prop.c xdisplay/xvfb.c xdisplay/xorg.c test/unit/test_xd.c
all: $(BUILD)/test/unit-xd $(BUILD)/test/unit-xd-asan
$(BUILD)/test/unit-xd: $(call obj,obj,$(XD_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LZ4_LIBS)

$(BUILD)/test/unit-xd-asan: $(call obj,san,$(XD_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ $(LZ4_LIBS)

# What X programs hand the window manager and the clipboards, read as plain
# functions (xdisplay/xd_prop.c, test/unit/test_xd_prop.c).
XDPROP_UNIT := xdisplay/xd_prop.c test/unit/test_xd_prop.c
all: $(BUILD)/test/unit-xdprop $(BUILD)/test/unit-xdprop-asan
$(BUILD)/test/unit-xdprop: $(call obj,obj,$(XDPROP_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(XRES_LIBS)

$(BUILD)/test/unit-xdprop-asan: $(call obj,san,$(XDPROP_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ $(XRES_LIBS)

# remote-proto's X windows: messages and pixel codec (test/unit/test_xwin.c).
XWIN_UNIT := $(RP_CORE) test/unit/test_xwin.c
all: $(BUILD)/test/unit-xwin $(BUILD)/test/unit-xwin-asan
$(BUILD)/test/unit-xwin: $(call obj,obj,$(XWIN_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LZ4_LIBS)

$(BUILD)/test/unit-xwin-asan: $(call obj,san,$(XWIN_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ $(LZ4_LIBS)

# telly attach's overlay against a terminal (test/unit/test_overlay.c).
OVERLAY_UNIT := clients/overlay.c $(PRED_SRC) test/unit/test_overlay.c
all: $(BUILD)/test/unit-overlay $(BUILD)/test/unit-overlay-asan
$(BUILD)/test/unit-overlay: $(call obj,obj,$(OVERLAY_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(VTERM_LIBS)

$(BUILD)/test/unit-overlay-asan: $(call obj,san,$(OVERLAY_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ $(VTERM_LIBS)

# make bench's typist at a remote line editor (test/bench/predict-bench.sh).
all: $(BUILD)/bin/predict-bench
$(BUILD)/bin/predict-bench: $(call obj,obj,test/bench/predict-bench.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lutil $(VTERM_LIBS)

# The desk-side channel on a socketpair (test/unit/test_desk.c).
DESK_UNIT := $(RP_CORE) remote-proto/transport.c remote-proto/conn.c remote-proto/desk.c \
             remote-proto/chan.c remote-proto/redial.c $(KPTY_SRC) test/unit/test_desk.c
all: $(BUILD)/test/unit-desk $(BUILD)/test/unit-desk-asan
.PHONY: unit-desk unit-desk-asan
unit-desk: $(BUILD)/test/unit-desk
unit-desk-asan: $(BUILD)/test/unit-desk-asan
$(BUILD)/test/unit-desk: $(call obj,obj,$(DESK_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LZ4_LIBS)

$(BUILD)/test/unit-desk-asan: $(call obj,san,$(DESK_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ $(LZ4_LIBS)

# The link's bookkeeping: kept output, input sent again, heartbeat (test/unit/test_resume.c).
all: $(BUILD)/test/unit-resume $(BUILD)/test/unit-resume-asan
$(BUILD)/test/unit-resume: $(call obj,obj,remote-proto/resume.c test/unit/test_resume.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^

$(BUILD)/test/unit-resume-asan: $(call obj,san,remote-proto/resume.c test/unit/test_resume.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^

# The daemon without sockets (test/unit/test_serve.c): its files but the command's.
SERVE_UNIT := $(filter-out clients/serve/main.c,$(SERVE_SRC)) clients/slog.c clients/rundir.c \
              $(RP_SRC) $(KPTY_SRC) \
              $(KPTY_OS) $(VMC_SRC) test/unit/test_serve.c
all: $(BUILD)/test/unit-serve $(BUILD)/test/unit-serve-asan
$(BUILD)/test/unit-serve: $(call obj,obj,$(SERVE_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(VTERM_LIBS) $(SSH_LIBS) $(LZ4_LIBS) -lm -lpthread

$(BUILD)/test/unit-serve-asan: $(call obj,san,$(SERVE_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ $(VTERM_LIBS) $(SSH_LIBS) $(LZ4_LIBS) -lm -lpthread

VTF_UNIT := kernel-pty/vtfilter.c test/unit/test_vtfilter.c
$(BUILD)/test/unit-vtfilter: $(call obj,obj,$(VTF_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(VTERM_LIBS)

$(BUILD)/test/unit-vtfilter-asan: $(call obj,san,$(VTF_UNIT))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ $(VTERM_LIBS)

$(BUILD)/test/unit-wm: $(call obj,obj,$(WM_SRC) test/unit/test_wm.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lm

$(BUILD)/test/unit-wm-asan: $(call obj,san,$(WM_SRC) test/unit/test_wm.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ -lm

$(BUILD)/test/unit-ds: $(call obj,obj,$(WM_SRC) $(DS_SRC) kernel-pty/vtfilter.c test/unit/test_ds.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(VTERM_LIBS) $(DS_LIBS) -lm

$(BUILD)/test/unit-ds-asan: $(call obj,san,$(WM_SRC) $(DS_SRC) kernel-pty/vtfilter.c test/unit/test_ds.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $^ $(VTERM_LIBS) $(DS_LIBS) -lm

$(BUILD)/test/free-port: $(call obj,obj,test/integration/free-port.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^

$(BUILD)/test/notify-sink: $(call obj,obj,test/integration/notify-sink.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^

$(BUILD)/test/png-probe: $(call obj,obj,test/integration/png-probe.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(shell pkg-config --libs libpng 2>/dev/null)

# libFuzzer targets (test/fuzz/README.md): test/fuzz/NAME.c with the sources
# FUZZ_SRC_NAME names (coverage-instrumented), clang with ASan and UBSan, into
# $(BUILD)/test/fuzz-NAME. `make fuzz-NAME` runs one until stopped or a
# finding, `make fuzz-all SECONDS=N` each for N s; test/run.sh runs each.
FUZZ_SRC_rp       := $(RP_CORE)
FUZZ_SRC_consoles := $(VMC_CORE) remote-proto/codec.c
FUZZ_SRC_keys     := $(VMC_CORE) remote-proto/codec.c
FUZZ_SRC_escape   := $(BASE_SRC) vmconsole/escape.c
FUZZ_SRC_termmodes := clients/termmodes.c
FUZZ_SRC_config   := $(BASE_SRC) clients/config.c winmgr/wm.c
FUZZ_LIBS_config  = $(shell pkg-config --libs xkbcommon 2>/dev/null || echo -lxkbcommon) -lm
FUZZ_SRC_xwin     := $(RP_CORE)
FUZZ_SRC_xprop    := xdisplay/xd_prop.c
# telly view's X side against a headless desk (as unit-xdesk builds it).
FUZZ_SRC_xview    := $(WM_SRC) $(DS_SRC) $(RP_CORE) remote-proto/transport.c remote-proto/conn.c \
                     clients/view_x11.c xdisplay/xd_prop.c
FUZZ_LIBS_xview   = $(VTERM_LIBS) $(DS_LIBS) $(XRES_LIBS) -lm
FUZZ_SRC_ttyscript := test/ttyscript/script.c $(KPTY_SRC)
FUZZ_LIBS         := $(LZ4_LIBS)
# The terminal fuzzers take libvterm built from its source with the same
# instrumentation (scripts/vterm-source.sh; -lvterm where it cannot).
FUZZ_SRC_screen   := clients/serve/screen.c clients/serve/vtscan.c kernel-pty/vtfilter.c
FUZZ_SRC_term     := display-server/term.c display-server/font.c kernel-pty/vtfilter.c
FUZZ_DEPS_screen  := $(BUILD)/vterm-fuzz/link
FUZZ_DEPS_term    := $(BUILD)/vterm-fuzz/link
FUZZ_LIBS_screen  = $(shell cat $(BUILD)/vterm-fuzz/link 2>/dev/null)
FUZZ_LIBS_term    = $(shell cat $(BUILD)/vterm-fuzz/link 2>/dev/null) $(DS_LIBS) -lm
FUZZ_SRC_predict  := predict/predict.c kernel-pty/vtfilter.c
FUZZ_DEPS_predict := $(BUILD)/vterm-fuzz/link
FUZZ_LIBS_predict = $(shell cat $(BUILD)/vterm-fuzz/link 2>/dev/null)
# The daemon's frame dispatch: clients/serve/ itself, built with its fuzz hooks.
FUZZ_SRC_dispatch := $(SERVE_SRC) clients/slog.c clients/rundir.c clients/client.c \
                     $(RP_SRC) $(KPTY_SRC) $(KPTY_OS) $(VMC_SRC) clients/config.c winmgr/wm.c
FUZZ_DEPS_dispatch := $(BUILD)/vterm-fuzz/link
FUZZ_LIBS_dispatch = $(shell cat $(BUILD)/vterm-fuzz/link 2>/dev/null) $(SSH_LIBS) -lm -lpthread \
                     $(FUZZ_LIBS_config)
$(call obj,fuzz-obj,$(SERVE_SRC)): FUZZ_CFLAGS += -DTELLY_FUZZ_DISPATCH
# The screen model's cell loops compare with sizes at every cell: tracing
# those comparisons took a third of the screen fuzzer's time and guides
# little (the parsers before it, the filter and libvterm, keep it).
$(BUILD)/fuzz-obj/clients/serve/screen.o: FUZZ_CFLAGS += -fno-sanitize-coverage=trace-cmp
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
$(BUILD)/fuzz-obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP $(INC) -c $< -o $@
$(BUILD)/vterm-fuzz/link:
	@sh scripts/vterm-source.sh $(BUILD)/vterm-fuzz "clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link"
define fuzz_target
$(BUILD)/test/fuzz-$(1): $(call obj,fuzz-obj,test/fuzz/$(1).c $(FUZZ_SRC_$(1))) $(FUZZ_DEPS_$(1))
	@mkdir -p $$(dir $$@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $$@ $(sort $(call obj,fuzz-obj,test/fuzz/$(1).c $(FUZZ_SRC_$(1)))) \
		$(FUZZ_LIBS) $$(FUZZ_LIBS_$(1))
fuzz-$(1): $(BUILD)/test/fuzz-$(1)
	@sh test/fuzz/fuzz.sh run $(BUILD) $(1) $(or $(SECONDS),0)
endef
FUZZ_NAMES := $(patsubst test/fuzz/%.c,%,$(wildcard test/fuzz/*.c))
$(foreach f,$(FUZZ_NAMES),$(eval $(call fuzz_target,$(f))))
.PHONY: fuzz-all $(FUZZ_NAMES:%=fuzz-%)
fuzz-all: $(FUZZ)
	@for f in $(FUZZ_NAMES); do sh test/fuzz/fuzz.sh run $(BUILD) $$f $(or $(SECONDS),60) || exit 1; done

$(BUILD)/test/rp-poke: $(call obj,obj,$(RP_CORE) remote-proto/transport.c remote-proto/conn.c test/integration/rp-poke.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LZ4_LIBS)

# A daemon of the previous version, for telly new --x11 (new-x11-old-host.sh).
$(BUILD)/test/old-host: $(call obj,obj,$(RP_CORE) remote-proto/transport.c remote-proto/conn.c test/integration/old-host.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LZ4_LIBS)

# Preloaded into a daemon whose fork must fail (x11-spawn-fails.sh).
$(BUILD)/test/fork-fails.so: test/integration/fork-fails.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -shared -fPIC -o $@ $< -ldl

# How soon typing works again after a lost link (test/bench/reconnect-bench.sh).
all: $(BUILD)/bin/reconnect-bench
$(BUILD)/bin/reconnect-bench: $(call obj,obj,test/bench/reconnect-bench.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^

# A TCP relay whose link the reconnect tests and bench cut on command.
all: $(BUILD)/test/cut-proxy
$(BUILD)/test/cut-proxy: $(call obj,obj,test/integration/cut-proxy.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^

# Stops one thread of a daemon (logs-kill9-echo.sh).
all: $(BUILD)/test/thread-hold
$(BUILD)/test/thread-hold: $(call obj,obj,test/integration/thread-hold.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^

# Many connections, wrong tokens and floods for the daemon's limit tests.
all: $(BUILD)/test/rp-storm
$(BUILD)/test/rp-storm: $(call obj,obj,$(RP_CORE) test/integration/rp-storm.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LZ4_LIBS)

# Dependencies first: the script installs what is missing (as root) or
# prints the exact command (otherwise).
deps:
	@sh $(DEPS)

# The build on every CPU unless make was given -j itself.
test: deps
	@$(MAKE) --no-print-directory $(if $(filter -j% j%,$(MAKEFLAGS)),,-j$(shell nproc)) all
	@sh test/run.sh $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory $(BUILD)/bin/telly
	@sh scripts/demo.sh $(BUILD)

# The X11 bench's meter on the desk display (test/bench/x11-bench.sh).
all: $(BUILD)/bin/xkey2pixel
$(BUILD)/bin/xkey2pixel: $(call obj,obj,test/bench/xkey2pixel.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(shell pkg-config --libs xcb xcb-xtest xcb-damage 2>/dev/null || echo -lxcb -lxcb-xtest -lxcb-damage)

bench: deps
	@$(MAKE) --no-print-directory all
	@$(BUILD)/bin/kpty-bench
	@$(BUILD)/bin/vtfilter-bench
	@$(BUILD)/bin/xenc-bench
	@sh test/bench/remote-bench.sh $(BUILD)
	@sh test/bench/predict-bench.sh $(BUILD)
	@sh test/bench/view-bench.sh $(BUILD)
	@sh test/bench/vmconsole-bench.sh $(BUILD)
	@sh test/bench/reconnect-bench.sh $(BUILD)
	@sh test/bench/xreconnect-bench.sh $(BUILD)
	@sh test/bench/x11-bench.sh $(BUILD)

# Open-ended run of the protocol decoder's fuzzer (make fuzz-rp).
fuzz: fuzz-rp

# Open-ended random differential run against the Linux kernel's pty.
fuzz-kpty: $(BUILD)/bin/kpty-fuzz
	@$(BUILD)/bin/kpty-fuzz --seconds 0 --seed $${SEED:-0}

# telly's version is written in one place, VERSION (`telly --version`; the
# Debian changelog must agree, test/integration/package.sh checks).
TELLY_VERSION := $(shell cat VERSION)
$(BUILD)/obj/clients/telly.o: VERSION
$(BUILD)/obj/clients/telly.o: ALL_CFLAGS += -DTELLY_VERSION='"$(TELLY_VERSION)"'

# `make install PREFIX=... DESTDIR=...`: the binary, telly(1), bash and zsh
# completion, the systemd units (contrib/README.md); `make uninstall`
# removes exactly INSTALLED. `make deb`: the Debian packages (debian/),
# built by dpkg-buildpackage from a copy of the tree in $(BUILD)/deb/src,
# checked by lintian; the .deb files land in $(BUILD)/deb.
PREFIX         ?= /usr/local
BINDIR         ?= $(PREFIX)/bin
MANDIR         ?= $(PREFIX)/share/man
BASHCOMPDIR    ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR     ?= $(PREFIX)/share/zsh/site-functions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
USERUNITDIR    ?= $(PREFIX)/lib/systemd/user
INSTALLED := $(BINDIR)/telly $(MANDIR)/man1/telly.1 $(BASHCOMPDIR)/telly $(ZSHCOMPDIR)/_telly \
             $(SYSTEMDUNITDIR)/telly-consoles.service $(USERUNITDIR)/telly.service
install: $(BUILD)/bin/telly
	install -D -m 0755 $(BUILD)/bin/telly $(DESTDIR)$(BINDIR)/telly
	install -d $(DESTDIR)$(MANDIR)/man1
	sed 's|@VERSION@|$(TELLY_VERSION)|g' doc/telly.1 >$(DESTDIR)$(MANDIR)/man1/telly.1
	install -D -m 0644 contrib/completion/telly.bash $(DESTDIR)$(BASHCOMPDIR)/telly
	install -D -m 0644 contrib/completion/_telly $(DESTDIR)$(ZSHCOMPDIR)/_telly
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(USERUNITDIR)
	sed 's|@BINDIR@|$(BINDIR)|g' contrib/systemd/telly-consoles.service >$(DESTDIR)$(SYSTEMDUNITDIR)/telly-consoles.service
	sed 's|@BINDIR@|$(BINDIR)|g' contrib/systemd/telly.service >$(DESTDIR)$(USERUNITDIR)/telly.service
	chmod 0644 $(DESTDIR)$(MANDIR)/man1/telly.1 $(DESTDIR)$(SYSTEMDUNITDIR)/telly-consoles.service \
		$(DESTDIR)$(USERUNITDIR)/telly.service

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

# DEB_PREBUILT=DIR packages DIR/bin/telly as built (debian/rules says why).
DEB_DIR = $(BUILD)/deb
deb: deps
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	tar -c --exclude-vcs --exclude='./build' --exclude='./build-*' --exclude='./$(BUILD)' . | tar -x -C $(DEB_DIR)/src
	cd $(DEB_DIR)/src && TELLY_PREBUILT=$(if $(DEB_PREBUILT),$(abspath $(DEB_PREBUILT))) \
		dpkg-buildpackage -b -us -uc $(DEB_FLAGS)
	lintian --fail-on error,warning $(if $(DEB_PREBUILT),--suppress-tags $(DEB_UNHARDENED)) $(DEB_DIR)/*.changes
DEB_UNHARDENED := hardening-no-relro,hardening-no-fortify-functions,hardening-no-bindnow
.PHONY: uninstall deb

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
