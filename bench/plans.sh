#!/usr/bin/env bash
# Plan benchmark at city scale: a city of 1,000,000 households in 2,800
# grids (400 communities of about 2,500 households, seven grids each) gets
# a visit history and its due dates; then next week's plans of every grid
# are generated (timed) and compared with the generator's plain read of the
# same households in the sqlite3 shell; last, recording a visit is timed in
# that city and in one of 5,000 households. Run from the repo root:
#
#   bench/plans.sh [households=1000000] [runs=5]
#
# The city is $BENCH_PLANS_DB (default /tmp/wanhu-plans-bench.db), generated
# if missing and otherwise reused; the small city is made afresh beside it.
# See bench/README.md for the figures.
set -euo pipefail

households=${1:-1000000}
runs=${2:-5}
db=${BENCH_PLANS_DB:-/tmp/wanhu-plans-bench.db}
small=${db%.db}-small.db

if ! command -v sqlite3 >/dev/null; then
	if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
		echo "sqlite3 is missing: installing it with apt-get" >&2
		apt-get install -y sqlite3 >/dev/null
	else
		echo "sqlite3 (the SQLite command-line shell) is missing: install it (apt-get install sqlite3) and run again" >&2
		exit 1
	fi
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/households" ./bench/households
go build -o "$dir/plans" ./bench/plans

echo "machine: $(nproc) cores, $(uname -sm), $(sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/sqlite3 /'), $(go version | cut -d' ' -f3)"
if [ ! -e "$db" ]; then
	"$dir/households" gen -db "$db" -n "$households" -community 2500
fi
rm -f "$small" "$small-wal" "$small-shm"
"$dir/households" gen -db "$small" -n 5000 -community 2500 >/dev/null
"$dir/plans" prepare -db "$small" >/dev/null
"$dir/plans" prepare -db "$db"
"$dir/plans" generate -db "$db" -runs "$runs" ${BENCH_CPUPROFILE:+-cpuprofile "$BENCH_CPUPROFILE"}
"$dir/plans" record -db "$db" -small "$small"
