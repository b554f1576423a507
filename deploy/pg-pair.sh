#!/usr/bin/env bash
# A PostgreSQL primary with a synchronous standby on 127.0.0.1, from Debian's PostgreSQL packages,
# for the failover test and for trying a deployment of several luoshi nodes (docs/FAILOVER.md).
#
#   pg-pair.sh start           init (if needed) and start the primary, then a standby streaming from it;
#                              waits until the standby is synchronous (a commit returns only once the
#                              standby has flushed it)
#   pg-pair.sh createdb NAME   a database on the primary (the standby receives it); prints the URL list
#   pg-pair.sh kill-primary    SIGKILL the primary's server and every backend: a machine lost at once
#   pg-pair.sh promote         the standby becomes the primary (pg_ctl promote), alone: it no longer waits
#                              for a standby it does not have
#   pg-pair.sh rejoin          the lost primary comes back as a synchronous standby of the new one
#   pg-pair.sh status          which node is primary, and the replication state
#   pg-pair.sh stop | clean    stop both; clean also removes their data
#
# Ports: PGPAIR_PORT (default 5433) and the next one. Data under PGPAIR_DIR (default /tmp/luoshi-pgpair).
# The URL list luoshi takes: postgres://postgres@127.0.0.1:5433,127.0.0.1:5434/NAME
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
[ -x "$bin/initdb" ] || bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
a=${PGPAIR_PORT:-5433}
b=$((a + 1))
dir=${PGPAIR_DIR:-/tmp/luoshi-pgpair}
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else bash -c "$*"; fi; }
psql_at() { PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$1" -U postgres -X -q -At -v ON_ERROR_STOP=1 "${@:2}"; }
running() { as_pg "$bin/pg_ctl -D $dir/n$1 status" >/dev/null 2>&1; }
in_recovery() { psql_at "$1" -d postgres -c "SELECT pg_is_in_recovery()" 2>/dev/null; }
primary_port() { for p in $a $b; do [ "$(in_recovery "$p")" = f ] && { echo "$p"; return 0; }; done; return 1; }
other() { if [ "$1" = "$a" ]; then echo "$b"; else echo "$a"; fi; }

start_node() {
  running "$1" || as_pg "$bin/pg_ctl -D $dir/n$1 -l $dir/n$1.log -w -t 60 start" >/dev/null
}

# A standby of the primary on port $1, in n$2: a base backup with the standby settings (-R).
make_standby() {
  local from=$1 port=$2
  rm -rf "${dir:?}/n$port"
  as_pg "$bin/pg_basebackup -h 127.0.0.1 -p $from -U postgres -D $dir/n$port -R -X stream -c fast" >/dev/null
  # The copied settings are the primary's: this node listens on its own port, names itself, and
  # waits for no standby of its own if it is ever promoted (until one rejoins).
  cat >>"$dir/n$port/postgresql.conf" <<CONF
port = $port
cluster_name = 'luoshi_n$port'
synchronous_standby_names = ''
CONF
  start_node "$port"
  # Commits on the primary wait for this standby's flush from now on.
  psql_at "$from" -d postgres -c "ALTER SYSTEM SET synchronous_standby_names = 'luoshi_n$port'" -c "SELECT pg_reload_conf()" >/dev/null
  for _ in $(seq 1 60); do
    [ "$(psql_at "$from" -d postgres -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'luoshi_n$port'")" = sync ] && return 0
    sleep 0.5
  done
  echo "the standby on $port did not become synchronous" >&2
  exit 1
}

start() {
  mkdir -p "$dir"; chown postgres:postgres "$dir" 2>/dev/null || true
  if [ ! -f "$dir/n$a/PG_VERSION" ]; then
    as_pg "$bin/initdb -D $dir/n$a -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
    cat >>"$dir/n$a/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $a
unix_socket_directories = '$dir'
cluster_name = 'luoshi_n$a'
wal_level = replica
max_wal_senders = 8
max_replication_slots = 8
hot_standby = on
wal_log_hints = on
synchronous_commit = on
max_connections = 200
shared_buffers = 128MB
CONF
  fi
  if [ -f "$dir/n$b/PG_VERSION" ]; then
    start_node "$a"; start_node "$b"
  else
    start_node "$a"
    make_standby "$a" "$b"
  fi
  echo "primary 127.0.0.1:$(primary_port), standby 127.0.0.1:$(other "$(primary_port)")"
}

kill_primary() {
  local p; p=$(primary_port) || { echo "no primary is running" >&2; exit 1; }
  local pid; pid=$(head -n 1 "$dir/n$p/postmaster.pid")
  # The server and its backends at once, as a machine that loses power: nothing is flushed.
  pkill -9 -P "$pid" 2>/dev/null || true
  kill -9 "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$dir/n$p/postmaster.pid"
  echo "killed the primary on $p"
}

promote() {
  local p
  for p in $a $b; do
    if [ "$(in_recovery "$p")" = t ]; then
      as_pg "$bin/pg_ctl -D $dir/n$p -w promote" >/dev/null
      echo "promoted $p"
      return 0
    fi
  done
  echo "no standby to promote" >&2
  exit 1
}

rejoin() {
  local p; p=$(primary_port) || { echo "no primary is running" >&2; exit 1; }
  local q; q=$(other "$p")
  running "$q" && as_pg "$bin/pg_ctl -D $dir/n$q -m fast -w stop" >/dev/null
  make_standby "$p" "$q"
  echo "127.0.0.1:$q rejoined as the synchronous standby of $p"
}

status() {
  for p in $a $b; do
    case "$(in_recovery "$p")" in
      f) echo "127.0.0.1:$p primary; standbys: $(psql_at "$p" -d postgres -c "SELECT string_agg(application_name || ' ' || sync_state, ', ') FROM pg_stat_replication")" ;;
      t) echo "127.0.0.1:$p standby" ;;
      *) echo "127.0.0.1:$p down" ;;
    esac
  done
}

stop() {
  for p in $a $b; do
    if [ -f "$dir/n$p/PG_VERSION" ]; then as_pg "$bin/pg_ctl -D $dir/n$p -m immediate -w stop" >/dev/null 2>&1 || true; fi
  done
}

case "${1:-}" in
  start) start ;;
  createdb)
    name=${2:?database name}
    p=$(primary_port)
    psql_at "$p" -d postgres -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" -c "CREATE DATABASE \"$name\"" >/dev/null
    echo "postgres://postgres@127.0.0.1:$a,127.0.0.1:$b/$name" ;;
  kill-primary) kill_primary ;;
  promote) promote ;;
  rejoin) rejoin ;;
  status) status ;;
  stop) stop ;;
  clean) stop; rm -rf "${dir:?}" ;;
  *) sed -n '2,19p' "$0"; exit 2 ;;
esac
