#!/bin/sh
# Run once by the postgres image, when pg-primary's data folder is first created (docker-compose.yml, profile
# postgres): the role pg-replica streams the WAL as, and the pg_hba.conf line that lets it connect for
# replication (the image's own line, "host all all all", does not cover replication connections).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -c "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '${REPLICATION_PASSWORD}'"
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
