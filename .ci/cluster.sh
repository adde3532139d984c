#!/usr/bin/env bash
# A production-shaped cluster on this machine, for tests/scale/test_cluster.py and by hand:
# PgBouncer (transaction mode) in front of the local PostgreSQL, two gunicorn web nodes going
# through it, HAProxy in front of them (deploy/pgbouncer.ini, deploy/haproxy.cfg). The nodes share
# the database (sessions), Redis (cache, rate limits, broker) and one media folder.
#
#   .ci/cluster.sh start       migrate and fill the cluster's database if new, start everything
#                              (CLUSTER_DB_READY=1: the database is ready, e.g. a test database)
#   .ci/cluster.sh node N      (re)start web node N (1 or 2) alone
#   .ci/cluster.sh stop        stop everything (the database and the collected static files stay)
#
# Environment (defaults): CLUSTER_DIR (/tmp/equipes-cluster), CLUSTER_PG (postgres://postgres@127.0.0.1:5432),
# CLUSTER_DB (equipes_cluster), CLUSTER_REDIS_URL (redis://127.0.0.1:6379/12), CLUSTER_PGBOUNCER_PORT (6432),
# CLUSTER_HAPROXY_PORT (8180), CLUSTER_WEB_PORTS ("8181 8182"), CLUSTER_STATIC_COMPRESS (0: static files
# keep their hashed names but get no gzip/Brotli copies, collected in seconds rather than minutes;
# 1 as in production).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIR=${CLUSTER_DIR:-${TMPDIR:-/tmp}/equipes-cluster}
PG=${CLUSTER_PG:-postgres://postgres@127.0.0.1:5432}
DB=${CLUSTER_DB:-equipes_cluster}
REDIS=${CLUSTER_REDIS_URL:-redis://127.0.0.1:6379/12}
BOUNCER_PORT=${CLUSTER_PGBOUNCER_PORT:-6432}
HAPROXY_PORT=${CLUSTER_HAPROXY_PORT:-8180}
read -r -a WEB_PORTS <<<"${CLUSTER_WEB_PORTS:-8181 8182}"
PY=$ROOT/.venv/bin/python
PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)

pg_host_port() { # postgres://user@host:port -> "host port user"
  local rest=${PG#postgres://}
  local user=${rest%@*} hostport=${rest#*@}
  echo "${hostport%:*} ${hostport##*:} ${user%%:*}"
}
read -r PG_HOST PG_PORT PG_USER <<<"$(pg_host_port)"

# The settings every process of the cluster runs with: production ones (no DEBUG, no TESTING).
app_env() {
  env -u TESTING -u DEBUG -u DATABASE_REPLICA_URL \
    DEBUG=0 TESTING=0 SECURE_HTTPS=0 SECRET_KEY=cluster-only-not-a-production-secret \
    ALLOWED_HOSTS=127.0.0.1,localhost VAR_DIR="$DIR/var" MEDIA_ROOT="$DIR/media" STATIC_ROOT="$DIR/static" \
    STATIC_COMPRESS="${CLUSTER_STATIC_COMPRESS:-0}" \
    REDIS_URL="$REDIS" CELERY_BROKER_URL="$REDIS" LOG_LEVEL=WARNING "$@"
}

wait_http() { # url seconds
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || { echo "No answer from $1 within $2 s (logs in $DIR)"; return 1; }
    sleep 0.3
  done
}

stop_pidfile() { # file [group]: TERM, then KILL after 10 s
  local file=$1 pid
  [[ -s $file ]] || return 0
  pid=$(cat "$file")
  local target=$pid
  [[ ${2:-} == group ]] && target=-$pid
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "$target" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "$target" 2>/dev/null || true
  fi
  rm -f "$file"
}

start_node() { # N
  local n=$1 port=${WEB_PORTS[$(($1 - 1))]}
  stop_pidfile "$DIR/web$n.pid" group
  # Its own session (process group, led by the gunicorn master, whose pid gunicorn writes
  # itself): a test kills the whole node, master and workers, at once.
  app_env DATABASE_URL="postgres://$PG_USER@127.0.0.1:$BOUNCER_PORT/$DB" DATABASE_POOLER=pgbouncer \
    setsid "$ROOT/.venv/bin/gunicorn" arras_quartiers.wsgi --bind "127.0.0.1:$port" \
    --pid "$DIR/web$n.pid" --workers 2 --threads 2 --worker-class gthread --timeout 60 \
    --graceful-timeout 5 --access-logfile - --log-level warning >"$DIR/web$n.log" 2>&1 &
  wait_http "http://127.0.0.1:$port/sante/" 60
}

start() {
  [[ -x $PGBOUNCER && -x $HAPROXY ]] || { echo "pgbouncer and haproxy are required (apt-get install pgbouncer haproxy)"; exit 1; }
  stop
  mkdir -p "$DIR/media" "$DIR/var" "$DIR/pgbouncer"
  chmod 755 "$DIR"

  # Static files, collected once for every node (hashed names, as in production).
  local direct="$PG/$DB"
  if [[ ! -s $DIR/static/staticfiles.json ]]; then
    app_env DATABASE_URL="$direct" "$PY" manage.py collectstatic --noinput >/dev/null
  fi
  # The database: created, migrated directly (not through the pooler) and filled once.
  if [[ -n ${CLUSTER_DB_READY:-} ]]; then
    :
  elif ! psql "$PG/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    psql -q "$PG/postgres" -c "CREATE DATABASE $DB"
    if ! { app_env DATABASE_URL="$direct" "$PY" manage.py migrate --noinput >/dev/null &&
           app_env DATABASE_URL="$direct" "$PY" manage.py loaddemo >/dev/null; }; then
      psql -q "$PG/postgres" -c "DROP DATABASE $DB"
      exit 1
    fi
  else
    app_env DATABASE_URL="$direct" "$PY" manage.py migrate --noinput >/dev/null
  fi

  # PgBouncer: deploy/pgbouncer.ini for the local server, trusting local clients; it refuses to
  # run as root, so as the PostgreSQL account then.
  local conf=$DIR/pgbouncer/pgbouncer.ini
  sed -e "s|^quartiers = .*|$DB = host=$PG_HOST port=$PG_PORT dbname=$DB timezone=UTC|" \
      -e "/^quartiers_replica = /d" \
      -e "s|^listen_addr = .*|listen_addr = 127.0.0.1|" \
      -e "s|^listen_port = .*|listen_port = $BOUNCER_PORT|" \
      -e "s|^auth_type = .*|auth_type = trust|" \
      -e "s|^auth_file = .*|auth_file = $DIR/pgbouncer/userlist.txt|" \
      -e "s|^admin_users = .*|admin_users = $PG_USER|" \
      -e "s|^stats_users = .*|stats_users = $PG_USER|" \
      -e "s|^logfile =.*|logfile = $DIR/pgbouncer/pgbouncer.log|" \
      -e "s|^pidfile =.*|pidfile = $DIR/pgbouncer/pgbouncer.pid\nunix_socket_dir =|" \
      deploy/pgbouncer.ini >"$conf"
  echo "\"$PG_USER\" \"\"" >"$DIR/pgbouncer/userlist.txt"
  local as_user=()
  if ((EUID == 0)); then
    chown -R postgres "$DIR/pgbouncer"
    as_user=(-u postgres)
  fi
  "$PGBOUNCER" -d "${as_user[@]}" "$conf"
  for _ in $(seq 1 50); do
    psql -q "postgres://$PG_USER@127.0.0.1:$BOUNCER_PORT/$DB" -c "SELECT 1" >/dev/null 2>&1 && break
    sleep 0.2
  done

  for n in $(seq 1 ${#WEB_PORTS[@]}); do start_node "$n"; done

  HAPROXY_BIND="127.0.0.1:$HAPROXY_PORT" WEB1_ADDR="127.0.0.1:${WEB_PORTS[0]}" \
    WEB2_ADDR="127.0.0.1:${WEB_PORTS[1]}" \
    setsid bash -c 'echo $$ >"$0"; exec "$1" -db -f deploy/haproxy.cfg' "$DIR/haproxy.pid" "$HAPROXY" \
    >"$DIR/haproxy.log" 2>&1 &
  wait_http "http://127.0.0.1:$HAPROXY_PORT/sante/" 20
  echo "Cluster up: http://127.0.0.1:$HAPROXY_PORT/ (nodes ${WEB_PORTS[*]}, PgBouncer $BOUNCER_PORT, files in $DIR)"
}

stop() {
  [[ -d $DIR ]] || return 0
  stop_pidfile "$DIR/haproxy.pid"
  for n in $(seq 1 ${#WEB_PORTS[@]}); do stop_pidfile "$DIR/web$n.pid" group; done
  stop_pidfile "$DIR/pgbouncer/pgbouncer.pid"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  node) start_node "${2:?node number}" ;;
  *) echo "Usage: $0 start|stop|node N"; exit 2 ;;
esac
