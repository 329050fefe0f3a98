#!/usr/bin/env bash
# Run the test suite against a throwaway PostgreSQL database on 127.0.0.1:5432.
set -euo pipefail
cd "$(dirname "$0")/.."
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-$(id -un)}
export PGHOST PGPORT PGUSER

if ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
  echo "[test-postgres] starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
fi
pg_isready -h "$PGHOST" -p "$PGPORT"

db="zp_test_$$_$(date +%s)"
psql -q -d test -c "CREATE DATABASE \"$db\"" >/dev/null
trap 'psql -q -d test -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
# Redis is the production path for the job queue and rate limits: this pass uses
# it (database 15, flushed first) where it answers.
if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-cli -h 127.0.0.1 -p 6379 -n 15 flushdb >/dev/null
  export REDIS_URL=redis://127.0.0.1:6379/15
else
  echo "[test-postgres] Redis is not answering on 127.0.0.1:6379; starting it"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  sleep 1
  export REDIS_URL=redis://127.0.0.1:6379/15
fi
DATABASE_URL="postgresql://$PGUSER@$PGHOST:$PGPORT/$db" .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
