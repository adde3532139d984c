#!/usr/bin/env bash
# A streaming replica of this machine's PostgreSQL (the primary on 127.0.0.1:5432), for CI and
# `make test-replica`: a second cluster made with pg_basebackup, started with pg_ctl on port 5433.
#   .ci/replica.sh start     make it (first time) or start it again; waits until it accepts reads
#   .ci/replica.sh stop      stop it (fast shutdown), keep its files: `start` resumes streaming
#   .ci/replica.sh destroy   stop it and remove its files
#   .ci/replica.sh status    exit 0 when it answers, in recovery
# Environment: REPLICA_PORT (5433), REPLICA_DIR (/tmp/aq-replica), PRIMARY_HOST/PRIMARY_PORT.
set -euo pipefail

PRIMARY_HOST="${PRIMARY_HOST:-127.0.0.1}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
REPLICA_DIR="${REPLICA_DIR:-/tmp/aq-replica}"
PG_VERSION="${PG_VERSION:-$(psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -Atc \
  "select current_setting('server_version_num')::int / 10000" 2>/dev/null || echo 15)}"
PGBIN="${PGBIN:-/usr/lib/postgresql/$PG_VERSION/bin}"
DATA="$REPLICA_DIR/data"

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}
primary_sql() { psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -Atqc "$1"; }
replica_sql() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -Atqc "$1"; }

# The primary must stream WAL (Debian's defaults do: wal_level=replica, max_wal_senders=10) and
# accept replication connections from this machine: one pg_hba line, added once, then a reload.
prepare_primary() {
  local level senders hba
  level="$(primary_sql "show wal_level")"
  senders="$(primary_sql "show max_wal_senders")"
  if [ "$level" = minimal ] || [ "$senders" -lt 2 ]; then
    echo "The primary needs wal_level=replica and max_wal_senders>=2 (restart required)." >&2
    exit 1
  fi
  hba="$(primary_sql "show hba_file")"
  if ! grep -Eq "^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32" "$hba"; then
    printf '\n# Streaming replica on this machine (.ci/replica.sh)\nhost replication all 127.0.0.1/32 trust\n' >>"$hba"
    primary_sql "select pg_reload_conf()" >/dev/null
    sleep 1
  fi
}

create() {
  prepare_primary
  rm -rf "$REPLICA_DIR"
  mkdir -p "$REPLICA_DIR"
  chown postgres:postgres "$REPLICA_DIR" 2>/dev/null || true
  chmod 700 "$REPLICA_DIR"
  echo "Base backup of $PRIMARY_HOST:$PRIMARY_PORT into $DATA"
  # -R writes standby.signal and primary_conninfo; -X stream copies the WAL written meanwhile.
  as_postgres "$PGBIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres \
    -D "$DATA" -R -X stream -c fast
  # Debian keeps the primary's configuration in /etc: the replica gets its own, minimal one.
  as_postgres tee "$DATA/postgresql.conf" >/dev/null <<EOF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$REPLICA_DIR'
hba_file = '$DATA/pg_hba.conf'
ident_file = '$DATA/pg_ident.conf'
hot_standby = on
hot_standby_feedback = on
max_connections = $(primary_sql "show max_connections")
max_worker_processes = $(primary_sql "show max_worker_processes")
shared_buffers = 32MB
fsync = off
logging_collector = off
EOF
  as_postgres tee "$DATA/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
  as_postgres touch "$DATA/pg_ident.conf"
}

start() {
  if ! running; then
    rm -f "$DATA/postmaster.pid"
    # An old copy resumes where it stopped, unless the primary no longer has the WAL it missed.
    if [ ! -f "$DATA/standby.signal" ] || ! launch \
      || grep -q "has already been removed" "$REPLICA_DIR/replica.log"; then
      stop >/dev/null 2>&1 || true
      create
      launch || { tail -20 "$REPLICA_DIR/replica.log" >&2; exit 1; }
    fi
  fi
  # Reads are accepted once the replica has a consistent snapshot of the primary's transactions:
  # a transaction left open on the primary (with many savepoints) delays it.
  for _ in $(seq 1 "${REPLICA_WAIT_TICKS:-240}"); do
    if [ "$(replica_sql "select count(*) from pg_stat_wal_receiver where status = 'streaming'" 2>/dev/null)" = 1 ]; then
      echo "Replica streaming on 127.0.0.1:$REPLICA_PORT"
      return 0
    fi
    sleep 0.5
  done
  if [ -z "${REPLICA_REBUILT:-}" ] && grep -q "has already been removed" "$REPLICA_DIR/replica.log" 2>/dev/null; then
    # It runs but will never catch up (the primary recycled the WAL it missed): made anew, once.
    echo "The replica missed WAL the primary has recycled: making it anew" >&2
    stop >/dev/null 2>&1 || true
    create
    launch || { tail -20 "$REPLICA_DIR/replica.log" >&2; exit 1; }
    REPLICA_REBUILT=1 start
    return
  fi
  echo "The replica does not accept reads yet (a long transaction on the primary?); its log:" >&2
  tail -20 "$REPLICA_DIR/replica.log" >&2
  exit 1
}

launch() {
  as_postgres rm -f "$REPLICA_DIR/replica.log"
  as_postgres "$PGBIN/pg_ctl" -D "$DATA" -l "$REPLICA_DIR/replica.log" -W start >/dev/null \
    && sleep 1 && as_postgres "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null
}

# Running when postmaster.pid names a live postgres process. The file outlives a machine's restart:
# its PID is then gone, or taken by another program, which must never get the stop signal.
running() {
  local pid
  [ -f "$DATA/postmaster.pid" ] || return 1
  pid="$(head -n 1 "$DATA/postmaster.pid")"
  [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/comm" ] && grep -qx "postgres" "/proc/$pid/comm"
}

stop() {
  if ! running; then
    [ -f "$DATA/postmaster.pid" ] && rm -f "$DATA/postmaster.pid" && echo "Stale postmaster.pid removed"
    echo "Replica not running"
    return 0
  fi
  as_postgres "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
  echo "Replica stopped"
}

status() {
  [ "$(replica_sql "select pg_is_in_recovery()")" = t ]
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  destroy) stop; rm -rf "$REPLICA_DIR" ;;
  status) status && echo "Replica streaming on 127.0.0.1:$REPLICA_PORT" ;;
  *) echo "Usage: $0 start|stop|destroy|status" >&2; exit 2 ;;
esac
