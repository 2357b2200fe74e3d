#!/usr/bin/env bash
# Screenshots of every main screen at 1366x768 on a virtual X display (Xvfb + openbox for
# real window frames), into docs/screenshots/ (or the folder given).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
if ! command -v Xvfb >/dev/null || ! command -v import >/dev/null || ! command -v openbox >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xvfb xauth imagemagick openbox >/dev/null
fi
display=:97
Xvfb "$display" -screen 0 1366x768x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb $wm 2>/dev/null || true' EXIT
sleep 1
DISPLAY=$display openbox >/dev/null 2>&1 &
wm=$!
sleep 1
DISPLAY=$display QT_QPA_PLATFORM=xcb .venv/bin/python scripts/screenshots.py "$@"
