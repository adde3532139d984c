#!/bin/sh
# PgBouncer's users: the application's account, whose password it sends on to PostgreSQL
# (plain text in the file, which only this container reads; SCRAM towards clients and server).
set -eu
: "${DB_USER:?DB_USER is required}" "${DB_PASSWORD:?DB_PASSWORD is required}"
umask 077
printf '"%s" "%s"\n' "$DB_USER" "$DB_PASSWORD" >/etc/pgbouncer/userlist.txt
exec pgbouncer /etc/pgbouncer/pgbouncer.ini
