#!/usr/bin/env bash
# CI smoke test of the frozen Linux build, called by .ci/run:  bash build/ci_smoke.sh
#
#  1. builds the onedir app, checks it carries tkdnd (drag and drop) and its licence
#     files, runs its --selftest (multiprocess search, spawn pool, a HEIC and an AVIF
#     copy among the images, the licence notice readable)
#  2. under Xvfb: --smoke (main window, tkdnd loaded, HEIC and AVIF decoded and shown),
#     then starts it plainly, waits for the main window (xdotool search --name difpy_tk),
#     closes it with WM_DELETE_WINDOW (build/x11_close.py) and checks it exits with 0
#  3. builds the onefile portable build and does the same, and checks the onefile
#     leaves no _MEI folder behind
#  4. builds the .deb, checks it (installer/linux/check_deb.py: lintian without errors
#     other than a bundle under /opt's, appstreamcli validate, desktop-file-validate),
#     installs it (dpkg -i), runs /usr/bin/difpy-tk --selftest, removes it; builds the .tar.gz
#  5. compiles the NSIS installer script with makensis against a stand-in payload
#  6. prints the figures: onedir/onefile/.deb size, cold start to main window, selftest time
#
# Needs: python with the project's requirements and pyinstaller, makensis (nsis), Xvfb,
# xdotool, dpkg-deb, lintian, appstream, desktop-file-utils. Missing tools are installed
# when running as root (CI). Takes 5 to 8 minutes on 2 cores (lintian alone 1-2). Env: SMOKE_SKIP_GUI=1 skips the window checks,
# SMOKE_SKIP_DEB=1 skips install of the .deb (both for machines where they cannot run).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/.cache/ci-smoke
PYTHON=${PYTHON:-python}
rm -rf "$OUT"
mkdir -p "$OUT"
FIGURES=$OUT/figures.txt
: >"$FIGURES"
FAILED=0
XVFB_PID=""
DEB_INSTALLED=""

