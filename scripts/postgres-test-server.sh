#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite (the district hub's PostgreSQL tests).
#
#   bash scripts/postgres-test-server.sh start    # prints the URL, e.g. postgresql://counter:…@127.0.0.1:PORT/counter_test
#   bash scripts/postgres-test-server.sh url      # prints the URL of the running server (exit 1 if it is not running)
#   bash scripts/postgres-test-server.sh stop     # stops it (the data is kept, so the next start is quick)
#   bash scripts/postgres-test-server.sh destroy  # stops it and deletes its data
#
# The server listens only on 127.0.0.1, on a free port of its own (never 5432), without a Unix
# socket, and keeps its data in /tmp/counter-app-pgtest-<uid>-<checksum of this checkout>
# (or $COUNTER_APP_PGTEST_DIR). Role `counter` (password generated once, in the URL) owns
# database `counter_test`. `start` is idempotent: when the server already runs it only prints
# the URL. Only the URL goes to stdout; everything else goes to stderr.
#
# If no PostgreSQL server is installed, `start` installs Debian's `postgresql` package (as root,
# or through sudo). initdb and postgres refuse to run as root, so as root they run as the
# `postgres` system user; as a normal user they run as you.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

say() { printf '[pgtest] %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

BASE=${COUNTER_APP_PGTEST_DIR:-/tmp/counter-app-pgtest-$(id -u)-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)}
DATA="$BASE/data"
LOG="$BASE/server.log"
PWFILE="$BASE/password"
PORTFILE="$BASE/port"
READY="$BASE/ready"   # written once the role and the database exist
DB_USER=counter
DB_NAME=counter_test

# --- PostgreSQL binaries ------------------------------------------------------------------------

