#!/usr/bin/env bash
# Quick start 2: install whatever is missing, then run the whole test suite (offscreen Qt).
# Extra arguments go to pytest, e.g. `bash scripts/run-tests.sh tests/unit -x`.
#
# The district hub's PostgreSQL tests use the server at $COUNTER_APP_TEST_PG_URL and are skipped
# without it (they fail instead when COUNTER_APP_REQUIRE_PG=1). When it is unset and you are root
# or set COUNTER_APP_WITH_PG=1, this starts a throwaway server with
# scripts/postgres-test-server.sh (installing PostgreSQL if needed) and stops it afterwards if
# it was not already running. COUNTER_APP_WITH_PG=0 never starts one.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test
export QT_QPA_PLATFORM=offscreen

with_pg=${COUNTER_APP_WITH_PG:-}
if [ -z "$with_pg" ] && [ "$(id -u)" -eq 0 ]; then with_pg=auto; fi
if [ -z "${COUNTER_APP_TEST_PG_URL:-}" ] && { [ "$with_pg" = 1 ] || [ "$with_pg" = auto ]; }; then
  if url=$(bash scripts/postgres-test-server.sh url 2>/dev/null); then
    started=0   # someone else's server: leave it running
  elif url=$(bash scripts/postgres-test-server.sh start); then
    started=1
  else
    if [ "$with_pg" = 1 ] || [ "${COUNTER_APP_REQUIRE_PG:-}" = 1 ]; then
      echo "[run-tests] could not start the PostgreSQL test server" >&2
      exit 1
    fi
    echo "[run-tests] could not start the PostgreSQL test server; its tests will be skipped" >&2
    started=0 url=""
  fi
  if [ "$started" = 1 ]; then
    trap 'bash scripts/postgres-test-server.sh stop || true' EXIT
  fi
  if [ -n "$url" ]; then export COUNTER_APP_TEST_PG_URL=$url; fi
fi

if [ -n "${COUNTER_APP_TEST_PG_URL:-}" ]; then
  echo "[run-tests] PostgreSQL tests use ${COUNTER_APP_TEST_PG_URL%%://*}://…@${COUNTER_APP_TEST_PG_URL##*@}" >&2
fi
rc=0
.venv/bin/python -m pytest "$@" || rc=$?
exit "$rc"
