#!/usr/bin/env bash
# Quick start 1: install whatever is missing, then open the app (or run an admin command:
# `bash scripts/run-app.sh info --json`). Data lives in the user's data folder unless
# COUNTER_APP_HOME or --home DIR says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/counter-app "$@"
