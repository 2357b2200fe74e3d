#!/usr/bin/env bash
# Quick start 2: install whatever is missing, then run the whole test suite (offscreen Qt).
# Extra arguments go to pytest, e.g. `bash scripts/run-tests.sh tests/unit -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
