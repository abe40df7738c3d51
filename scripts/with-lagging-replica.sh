#!/usr/bin/env bash
# Run the API tests with a read replica that lags: a streaming replica of the test PostgreSQL
# server (VISIONSCOPE_TEST_DATABASE_URL; pg_basebackup, a replication connection from 127.0.0.1)
# that applies the primary's commits REPLICA_LAG late (default 2s). The postgres backend of the
# tests then reads through VISIONSCOPE_TEST_READ_DATABASE_URL, the same database on the replica.
# A client that wrote reads the primary for VISIONSCOPE_READ_YOUR_WRITES_SECONDS, here 3 unless
# set: just over the lag, so that the replica serves every read it may (with the product's 10 s
# nearly every request of a test comes within 10 s of a write and reads the primary).
# pytest runs every test on the postgres backend but the resilience tests (they start servers of
# their own), with the arguments given (a narrower path, -x ...). Prints what each server ran.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${VISIONSCOPE_TEST_DATABASE_URL:?set it to the test database, postgresql+asyncpg://user@host:port/db}"
LAG=${REPLICA_LAG:-2s}
export VISIONSCOPE_READ_YOUR_WRITES_SECONDS=${VISIONSCOPE_READ_YOUR_WRITES_SECONDS:-3}
PG_BIN=${VISIONSCOPE_TEST_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}

url_pattern='^([^:]+)://(([^@:/]+)@)?([^:/@]+)(:([0-9]+))?/([^?]+)'
[[ $VISIONSCOPE_TEST_DATABASE_URL =~ $url_pattern ]] || {
  echo "cannot read VISIONSCOPE_TEST_DATABASE_URL" >&2
  exit 2
}
scheme=${BASH_REMATCH[1]}
user=${BASH_REMATCH[3]:-postgres}
host=${BASH_REMATCH[4]}
port=${BASH_REMATCH[6]:-5432}
database=${BASH_REMATCH[7]}

as_postgres=()
[ "$(id -u)" -eq 0 ] && as_postgres=(runuser -u postgres --)
primary=(psql -h "$host" -p "$port" -U "$user" -d "$database" -XAtq)
replica_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
replica=(psql -h 127.0.0.1 -p "$replica_port" -U "$user" -d "$database" -XAtq)
work=$(mktemp -d -t visionscope-replica-XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres "$work"

stop_replica() {
  "${as_postgres[@]}" "$PG_BIN/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop_replica EXIT

"${as_postgres[@]}" "$PG_BIN/pg_basebackup" -h "$host" -p "$port" -U "$user" -D "$work/data" -R -X stream -c fast
# A cluster whose configuration lives outside its data directory (Debian's) copies none.
"${as_postgres[@]}" touch "$work/data/postgresql.conf"
[ -f "$work/data/pg_hba.conf" ] ||
  echo "host all all 127.0.0.1/32 trust" | "${as_postgres[@]}" tee "$work/data/pg_hba.conf" >/dev/null
{
  echo "port = $replica_port"
  echo "listen_addresses = '127.0.0.1'"
  echo "unix_socket_directories = ''"
  echo "hot_standby = on"
  echo "recovery_min_apply_delay = '$LAG'"
  # A hot standby needs at least the primary's values (CI starts it with max_connections=300).
  for name in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
    max_locks_per_transaction; do
    echo "$name = $("${primary[@]}" -c "SHOW $name")"
  done
} | "${as_postgres[@]}" tee -a "$work/data/postgresql.auto.conf" >/dev/null
"${as_postgres[@]}" "$PG_BIN/pg_ctl" -D "$work/data" -l "$work/replica.log" -w start >/dev/null

transactions() { "$@" -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"; }
primary_before=$(transactions "${primary[@]}")
replica_before=$(transactions "${replica[@]}")
echo "replica of $host:$port on 127.0.0.1:$replica_port, applying commits $LAG late;" \
  "a client reads the primary for ${VISIONSCOPE_READ_YOUR_WRITES_SECONDS} s after it writes"

export VISIONSCOPE_TEST_READ_DATABASE_URL="$scheme://$user@127.0.0.1:$replica_port/$database"
started=$SECONDS
status=0
.venv/bin/pytest -k postgres --ignore=tests/resilience "$@" || status=$?

echo "with the replica lagging $LAG: pytest ran $((SECONDS - started)) s;" \
  "transactions on $database: $(($(transactions "${replica[@]}") - replica_before)) on the replica," \
  "$(($(transactions "${primary[@]}") - primary_before)) on the primary"
exit $status
