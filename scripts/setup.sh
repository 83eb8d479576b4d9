#!/usr/bin/env bash
# Set up mockloop on Debian/Ubuntu: system libraries, a virtual environment in
# .venv and the Python packages (models included). Safe to run again: a second
# run checks and returns in seconds.
#   scripts/setup.sh app    what the desktop app needs
#   scripts/setup.sh test   that, plus what the test suite needs
set -euo pipefail

purpose="${1:-app}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${MOCKLOOP_VENV:-$root/.venv}"

say() { printf 'mockloop setup: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# --- Python ---------------------------------------------------------------
python="${PYTHON:-}"
if [ -z "$python" ]; then
  for candidate in python3.13 python3.12 python3.11 python3.10 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
      python="$(command -v "$candidate")"; break
    fi
  done
fi
[ -n "$python" ] || die "Python 3.10 or newer is needed. Install it with: sudo apt-get install python3 python3-venv"
pyver="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"

# --- System libraries -----------------------------------------------------
# Qt's xcb/EGL libraries, PortAudio, a compiler for llama-cpp-python, and for the
# tests PulseAudio (virtual microphone and speaker), espeak-ng and sox.
app_pkgs=(libportaudio2 libegl1 libgl1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
  libfontconfig1 libdbus-1-3 build-essential)
test_pkgs=(pulseaudio pulseaudio-utils libasound2-plugins espeak-ng sox xvfb)
wanted=("${app_pkgs[@]}")
[ "$purpose" = test ] && wanted+=("${test_pkgs[@]}")
if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  wanted+=("python${pyver}-venv")
fi

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then sudo=""
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"
    else
      die "these system packages are missing: ${missing[*]}
Install them, then run this command again:
  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    fi
    say "installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  say "not a Debian/Ubuntu system: make sure PortAudio, Qt's xcb libraries and a C++ compiler are installed."
fi

# --- Virtual environment and packages -------------------------------------
extras=""
[ "$purpose" = test ] && extras="[test]"
want_stamp="$("$python" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$root/pyproject.toml") $pyver"
# The test set includes the app's packages, so a test setup also satisfies the app.
current() { [ "$(cat "$venv/.setup-$1" 2>/dev/null)" = "$want_stamp" ]; }

if [ ! -x "$venv/bin/python" ]; then
  say "creating the virtual environment in $venv"
  "$python" -m venv "$venv"
fi
if ! { current test || { [ "$purpose" = app ] && current app; }; } || ! "$venv/bin/python" -c 'import mockloop' >/dev/null 2>&1; then
  say "installing Python packages (the first time builds llama-cpp-python: about 4 minutes on 2 cores)"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -e "$root$extras"
  echo "$want_stamp" > "$venv/.setup-$purpose"
fi
say "ready ($venv)"
