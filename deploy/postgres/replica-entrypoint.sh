#!/bin/bash
# The streaming replica: on an empty data directory, a base backup of the primary (-R writes
# standby.signal and the connection to the primary, with its replication slot), then PostgreSQL
# in hot standby. Later starts resume streaming where they stopped.
set -euo pipefail
: "${PRIMARY_HOST:=postgres}" "${REPLICATION_USER:?}" "${REPLICATION_PASSWORD:?}"
export PGPASSWORD="$REPLICATION_PASSWORD"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h "$PRIMARY_HOST" -q; do sleep 1; done
  rm -rf "${PGDATA:?}"/*
  pg_basebackup -h "$PRIMARY_HOST" -U "$REPLICATION_USER" -D "$PGDATA" -R -X stream \
    --slot "${REPLICATION_SLOT:-replica1}" -c fast
  chmod 700 "$PGDATA"
fi
exec postgres -c hot_standby=on -c hot_standby_feedback=on