BIN=""
find_bin() {
  local p
  BIN=""
  # Debian/Ubuntu keep the server outside PATH; take the newest major version.
  p=$(printf '%s\n' /usr/lib/postgresql/*/bin/postgres | sort -V | tail -n 1)
  if [ -x "$p" ]; then BIN=$(dirname "$p"); return 0; fi
  # Elsewhere (another distribution, a source build): postgres, initdb and pg_ctl on PATH.
  p=$(command -v postgres 2>/dev/null || true)
  if [ -n "$p" ]; then
    p=$(dirname "$(readlink -f "$p")")
    if [ -x "$p/initdb" ] && [ -x "$p/pg_ctl" ]; then BIN=$p; return 0; fi
  fi
  return 1
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then env DEBIAN_FRONTEND=noninteractive "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo env DEBIAN_FRONTEND=noninteractive "$@"
  else
    die "PostgreSQL is not installed and installing it needs root (no sudo here). Ask an administrator to run: apt-get install postgresql"
  fi
}

install_postgresql() {
  command -v apt-get >/dev/null 2>&1 ||
    die "PostgreSQL is not installed and this is not a Debian/Ubuntu system: install the PostgreSQL server (initdb, pg_ctl, postgres) yourself"
  say "PostgreSQL server not found; installing Debian's postgresql package"
  local install=(apt-get install -y -qq --no-install-recommends postgresql)
  # Skip apt-get update when the package lists are there already (bootstrap.sh may just have
  # updated them); update and retry when they are missing or stale.
  if ! { apt-cache show postgresql >/dev/null 2>&1 && as_root "${install[@]}" >&2; }; then
    as_root apt-get update -qq >&2
    as_root "${install[@]}" >&2
  fi
  find_bin || die "installed the postgresql package but found no server in /usr/lib/postgresql/*/bin"
}

# --- who runs the server ------------------------------------------------------------------------

if [ "$(id -u)" -eq 0 ]; then
  RUN_AS=postgres   # initdb/postgres refuse to run as root
else
  RUN_AS=""
fi

# Run a PostgreSQL program as the server's user, from / (the checkout may be unreadable to it).
# shellcheck disable=SC2016 # '"$0" "$@"' is expanded by su's shell
# fd 9 (the lock) is closed for it, or a server it starts would hold the lock for good.
pg() {
  if [ -z "$RUN_AS" ]; then (cd / && "$@" 9>&-)
  elif command -v runuser >/dev/null 2>&1; then (cd / && runuser -u "$RUN_AS" -- "$@" 9>&-)
  else (cd / && su -s /bin/sh "$RUN_AS" -c '"$0" "$@"' "$@" 9>&-)
  fi
}

# --- state ----------------------------------------------------------------------------------------

is_running() {
  [ -n "$BIN" ] && [ -f "$DATA/postmaster.pid" ] && pg "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1
}

print_url() {
  local port
  port=$(sed -n 4p "$DATA/postmaster.pid")   # the 4th line of postmaster.pid is the port
  printf 'postgresql://%s:%s@127.0.0.1:%s/%s\n' "$DB_USER" "$(cat "$PWFILE")" "$port" "$DB_NAME"
}

port_free() {   # nothing listens on 127.0.0.1:$1 and it can be bound
  if command -v python3 >/dev/null 2>&1; then
    python3 - "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
  else
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 1; fi
  fi
}

pick_port() {   # the port used last time if it is still free, else a free one (not 5432)
  local port
  if [ -f "$PORTFILE" ]; then
    port=$(cat "$PORTFILE")
    if [ "$port" != 5432 ] && port_free "$port"; then echo "$port"; return; fi
  fi
  if command -v python3 >/dev/null 2>&1; then
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if [ "$port" != 5432 ]; then echo "$port"; return; fi
  fi
  for port in $(seq 54330 54999); do
    if port_free "$port"; then echo "$port"; return; fi
  done
  die "no free TCP port found on 127.0.0.1"
}

lock() {   # one start/stop at a time for this data folder
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$BASE.lock"
    flock -w 120 9 || die "timed out waiting for another start/stop of $BASE"
  fi
}

# --- commands -------------------------------------------------------------------------------------

check_base() {   # $BASE is a real folder of ours (it may sit in /tmp, writable by anyone)
  [ -L "$BASE" ] && die "$BASE is a symbolic link; refusing to use it"
  [ -d "$BASE" ] || return 0
  local owner
  owner=$(stat -c %U "$BASE")
  [ "$owner" = "${RUN_AS:-$(id -un)}" ] || die "$BASE belongs to $owner; refusing to use it"
}

init_cluster() {
  say "creating a new PostgreSQL cluster in $DATA"
  # Only our own files: $BASE may have been chosen by COUNTER_APP_PGTEST_DIR.
  rm -rf "$DATA" "$READY" "$PWFILE" "$LOG" "$PORTFILE"
  mkdir -p "$BASE"
  chmod 700 "$BASE"
  (umask 077 && od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$PWFILE")
  if [ -n "$RUN_AS" ]; then chown "$RUN_AS:" "$BASE" "$PWFILE"; fi
  # The superuser `postgres` gets the same password; it is only used to create the role below.
  local out
  out=$(pg "$BIN/initdb" -D "$DATA" -U postgres --pwfile="$PWFILE" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 --no-instructions 2>&1) ||
    { printf '%s\n' "$out" >&2; die "initdb failed"; }
  # Throwaway data: trade durability for speed. TCP on 127.0.0.1 only, no Unix socket.
  cat >>"$DATA/postgresql.conf" <<'EOF'

# --- scripts/postgres-test-server.sh ---
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

start_server() {
  local port tries
  for tries in 1 2 3; do
    port=$(pick_port)
    printf '%s\n' "$port" >"$PORTFILE"
    say "starting PostgreSQL ($BIN) on 127.0.0.1:$port, data in $DATA"
    # COUNTER_APP_PGTEST_DURABLE=1 (benchmarks): fsync and synchronous commits back on.
    local opts="-p $port"
    if [ "${COUNTER_APP_PGTEST_DURABLE:-}" = 1 ]; then
      opts="$opts -c fsync=on -c synchronous_commit=on -c full_page_writes=on"
    fi
    if pg "$BIN/pg_ctl" start -w -t 60 -D "$DATA" -l "$LOG" -o "$opts" >&2; then return 0; fi
    say "start failed (attempt $tries); end of $LOG:"
    tail -n 15 "$LOG" >&2 || true
  done
  die "could not start PostgreSQL"
}

create_role_and_db() {
  local port url psql_out psql=$BIN/psql
  [ -x "$psql" ] || psql=$(command -v psql) || die "psql (PostgreSQL's client) not found"
  port=$(sed -n 4p "$DATA/postmaster.pid")
  url="postgresql://postgres@127.0.0.1:$port/postgres"
  say "creating role $DB_USER and database $DB_NAME"
  PGPASSWORD=$(cat "$PWFILE") "$psql" -X -q -v ON_ERROR_STOP=1 -d "$url" >&2 <<EOF
CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$(cat "$PWFILE")';
CREATE DATABASE $DB_NAME OWNER $DB_USER ENCODING 'UTF8';
EOF
  # Check that the role can log in to its database.
  psql_out=$(PGPASSWORD=$(cat "$PWFILE") "$psql" -X -At -d "$(print_url)" -c 'SELECT 1' 2>&1) ||
    die "cannot connect as $DB_USER: $psql_out"
  : >"$READY"
}

cmd_start() {
  find_bin || install_postgresql
  if [ -n "$RUN_AS" ] && ! id "$RUN_AS" >/dev/null 2>&1; then
    die "running as root, but there is no '$RUN_AS' system user to run PostgreSQL as (Debian's postgresql-common creates it)"
  fi
  check_base
  lock
  if is_running && [ -f "$READY" ]; then print_url; return 0; fi
  if is_running; then   # half-made by an interrupted start: begin again
    pg "$BIN/pg_ctl" stop -D "$DATA" -m immediate -w >&2 || true
  fi
  local major
  major=$("$BIN/postgres" --version | grep -oE '[0-9]+' | head -n 1)   # "postgres (PostgreSQL) 15.18 …" → 15
  if [ ! -f "$READY" ] || [ "$(cat "$DATA/PG_VERSION" 2>/dev/null)" != "$major" ]; then
    init_cluster
    start_server
    create_role_and_db
  else
    start_server
  fi
  print_url
}

cmd_url() {
  find_bin || die "PostgreSQL is not installed"
  if is_running && [ -f "$READY" ]; then print_url; else die "the test server is not running (start it: bash scripts/postgres-test-server.sh start)"; fi
}

cmd_stop() {
  find_bin || { say "PostgreSQL is not installed; nothing to stop"; return 0; }
  [ -d "$BASE" ] || { say "no test server in $BASE; nothing to stop"; return 0; }
  check_base
  lock
  if is_running; then
    say "stopping PostgreSQL in $DATA"
    pg "$BIN/pg_ctl" stop -D "$DATA" -m fast -w -t 60 >&2
  else
    say "the test server is not running"
  fi
}

cmd_destroy() {
  cmd_stop
  say "deleting the test server's files in $BASE"
  rm -rf "$DATA" "$READY" "$PWFILE" "$LOG" "$PORTFILE" "$BASE.lock"
  rmdir "$BASE" 2>/dev/null || true
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  url) cmd_url ;;
  destroy) cmd_destroy ;;
  *) die "usage: $0 start|stop|url|destroy" ;;
esac
