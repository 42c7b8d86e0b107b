#!/usr/bin/env bash
# Statistics benchmark at city scale: the population dashboard (people by
# the article's age bands with their breakdowns, households by kind,
# occupancy and colour) on 1,000,000 households, SQLite and PostgreSQL.
#  1. internal/stats against the hand-written aggregate SQL for the same
#     numbers in the sqlite3 / psql shell: both medians and the ratio
#     (goal: ours <= 1.5x), after checking that both give the same numbers;
#  2. `wanhu serve` on the same database, the dashboard requested as the
#     city's administrator: the server's peak RSS (goal: < 300 MB).
#  3. the statistics snapshot (issue 15): taken with `wanhu stats refresh`,
#     then the city's statistics over HTTP as its administrator (API and
#     pages), from the snapshot and live (?live=1), beside the hand SQL
#     (goal: under a second from the snapshot).
# Run from the repo root:
#
#   bench/stats.sh [--fresh] [--no-pg] [--drop-pg] [households=1000000] [runs=5]
#
# SQLite: $BENCH_STATS_DB (default /tmp/wanhu-stats-bench.db, key file
# beside it), reused when it holds that many households, else (or with
# --fresh) generated anew (about 2 minutes).
# PostgreSQL: the database $BENCH_STATS_PG_NAME (default wanhu_bench) on
# the server of $BENCH_STATS_PG_ADMIN (default
# postgres://postgres@127.0.0.1:5432/test?sslmode=disable, used only to
# create and drop it), reused likewise (generation takes about 11
# minutes); --drop-pg drops it at the end, --no-pg skips PostgreSQL.
# See bench/README.md for the figures.
set -euo pipefail

fresh=0 pg=1 droppg=0
while [ $# -gt 0 ]; do
	case $1 in
	--fresh) fresh=1 ;;
	--no-pg) pg=0 ;;
	--drop-pg) droppg=1 ;;
	--*) echo "unknown flag $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
households=${1:-1000000}
runs=${2:-5}
db=${BENCH_STATS_DB:-/tmp/wanhu-stats-bench.db}
pgadmin=${BENCH_STATS_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
pgname=${BENCH_STATS_PG_NAME:-wanhu_bench}
pgkey=${db%.db}-pg.key

case $pgname in *[!a-z0-9_]*) echo "BENCH_STATS_PG_NAME: lower-case letters, digits and _ only" >&2; exit 2 ;; esac
pgurl=$(printf '%s' "$pgadmin" | sed -E "s#^(postgres(ql)?://[^/]*/)[^?]*#\\1$pgname#")

if ! command -v sqlite3 >/dev/null; then
	if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
		echo "sqlite3 is missing: installing it with apt-get" >&2
		apt-get install -y sqlite3 >/dev/null
	else
		echo "sqlite3 (the SQLite command-line shell) is missing: install it (apt-get install sqlite3) and run again" >&2
		exit 1
	fi
fi
if [ "$pg" = 1 ] && ! command -v psql >/dev/null; then
	echo "psql is missing: PostgreSQL is skipped (install postgresql-client, or pass --no-pg)" >&2
	pg=0
fi
if [ "$pg" = 1 ] && ! psql -X -q -d "$pgadmin" -c 'SELECT 1' >/dev/null 2>&1; then
	echo "no PostgreSQL at $pgadmin: PostgreSQL is skipped" >&2
	pg=0
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/stats" ./bench/stats
go build -o "$dir/wanhu" ./cmd/wanhu

echo "machine: $(nproc) cores, $(uname -sm), $(sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/sqlite3 /'), $(go version | cut -d' ' -f3)"
[ "$pg" = 1 ] && echo "postgres: $(psql -X -A -t -d "$pgadmin" -c 'SHOW server_version')"

# SQLite: reuse the file if it has the right size.
have=0
[ -e "$db" ] && have=$("$dir/stats" count -db "$db" 2>/dev/null || echo 0)
if [ "$fresh" = 1 ] || [ "$have" != "$households" ]; then
	rm -f "$db" "$db-wal" "$db-shm" "$db.key"
	"$dir/stats" gen -db "$db" -n "$households"
else
	echo "reusing $db ($have households; --fresh to generate it anew)"
fi
"$dir/stats" time -db "$db" -runs "$runs"
"$dir/stats" rss -wanhu "$dir/wanhu" -db "$db"
"$dir/stats" snapshot -wanhu "$dir/wanhu" -db "$db" -runs "$runs"

# PostgreSQL: a database of its own, reused likewise.
if [ "$pg" = 1 ]; then
	exists=$(psql -X -A -t -d "$pgadmin" -c "SELECT 1 FROM pg_database WHERE datname = '$pgname'")
	have=0
	[ "$exists" = 1 ] && have=$("$dir/stats" count -db "$pgurl" 2>/dev/null || echo 0)
	if [ "$fresh" = 1 ] || [ "$have" != "$households" ] || [ ! -e "$pgkey" ]; then
		psql -X -q -d "$pgadmin" -c "DROP DATABASE IF EXISTS $pgname" -c "CREATE DATABASE $pgname"
		"$dir/stats" gen -db "$pgurl" -key "$pgkey" -n "$households"
	else
		echo "reusing database $pgname ($have households; --fresh to generate it anew)"
	fi
	"$dir/stats" time -db "$pgurl" -runs "$runs"
	"$dir/stats" rss -wanhu "$dir/wanhu" -db "$pgurl" -key "$pgkey"
	"$dir/stats" snapshot -wanhu "$dir/wanhu" -db "$pgurl" -key "$pgkey" -runs "$runs"
	if [ "$droppg" = 1 ]; then
		psql -X -q -d "$pgadmin" -c "DROP DATABASE $pgname"
	fi
fi
