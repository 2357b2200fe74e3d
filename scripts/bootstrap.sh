#!/usr/bin/env bash
# Installs whatever is missing to run (and, with --test, to test) Một Cửa Counter from this
# source tree on Debian/Ubuntu: Qt's system libraries, python3-venv, a virtual environment
# in .venv with the project and its Python packages. Safe to run again: it skips what is there.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
EXTRAS="${1:-}"   # "" for the app, "test" for the test suite

say() { printf '[bootstrap] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then env DEBIAN_FRONTEND=noninteractive "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo env DEBIAN_FRONTEND=noninteractive "$@"
  else
    say "cần quyền quản trị (root) để chạy: $*"
    say "nhờ quản trị viên cài các gói trên, rồi chạy lại lệnh này (không cần sudo)"
    exit 1
  fi
}

PYTHON=${PYTHON:-python3}
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  say "python3 is missing; installing it"
  as_root apt-get update -qq && as_root apt-get install -y -qq python3 >/dev/null
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  say "Python >= 3.11 is required; found $("$PYTHON" --version 2>&1)"
  exit 1
fi

# Debian packages: Qt's runtime libraries (offscreen and a real X11 window) and venv.
# Names changed in Debian 13 / Ubuntu 24.04 (t64 suffix): take whichever exists.
APT_UPDATED=0
want=()
need_pkg() {
  local pkg
  for pkg in "$@"; do
    if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      return 0
    fi
  done
  if [ "$APT_UPDATED" -eq 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  for pkg in "$@"; do
    if apt-cache show "$pkg" >/dev/null 2>&1; then want+=("$pkg"); return 0; fi
  done
  say "no package found among: $*"
}

if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  pyver=$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    need_pkg "python${pyver}-venv" python3-venv
  fi
  need_pkg libgl1
  need_pkg libegl1
  need_pkg libxkbcommon0
  need_pkg libfontconfig1
  need_pkg libglib2.0-0t64 libglib2.0-0
  need_pkg libdbus-1-3
  need_pkg libxcb-cursor0
  need_pkg libxcb-icccm4
  need_pkg libxcb-image0
  need_pkg libxcb-keysyms1
  need_pkg libxcb-render-util0
  need_pkg libxcb-shape0
  need_pkg libxkbcommon-x11-0
  if [ "${#want[@]}" -gt 0 ]; then
    say "installing Debian packages: ${want[*]}"
    as_root apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
  fi
else
  say "not a Debian/Ubuntu system: install Qt 6's runtime libraries yourself"
fi

if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi

# Reinstall only when pyproject.toml changed since the last install.
stamp="$VENV/.installed-${EXTRAS:-app}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  say "installing Python packages (${EXTRAS:-app})"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  if [ -n "$EXTRAS" ]; then spec=".[$EXTRAS]"; else spec="."; fi
  "$VENV/bin/python" -m pip install -q -e "$spec"
  touch "$stamp"
fi
