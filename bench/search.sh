#!/usr/bin/env bash
# Household search benchmark at city scale (issue 15): every kind of search
# through the HTTP API, signed in as the city's administrator and as a grid
# leader, against the very statements the store runs for them in the
# engine's own shell (sqlite3 on the same file, psql on the same database).
# Run from the repo root:
#
#   bench/search.sh DB [runs] [port]
#
# DB is a SQLite file made by `wanhu gen` with the demo accounts (cityadmin,
# leader1; e.g. a copy of a city of 1,000,000 households: it is migrated
# when served, so never give it a file you must keep as it is) or a
# postgres:// URL (then set KEY to its key file). The accounts' password is
# $PASSWORD (default demo-pass-2026). See bench/README.md for the figures.
set -euo pipefail

db=${1:?usage: bench/search.sh DB [runs] [port]}
runs=${2:-11}
port=${3:-18290}
key=${KEY:-$db.key}
password=${PASSWORD:-demo-pass-2026}

case "$db" in
postgres://* | postgresql://*) shell=psql ;;
*) shell=sqlite3 ;;
esac
if ! command -v "$shell" >/dev/null; then
	echo "$shell is missing: install it (apt-get install $shell, or postgresql-client) and run again" >&2
	exit 1
fi

dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
go build -o "$dir/wanhu" ./cmd/wanhu
go build -o "$dir/search" ./bench/search

echo "machine: $(nproc) cores, $(uname -sm), $("$shell" --version | head -1), $(go version | cut -d' ' -f3)"
"$dir/wanhu" serve --db "$db" --key-file "$key" --addr "127.0.0.1:$port" >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
	curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
	kill -0 "$pid" 2>/dev/null || { cat "$dir/serve.log" >&2; exit 1; }
	sleep 0.5
done
"$dir/search" -base "http://127.0.0.1:$port" -db "$db" -key "$key" -password "$password" -runs "$runs"
