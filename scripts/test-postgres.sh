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
DATABASE_URL="postgresql://$PGUSER@$PGHOST:$PGPORT/$db" .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