log() { printf '\n== %s\n' "$*"; }
figure() { printf '%-38s %s\n' "$1" "$2" | tee -a "$FIGURES"; }
fail() { echo "FAIL: $*" >&2; FAILED=1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
mib() { du -sm "$1" | cut -f1; }

cleanup() {
    if [ -n "$XVFB_PID" ]; then kill "$XVFB_PID" 2>/dev/null || true; fi
    if [ -n "$DEB_INSTALLED" ]; then dpkg -r difpy-tk >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

ensure_tools() {
    local apt_pkgs=()
    command -v makensis >/dev/null || apt_pkgs+=(nsis)
    command -v Xvfb >/dev/null || apt_pkgs+=(xvfb)
    command -v xdotool >/dev/null || apt_pkgs+=(xdotool)
    command -v lintian >/dev/null || apt_pkgs+=(lintian)
    command -v appstreamcli >/dev/null || apt_pkgs+=(appstream)
    command -v desktop-file-validate >/dev/null || apt_pkgs+=(desktop-file-utils)
    if [ ${#apt_pkgs[@]} -gt 0 ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            log "installing ${apt_pkgs[*]}"
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
        else
            echo "missing tools: ${apt_pkgs[*]} (apt-get install them)" >&2
            exit 1
        fi
    fi
    if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
        log "installing pyinstaller"
        "$PYTHON" -m pip install -q -c build/constraints.txt pyinstaller
    fi
}

# selftest LABEL COMMAND...: run `COMMAND --selftest`, check exit code and status file.
selftest() {
    local label=$1; shift
    local result=$OUT/$label-selftest.json status=$OUT/$label-selftest.status.txt start rc=0
    start=$(now)
    env -u DISPLAY timeout 300 "$@" --selftest "$result" >"$OUT/$label-selftest.log" 2>&1 || rc=$?
    figure "selftest time, $label (s)" "$(since "$start")"
    if [ "$rc" != 0 ] || [ "$(head -1 "$status" 2>/dev/null)" != PASS ]; then
        fail "$label --selftest exited $rc"
        cat "$OUT/$label-selftest.log" "$status" 2>/dev/null | tail -40 >&2
        return 0
    fi
    grep -q '^\[ok\] group .*b_copy.heic' "$status" || fail "$label: the HEIC copy was not found in its group"
    echo "$label --selftest: PASS ($(grep -c '^\[ok\]' "$status") checks)"
}

# smoke LABEL COMMAND...: `COMMAND --smoke` under Xvfb: the main window opens, tkdnd
# loads, a HEIC and an AVIF decode and show; the app closes itself.
smoke() {
    local label=$1; shift
    local status=$OUT/$label-smoke.status.txt rc=0
    timeout 120 "$@" --smoke "$OUT/$label-smoke.json" >"$OUT/$label-smoke.log" 2>&1 || rc=$?
    if [ "$rc" != 0 ] || [ "$(head -1 "$status" 2>/dev/null)" != PASS ]; then
        fail "$label --smoke exited $rc"
        cat "$OUT/$label-smoke.log" "$status" 2>/dev/null | tail -30 >&2
        return 0
    fi
    echo "$label --smoke: PASS ($(grep '^\[ok\]' "$status" | cut -c6- | paste -sd ';' -))"
}

# Empty the page cache when allowed (root), so the first start reads the build from
# disk like a real first launch; prints "cold" or "first" for the figure's label.
drop_caches() {
    if [ -w /proc/sys/vm/drop_caches ] && sync && echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then
        echo cold
    else
        echo first
    fi
}

# install_deb FILE: dpkg -i, waiting out another dpkg/apt run that holds the lock; a
# missing dependency leaves the package unconfigured, and apt then brings it in.
install_deb() {
    local attempt
    for attempt in 1 2 3 4 5 6 7 8 9; do
        dpkg -i "$1" >"$OUT/dpkg.log" 2>&1 && return 0
        grep -qi lock "$OUT/dpkg.log" || break
        echo "dpkg is locked by another process, retrying ($attempt)"
        sleep 10
    done
    cat "$OUT/dpkg.log" >&2
    grep -qi lock "$OUT/dpkg.log" && return 1
    apt-get install -f -y -qq >/dev/null
}

start_xvfb() {
    local fifo=$OUT/displayfd
    rm -f "$fifo"
    Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$fifo" >"$OUT/xvfb.log" 2>&1 &
    XVFB_PID=$!
    for _ in $(seq 100); do
        [ -s "$fifo" ] && break
        sleep 0.1
    done
    [ -s "$fifo" ] || { echo "Xvfb did not start" >&2; cat "$OUT/xvfb.log" >&2; exit 1; }
    DISPLAY=":$(head -1 "$fifo")"
    export DISPLAY
    echo "Xvfb on $DISPLAY"
}

# screenshot FILE: save the Xvfb screen; fails when it holds fewer than 16 colours
# (a window that mapped but drew nothing).
screenshot() {
    "$PYTHON" - "$1" <<'PY'
import os
import sys

from PIL import ImageGrab

shot = ImageGrab.grab(xdisplay=os.environ["DISPLAY"])
shot.save(sys.argv[1])
colours = shot.getcolors(1 << 24) or []
print(f"screenshot {sys.argv[1]}: {len(colours)} colours")
sys.exit(0 if len(colours) >= 16 else 1)
PY
}

# gui_check LABEL RUNS COMMAND...: start the app RUNS times; each time wait for its main
# window, close it with WM_DELETE_WINDOW, expect exit code 0. Records the first start
# (cold when the page cache could be dropped) and the best start-to-window time.
gui_check() {
    local label=$1 runs=$2; shift 2
    local i pid start win rc elapsed first="" best="" kind
    for i in $(seq "$runs"); do
        [ "$i" != 1 ] || kind=$(drop_caches)
        start=$(now)
        "$@" >"$OUT/$label-gui-$i.log" 2>&1 &
        pid=$!
        win=""
        for _ in $(seq 600); do  # 30 s
            win=$(xdotool search --onlyvisible --name difpy_tk 2>/dev/null | head -1 || true)
            [ -n "$win" ] && break
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        elapsed=$(since "$start")
        if [ -z "$win" ]; then
            fail "$label: no window named difpy_tk appeared (run $i)"
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
            tail -30 "$OUT/$label-gui-$i.log" >&2
            return 0
        fi
        [ -n "$first" ] || first=$elapsed
        best=$(awk -v a="$elapsed" -v b="${best:-$elapsed}" 'BEGIN { print (a < b ? a : b) }')
        sleep 0.5  # let the app settle, so closing tests shutdown, not start-up
        if [ "$i" = 1 ] && ! screenshot "$OUT/$label-window.png"; then
            fail "$label: the main window is blank (see $OUT/$label-window.png)"
        fi
        "$PYTHON" build/x11_close.py "$win"
        rc=0
        for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        if kill -0 "$pid" 2>/dev/null; then
            fail "$label: still running 15 s after WM_DELETE_WINDOW (run $i)"
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
            return 0
        fi
        wait "$pid" || rc=$?
        if [ "$rc" != 0 ]; then
            fail "$label: exited $rc after WM_DELETE_WINDOW (run $i)"
            tail -30 "$OUT/$label-gui-$i.log" >&2
            return 0
        fi
    done
    figure "$kind start to main window, $label (s)" "$first"
    figure "best of $runs starts, $label (s)" "$best"
}

T0=$(now)
ensure_tools

log "build onedir app"
start=$(now)
"$PYTHON" build/build.py app
figure "build time, onedir (s)" "$(since "$start")"
APP=$ROOT/dist/difpy_tk/difpy_tk
figure "onedir size (MiB)" "$(mib dist/difpy_tk)"
# What HEIC costs: pillow-heif's extension and its libraries (libheif, libde265, x265).
figure "of which HEIC decoder (MiB)" "$(du -scm dist/difpy_tk/_internal/_pillow_heif* dist/difpy_tk/_internal/pillow_heif.libs | tail -1 | cut -f1)"
# Without its tkdnd extension the app still opens, only without drag and drop: check it is there.
find dist/difpy_tk -path '*/tkinterdnd2/tkdnd/*' -name pkgIndex.tcl | grep -q . \
    || fail "the onedir has no tkdnd (tkinterdnd2/tkdnd/<platform>/pkgIndex.tcl): no drag and drop"
for f in LICENSE THIRD-PARTY-NOTICES.txt; do
    [ -s "dist/difpy_tk/_internal/licences/$f" ] || fail "the onedir has no licences/$f"
done
selftest onedir "$APP"

log "build onefile portable"
start=$(now)
"$PYTHON" build/build.py portable
figure "build time, onefile (s)" "$(since "$start")"
PORTABLE=$ROOT/dist/portable/difpy_tk
figure "onefile size (MiB)" "$(awk -v b="$(stat -c %s "$PORTABLE")" 'BEGIN { printf "%.1f", b / 1048576 }')"
[ -f dist/portable/difpy_tk.portable ] || fail "portable marker difpy_tk.portable missing"
ONEFILE_TMP=$OUT/onefile-tmp
mkdir -p "$ONEFILE_TMP"
selftest onefile env TMPDIR="$ONEFILE_TMP" "$PORTABLE"
grep -qx 'portable: True' "$OUT/onefile-selftest.status.txt" || fail "the onefile build did not detect its portable marker"
grep -qx 'portable: False' "$OUT/onedir-selftest.status.txt" || fail "the onedir build thinks it is portable"

if [ "${SMOKE_SKIP_GUI:-0}" != 1 ]; then
    log "main window under Xvfb"
    start_xvfb
    # DIFPY_TK_HOME keeps the onedir run out of the CI user's folders; the portable run
    # goes without it, so it must keep its settings next to the executable.
    smoke onedir "$APP"
    smoke onefile env TMPDIR="$ONEFILE_TMP" "$PORTABLE"
    gui_check onedir 3 env DIFPY_TK_HOME="$OUT/home" "$APP"
    gui_check onefile 2 env TMPDIR="$ONEFILE_TMP" "$PORTABLE"
    beside=$(find dist/portable -mindepth 1 -maxdepth 1 -type d -name 'difpy_tk-*' -printf '%f ')
    if [ -n "$beside" ]; then
        echo "portable mode: folders next to the exe: $beside"
    else
        echo "note: the portable run wrote nothing next to the exe (the GUI may not save settings at start)"
    fi
fi
if find "$ONEFILE_TMP" -maxdepth 1 -name '_MEI*' | grep -q .; then
    fail "the onefile build left its _MEI folder behind in $ONEFILE_TMP"
fi

log "linux packages"
start=$(now)
"$PYTHON" build/build.py deb tar --reuse
figure "build time, deb + tar.gz (s)" "$(since "$start")"
DEB=$(find dist -maxdepth 1 -name 'difpy-tk_*.deb' -newer dist/difpy_tk/difpy_tk | head -1)
[ -n "$DEB" ] || { echo "no fresh .deb in dist/" >&2; exit 1; }
figure ".deb size (MiB)" "$(mib "$DEB")"
log "checking the .deb: desktop-file-validate, appstreamcli validate, lintian"
start=$(now)
"$PYTHON" installer/linux/check_deb.py "$DEB" | tee "$OUT/check-deb.txt" || fail "the .deb does not pass its checks (see above)"
figure "check_deb time (s)" "$(since "$start")"
if [ "${SMOKE_SKIP_DEB:-0}" != 1 ] && [ "$(id -u)" = 0 ]; then
    DEB_INSTALLED=1
    install_deb "$DEB"
    [ -x /usr/bin/difpy-tk ] || fail "/usr/bin/difpy-tk missing after dpkg -i"
    [ -f /usr/share/applications/difpy-tk.desktop ] || fail "desktop entry missing after dpkg -i"
    selftest installed-deb /usr/bin/difpy-tk
    dpkg -r difpy-tk >/dev/null
    DEB_INSTALLED=""
    [ ! -e /opt/difpy-tk ] || fail "/opt/difpy-tk left behind by dpkg -r"
else
    echo "skipped: dpkg -i (not root, or SMOKE_SKIP_DEB=1)"
fi

log "NSIS installer script (stand-in payload)"
"$PYTHON" build/build.py nsis --stand-in

log "figures"
figure "smoke test total (s)" "$(since "$T0")"
echo
cat "$FIGURES"
if [ "$FAILED" != 0 ]; then
    echo "ci_smoke: FAILED"
    exit 1
fi
echo "ci_smoke: all checks passed"
