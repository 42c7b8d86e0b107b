#!/usr/bin/env bash
# Household benchmark at city scale: generate 1,000,000 households into a
# fresh SQLite file (timed), then time two household searches through our
# store against the same SQL in the sqlite3 shell. Run from the repo root:
#
#   bench/households.sh [households] [runs]
#
# Writes the database to $BENCH_DB (default /tmp/wanhu-bench.db) and leaves
# it there for inspection. See bench/README.md for the figures.
set -euo pipefail

households=${1:-1000000}
runs=${2:-21}
db=${BENCH_DB:-/tmp/wanhu-bench.db}

if ! command -v sqlite3 >/dev/null; then
	if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
		echo "sqlite3 is missing: installing it with apt-get" >&2
		apt-get install -y sqlite3 >/dev/null
	else
		echo "sqlite3 (the SQLite command-line shell) is missing: install it (apt-get install sqlite3) and run again" >&2
		exit 1
	fi
fi

bin=$(mktemp -d)/households
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./bench/households

echo "machine: $(nproc) cores, $(uname -sm), $(sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/sqlite3 /'), $(go version | cut -d' ' -f3)"
rm -f "$db" "$db-wal" "$db-shm"
"$bin" gen -db "$db" -n "$households"
"$bin" search -db "$db" -runs "$runs"
