#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A throwaway PostgreSQL for the db.yml tests: its own data directory, socket
# directory and TCP port on 127.0.0.1 only, run as an unprivileged user
# (PostgreSQL refuses to run as root; as root we drop to nobody).
#   pg.sh start DIR PORT   initdb if needed, start, load a small schema;
#                          prints the connection URL on stdout
#   pg.sh stop DIR         stop it (fast shutdown)
set -eu

bindir=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
[ -x "$bindir/initdb" ] || { echo "pg.sh: no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 1; }

as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
	else
		"$@"
	fi
}

cmd=${1:?usage: pg.sh start DIR PORT | stop DIR}
dir=${2:?data directory}

case $cmd in
start)
	port=${3:?port}
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown nobody:nogroup "$dir"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_user mkdir -p "$dir/data" "$dir/run"
		as_user "$bindir/initdb" -D "$dir/data" -U membrane --auth=trust \
			--no-instructions -E UTF8 --locale=C >"$dir/initdb.log" 2>&1
	fi
	as_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/run/server.log" -w \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $dir/run -c fsync=off" start >/dev/null
	as_user "$bindir/psql" -q -h 127.0.0.1 -p "$port" -U membrane -d postgres \
		-v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SELECT 'CREATE DATABASE app' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'app')\gexec
\c app
CREATE TABLE IF NOT EXISTS customers (id serial PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE IF NOT EXISTS orders (id serial PRIMARY KEY,
	customer_id integer REFERENCES customers(id), total numeric(10,2), placed timestamptz DEFAULT now());
INSERT INTO customers (name, email) SELECT 'Ada', 'ada@example.org'
	WHERE NOT EXISTS (SELECT FROM customers);
INSERT INTO orders (customer_id, total) SELECT 1, 42.50 WHERE NOT EXISTS (SELECT FROM orders);
SQL
	echo "postgresql://membrane@127.0.0.1:$port/app"
	;;
stop)
	as_user "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
	;;
*)
	echo "usage: pg.sh start DIR PORT | stop DIR" >&2
	exit 2
	;;
esac
