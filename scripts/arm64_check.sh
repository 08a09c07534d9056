#!/usr/bin/env bash
# The project on aarch64, from an x86 Linux machine: an arm64 Debian userland under QEMU
# user-mode emulation runs the real aarch64 wheels (torch, ONNX Runtime, PySide6, OpenCV).
# It proves install, correctness and memory; emulated timings mean nothing.
#
#   sudo scripts/arm64_check.sh [--quick|--window-only] [--cpu cortex-a76|cortex-a72|max] [--pypi-latest] [--cache DIR] [--out FILE.json]
#
# full (default): build the arm64 root unless cached, install the project as the README's
#   Raspberry Pi section says, then scripts/arm64_inside.py: CLI, backends, int8 preset, a pytest
#   subset, the window offscreen with a screenshot (twice: the first start exports to ONNX, a later
#   one reads the export from the cache), peak RSS.
# --quick: reuse the cached root (build it if absent), skip the pytest subset and the window.
# --window-only: only the window's starts (two full, one --board) and their peak RSS.
# --cpu: the core QEMU emulates: cortex-a76 (Raspberry Pi 5, default) or cortex-a72 (Pi 4, ARMv8.0:
#   no LSE atomics); "max" is QEMU's everything-on core (SVE), which no Pi has.
# install: the README's own command, install.py --test: torch from PyTorch's CPU index where it
#   answers, else PyPI's newest; then its first-convolution check, which on an ARMv8.0 core (the
#   Pi 4's, --cpu cortex-a72) replaces a build that dies by SIGILL with install.py's ARMV8_0_PAIR.
#   --pypi-latest forces the PyPI route (EXPLORER_TORCH_INDEX=pypi).
# The JSON summary is printed at the end and written to --out (default CACHE/summary-MODE.json);
# the window's screenshot lands beside it.  Needs root (debootstrap, chroot, mounts).
set -euo pipefail

MODE=full
CPU=cortex-a76
ROUTE=cpu
CACHE="${ARM64_CACHE:-$HOME/.cache/shufflenet-explorer/arm64}"
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick ;;
    --window-only) MODE=window ;;
    --cpu) CPU="$2"; shift ;;
    --pypi-latest) ROUTE=pypi ;;
    --cache) CACHE="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "arm64_check: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
# MIDR_EL1 of each core, for the sysfs a real board has (cpuinfo and oneDNN read it), and the
# fields of its /proc/cpuinfo (QEMU passes the host's x86 one through; ONNX Runtime then warns
# "Unknown CPU vendor" on every start, which a board never prints)
case "$CPU" in
  cortex-a76) MIDR=0x00000000414fd0b1; PART="0x4 0xd0b 1"; FEATURES="fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp" ;;
  cortex-a72) MIDR=0x00000000410fd083; PART="0x0 0xd08 3"; FEATURES="fp asimd evtstrm crc32 cpuid" ;;
  max) MIDR=""; PART="" ;;
  *) echo "arm64_check: --cpu must be cortex-a76, cortex-a72 or max, got $CPU" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "arm64_check: run as root (debootstrap, chroot and mounts need it)" >&2; exit 2; }
SRC="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$CACHE/root"
OUT="${OUT:-$CACHE/summary-$MODE.json}"
mkdir -p "$CACHE"
started=$(date +%s)
say() { echo "arm64_check: $*" >&2; }

# ---- host tools and binfmt ---------------------------------------------------------------
if ! command -v debootstrap >/dev/null || ! command -v qemu-aarch64-static >/dev/null; then
  say "installing qemu-user-static, binfmt-support, debootstrap"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static binfmt-support debootstrap >/dev/null
fi
[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64

# ---- the root (cached) ---------------------------------------------------------------------
if [ ! -x "$ROOT/usr/bin/python3" ]; then
  mirror=$("$(dirname "$0")/debian_mirror.sh" /etc/apt || true)
  mirror="${mirror:-http://deb.debian.org/debian}"
  say "building the arm64 root in $ROOT from $mirror (about 5 minutes)"
  rm -rf "$ROOT.partial"
  debootstrap --arch=arm64 --variant=minbase \
    --include=python3,python3-venv,python3-pip,libegl1,libgl1,libxkbcommon0,libfontconfig1,libdbus-1-3,libglib2.0-0,fonts-dejavu-core,ca-certificates \
    bookworm "$ROOT.partial" "$mirror" >"$CACHE/debootstrap.log" 2>&1
  mv "$ROOT.partial" "$ROOT"
fi
root_ready=$(date +%s)
[ "$(chroot "$ROOT" uname -m)" = aarch64 ] || { say "the root does not run as aarch64 (binfmt?)"; exit 1; }

# network and certificates: the host's resolver and CA bundle (some networks intercept TLS)
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
CERT=""
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/host-ca.crt"
  CERT=/etc/ssl/certs/host-ca.crt
fi

# /proc, /dev and /dev/pts, but not the host's /sys (import torch crashed reading x86 cache topology).
# Instead the few sysfs files a Pi has that describe its CPU: without them cpuinfo and oneDNN print
# warnings on every start and NNPACK cannot initialise.
mountpoint -q "$ROOT/sys" && umount -l "$ROOT/sys"
rm -rf "$ROOT/sys/devices/system/cpu" && mkdir -p "$ROOT/sys/devices/system/cpu"
for f in possible present online; do echo 0-1 >"$ROOT/sys/devices/system/cpu/$f"; done
for c in 0 1; do
  mkdir -p "$ROOT/sys/devices/system/cpu/cpu$c/regs/identification"
  [ -n "$MIDR" ] && echo "$MIDR" >"$ROOT/sys/devices/system/cpu/cpu$c/regs/identification/midr_el1"
done
cleanup() { for m in proc/cpuinfo dev/pts dev proc; do mountpoint -q "$ROOT/$m" && umount -l "$ROOT/$m" || true; done; }
trap cleanup EXIT
for m in proc dev dev/pts; do
  mountpoint -q "$ROOT/$m" && continue
  case "$m" in proc) mount -t proc proc "$ROOT/proc" ;; *) mount --bind "/$m" "$ROOT/$m" ;; esac
