#!/bin/sh
# The local postgres image's entrypoint: on the first start make the cluster in $PGDATA
# with the superuser POSTGRES_USER (password POSTGRES_PASSWORD, scram-sha-256 over TCP)
# and the database POSTGRES_DB, then run postgres on every interface. Runs as root only
# to hand the data folder to the user postgres.
set -eu
: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
PGUSER_NAME=${POSTGRES_USER:-postgres}
PGDB_NAME=${POSTGRES_DB:-$PGUSER_NAME}

if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /run/postgresql
    chown -R postgres:postgres "$PGDATA" /run/postgresql
    chmod 0700 "$PGDATA"
    exec runuser -u postgres -- "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    initdb -D "$PGDATA" -U "$PGUSER_NAME" --pwfile="$pwfile" -E UTF8 --no-locale \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    if [ "$PGDB_NAME" != postgres ]; then
        echo "CREATE DATABASE \"$PGDB_NAME\" OWNER \"$PGUSER_NAME\";" \
            | postgres --single -D "$PGDATA" postgres >/dev/null
    fi
    echo "postgres-entrypoint: made the cluster (user $PGUSER_NAME, database $PGDB_NAME)"
fi

if [ "${1:-}" = postgres ]; then
    shift
    exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
fi
exec "$@"
