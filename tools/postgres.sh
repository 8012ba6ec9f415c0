#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, beside the system cluster (never touches it).
#
#   tools/postgres.sh [start]   start (or find running) and print the URI on stdout:
#                               postgresql://taxii:taxii@127.0.0.1:55432/taxii_test
#   tools/postgres.sh uri       print the URI only (does not start anything)
#   tools/postgres.sh stop      stop it (nothing to do if it is not running)
#   tools/postgres.sh destroy   stop it and delete its data directory
#
# Idempotent: start on a running server only prints the URI; a half-made data directory
# is made again. Everything lives in $TAXII_PG_DIR (default build/postgres/<port>): data/,
# socket/ (unix socket), server.log. Run as root, the server runs as the "postgres" user
# (or TAXII_PG_OS_USER); if that user cannot reach the build directory, the directory goes
# under /tmp instead. Progress goes to stderr, so `URI=$(tools/postgres.sh)` just works.
#
# Environment: TAXII_PG_PORT (55432), TAXII_PG_DIR, TAXII_PG_BIN (the server binaries;
# default /usr/lib/postgresql/<newest>/bin), TAXII_PG_OS_USER (postgres, when root).
# Durability settings stay at their defaults (fsync, synchronous_commit on), so timings
# measured against this server are honest.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

port=${TAXII_PG_PORT:-55432}
role=taxii
password=taxii
database=taxii_test
uri="postgresql://$role:$password@127.0.0.1:$port/$database"

say() { echo "postgres.sh: $*" >&2; }
die() { say "$*"; exit 1; }

find_bin() {
  if [ -n "${TAXII_PG_BIN:-}" ]; then echo "$TAXII_PG_BIN"; return; fi
  local newest
  newest=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [ -n "$newest" ] && [ -x "$newest/initdb" ]; then echo "$newest"; return; fi
  local pg_config_bin
  pg_config_bin=$(pg_config --bindir 2>/dev/null || true)
  if [ -n "$pg_config_bin" ] && [ -x "$pg_config_bin/initdb" ]; then echo "$pg_config_bin"; return; fi
  die "no PostgreSQL server binaries found (apt-get install postgresql-15, or set TAXII_PG_BIN)"
}

# Who runs the server: ourselves, or (as root, which PostgreSQL refuses) an ordinary user.
os_user=""
if [ "$(id -u)" = 0 ]; then
  os_user=${TAXII_PG_OS_USER:-postgres}
  id "$os_user" >/dev/null 2>&1 ||
    die "user '$os_user' does not exist (install postgresql-15, or set TAXII_PG_OS_USER)"
fi
as_server() {
  if [ -n "$os_user" ]; then runuser -u "$os_user" -- "$@"; else "$@"; fi
}

# The base directory: build/postgres/<port>, unless the server's user cannot reach it.
base=${TAXII_PG_DIR:-}
if [ -z "$base" ]; then
  base="$repo/build/postgres/$port"
  if [ -n "$os_user" ]; then
    mkdir -p "$repo/build"
    if ! runuser -u "$os_user" -- test -x "$repo/build"; then
      base="${TMPDIR:-/tmp}/taxii-postgres-$port"
    fi
  fi
fi
data="$base/data"
sock="$base/socket"
log="$base/server.log"

running() {
  [ -f "$data/PG_VERSION" ] && as_server "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

psql_super() {  # SQL on stdin, over the unix socket as the superuser
  as_server "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres \
    -d postgres -tA
}

init_cluster() {
  say "initdb in $data"
  rm -rf "$data"
  mkdir -p "$base" "$sock"
  if [ -n "$os_user" ]; then chown -R "$os_user" "$base"; fi
  chmod 700 "$base"
  as_server "$bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$base/initdb.log" 2>&1 ||
    { cat "$base/initdb.log" >&2; die "initdb failed"; }
}

start() {
  bin=$(find_bin)
  if running; then
    say "already running ($data)"
    # A postmaster that was just killed can still look alive for a moment (not reaped).
    for _ in $(seq 1 30); do
      "$bin/pg_isready" -q -h "$sock" -p "$port" && break
      sleep 1
    done
    "$bin/pg_isready" -q -h "$sock" -p "$port" ||
      die "a server process exists for $data but does not answer (try: tools/postgres.sh stop)"
  else
    # A data directory without PG_VERSION (an interrupted initdb) is made again.
    [ -f "$data/PG_VERSION" ] || init_cluster
    mkdir -p "$sock"
    if [ -n "$os_user" ]; then chown "$os_user" "$sock"; fi
    say "starting on 127.0.0.1:$port (log: $log)"
    # A stale postmaster.pid from a killed server is handled by postgres itself.
    as_server "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$sock'" \
      >/dev/null || { tail -n 20 "$log" >&2 || true; die "could not start the server"; }
  fi
  # Role and database, created if missing (also after a crash between the steps).
  psql_super <<SQL >/dev/null || die "could not create role/database"
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
    CREATE ROLE $role LOGIN PASSWORD '$password';
  END IF;
END \$\$;
SQL
  if [ "$(echo "SELECT 1 FROM pg_database WHERE datname = '$database'" | psql_super)" != 1 ]; then
    echo "CREATE DATABASE $database OWNER $role" | psql_super >/dev/null ||
      die "could not create database $database"
  fi
  echo "$uri"
}

stop() {
  bin=$(find_bin)
  if running; then
    as_server "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null
    say "stopped ($data)"
  else
    say "not running ($data)"
  fi
}

case "${1:-start}" in
  start) start ;;
  uri) echo "$uri" ;;
  stop) stop ;;
  destroy) stop; rm -rf "$base"; say "removed $base" ;;
  *) die "usage: tools/postgres.sh [start|uri|stop|destroy]" ;;
esac
