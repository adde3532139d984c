#!/bin/bash
# Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d): the
# account the replica streams with, its replication slot (the primary keeps the WAL the replica
# has not received yet: drop the slot if the replica is removed for good), and the line of
# pg_hba.conf that lets it in.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v user="$REPLICATION_USER" -v password="$REPLICATION_PASSWORD" \
  -v slot="${REPLICATION_SLOT:-replica1}" <<'SQL'
CREATE ROLE :"user" WITH REPLICATION LOGIN PASSWORD :'password';
SELECT pg_create_physical_replication_slot(:'slot');
SQL
echo "host replication $REPLICATION_USER all scram-sha-256" >>"$PGDATA/pg_hba.conf"
