#!/usr/bin/env bash
# A throwaway PostgreSQL for the test suite, on 127.0.0.1 only.
#
#   scripts/test-postgres.sh start   # prints TEST_DATABASE_URL=postgres://... (eval-able)
#   scripts/test-postgres.sh stop
#
# Needs Debian's `postgresql` package (apt-get install postgresql); installs nothing itself. The
# cluster lives in a temporary directory (trust authentication, loopback only, fsync off) and has a
# user `dashboard` (password `dashboard`, may create databases: pytest-django makes test_dashboard)
# owning a database `dashboard`. Run as root it runs the server as the `postgres` user.
set -euo pipefail

STATE=${TEST_POSTGRES_STATE:-/tmp/mastra-dashboard-test-postgres}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ] && command -v pg_ctl >/dev/null; then bindir=$(dirname "$(command -v pg_ctl)"); fi
if [ -z "$bindir" ]; then
  echo "error: no PostgreSQL server binaries (Debian: apt-get install postgresql)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if [ -f "$STATE/url" ] && as_owner "$bindir/pg_ctl" -D "$STATE/data" status >/dev/null 2>&1; then
      echo "TEST_DATABASE_URL=$(cat "$STATE/url")"
      exit 0
    fi
    rm -rf "$STATE"
    mkdir -p "$STATE"
    [ "$(id -u)" = 0 ] && chown postgres: "$STATE"
    port=${TEST_POSTGRES_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
    as_owner "$bindir/initdb" -D "$STATE/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$STATE/initdb.log"
    as_owner "$bindir/pg_ctl" -D "$STATE/data" -l "$STATE/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $STATE -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null
    "$bindir/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
      -c "CREATE ROLE dashboard LOGIN PASSWORD 'dashboard' CREATEDB" \
      -c "CREATE DATABASE dashboard OWNER dashboard" >/dev/null
    url="postgres://dashboard:dashboard@127.0.0.1:$port/dashboard"
    echo "$url" >"$STATE/url"
    echo "TEST_DATABASE_URL=$url"
    ;;
  stop)
    if [ -d "$STATE/data" ]; then
      as_owner "$bindir/pg_ctl" -D "$STATE/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$STATE"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