done
if [ -n "$PART" ] && ! mountpoint -q "$ROOT/proc/cpuinfo"; then
  read -r VARIANT PARTNO REVISION <<<"$PART"
  : >"$CACHE/cpuinfo-$CPU"
  for c in 0 1; do
    printf 'processor\t: %s\nBogoMIPS\t: 108.00\nFeatures\t: %s\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: %s\nCPU part\t: %s\nCPU revision\t: %s\n\n' \
      "$c" "$FEATURES" "$VARIANT" "$PARTNO" "$REVISION" >>"$CACHE/cpuinfo-$CPU"
  done
  mount --bind "$CACHE/cpuinfo-$CPU" "$ROOT/proc/cpuinfo"
fi

# the working tree as git sees it (no .venv, no caches)
rm -rf "$ROOT/src" && mkdir -p "$ROOT/src"
(cd "$SRC" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -xf - -C "$ROOT/src"

# a clean environment inside: the host's SSL_CERT_DIR, PIP_* and proxies point at host files.
# QEMU_CPU picks the emulated core for every aarch64 process started inside.
VENV=/opt/venv-$ROUTE
inside() {
  chroot "$ROOT" /usr/bin/env -i PATH=$VENV/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 QEMU_CPU="$CPU" \
    ${CERT:+REQUESTS_CA_BUNDLE=$CERT SSL_CERT_FILE=$CERT PIP_CERT=$CERT} "$@"
}

# ---- install as the README says: install.py itself, with its route and its ARMv8.0 check -------
# (a venv per route, so --pypi-latest's CUDA build never mixes with the CPU index's)
install_started=$(date +%s)
[ "$ROUTE" = pypi ] && index=pypi || index=""
say "installing with install.py --test (the README's command; its own route, its first-convolution check)"
inside sh -c "cd /src && EXPLORER_TORCH_INDEX=$index /usr/bin/python3 install.py --test --venv $VENV" >"$CACHE/install.log" 2>&1 || {
  say "install.py failed; the end of $CACHE/install.log:"; tail -15 "$CACHE/install.log" >&2; exit 1; }
grep '^install:' "$CACHE/install.log" >&2 || true
torch_route=$(grep '^install:' "$CACHE/install.log" | tr '\n' ' ' | sed 's/"/'"'"'/g')
installed=$(date +%s)
site=$(inside python -c 'import site; print(site.getsitepackages()[0])')
footprint=$(inside du -sm "$site" | cut -f1)
cuda_mb=$(inside sh -c "du -smc $site/nvidia $site/triton $site/cuda* 2>/dev/null | tail -1 | cut -f1")

# ---- the checks -----------------------------------------------------------------------------
quick_flag=""; [ "$MODE" = quick ] && quick_flag="--quick"
[ "$MODE" = window ] && quick_flag="--window-only"
status=0
inside sh -c "cd /src && QT_QPA_PLATFORM=offscreen rm -rf /tmp/arm64-logs && python scripts/arm64_inside.py $quick_flag --emulated --out /tmp/summary.json --screenshot /tmp/arm64-window.png --logs /tmp/arm64-logs" \
  >"$CACHE/inside-$MODE.log" 2>&1 || status=$?
finished=$(date +%s)
[ -f "$ROOT/tmp/arm64-window.png" ] && cp "$ROOT/tmp/arm64-window.png" "$CACHE/arm64-window.png"
[ -f "$ROOT/tmp/arm64-window-board.png" ] && cp "$ROOT/tmp/arm64-window-board.png" "$CACHE/arm64-window-board.png"
# every child's whole output (stdout and stderr), for the failure the summary only quotes
rm -rf "$CACHE/logs-$MODE" && { [ -d "$ROOT/tmp/arm64-logs" ] && cp -r "$ROOT/tmp/arm64-logs" "$CACHE/logs-$MODE" || true; }
if [ ! -f "$ROOT/tmp/summary.json" ]; then
  say "the checks inside the root produced no summary; see $CACHE/inside-$MODE.log"; tail -20 "$CACHE/inside-$MODE.log" >&2; exit 1
fi
python3 - "$ROOT/tmp/summary.json" "$OUT" "$CACHE/arm64-window.png" <<EOF
import json, sys
summary = json.load(open(sys.argv[1]))
if summary.get("window"):
    summary["window"]["screenshot"] = sys.argv[3]
    summary["window"]["board_screenshot"] = sys.argv[3].replace(".png", "-board.png")
summary["cpu"] = "$CPU"
summary["install"] = {"torch_route": "$torch_route", "site_packages_mb": $footprint, "cuda_and_triton_mb": ${cuda_mb:-0}}
summary["seconds"].update({"root": $root_ready - $started, "install": $installed - $install_started,
                           "checks": $finished - $installed, "total": $finished - $started})
json.dump(summary, open(sys.argv[2], "w"), indent=2)
print(json.dumps(summary, indent=2))
EOF
say "summary written to $OUT; every step's output in $CACHE/logs-$MODE"
exit $status
