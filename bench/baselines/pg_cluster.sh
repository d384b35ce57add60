# Sourced by the PostgreSQL baselines: installs PostgreSQL when missing, starts a throwaway
# cluster in a temporary directory on port $PG_PORT with the extra server options $PG_OPTIONS,
# stops and removes it on exit. Sets BIN, WORK and PSQL (psql as the postgres user).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y -qq postgresql >&2
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
WORK=$(mktemp -d /tmp/motcua-pg.XXXXXX)
chmod 777 "$WORK"
RUN="runuser -u postgres --"
[ "$(id -u)" -eq 0 ] || RUN=""
cleanup() { $RUN "$BIN/pg_ctl" -D "$WORK/db" -m fast stop >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
$RUN "$BIN/initdb" -D "$WORK/db" -A trust >/dev/null
$RUN "$BIN/pg_ctl" -D "$WORK/db" -o "-p $PG_PORT -k $WORK $PG_OPTIONS" -l "$WORK/log" start >/dev/null
PSQL="$RUN $BIN/psql -h $WORK -p $PG_PORT -U postgres -q"
