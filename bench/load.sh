#!/usr/bin/env bash
# Morning load: `wanhu serve` on a database made by `wanhu gen` (a city of
# 1,000,000 households on SQLite, or a PostgreSQL database), driven by
# bench/load on loopback with a morning's mix of signed-in requests, then
# each read route alone against a bare net/http handler serving bodies of
# the same sizes, in the same run. Run from the repo root:
#
#   bench/load.sh [--clients 200] [--duration 15s] [--port 18190] [--wanhu BIN] [--pprof ADDR] [--rates LIST] DSN [KEY_FILE]
#
# DSN is a SQLite file (KEY_FILE defaults to DSN.key) or a postgres:// URL
# (KEY_FILE required). The database is written to: the demo accounts and
# cityadmin are created or given the demo password (bench/load accounts),
# and the run records visits and requests. Use a copy of a SQLite file.
# --wanhu measures another build (for a before/after comparison); --solo
# and --skip choose the routes measured alone and left out of the mix
# (parts of their names, comma-separated; see bench/load/run.go).
# --pprof ADDR starts the server with `--pprof ADDR` (loopback), to take
# profiles during the run. --rates 50,100,200 runs the mix again as an
# open loop after it: requests arriving at each rate a second, at most
# --clients in flight (with --skip all, only the open loop).
# See bench/README.md, "Morning load", for the figures.
set -euo pipefail

clients=200 duration=15s port=18190 bin="" solo="" skip="" pprof="" rates=""
while [ $# -gt 0 ]; do
	case $1 in
	--clients) clients=$2; shift ;;
	--duration) duration=$2; shift ;;
	--port) port=$2; shift ;;
	--wanhu) bin=$2; shift ;;
	--solo) solo=$2; shift ;;
	--skip) skip=$2; shift ;;
	--pprof) pprof=$2; shift ;;
	--rates) rates=$2; shift ;;
	--*) echo "unknown flag $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
dsn=${1:?usage: bench/load.sh [flags] DSN [KEY_FILE]}
key=${2:-}
engine=sqlite
case $dsn in postgres://* | postgresql://*) engine=postgres ;; esac
if [ -z "$key" ]; then
	[ "$engine" = sqlite ] || { echo "a PostgreSQL database needs its KEY_FILE" >&2; exit 2; }
	key=$dsn.key
fi

dir=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
go build -o "$dir/load" ./bench/load
if [ -z "$bin" ]; then
	go build -o "$dir/wanhu" ./cmd/wanhu
	bin=$dir/wanhu
fi

echo "machine: $(nproc) cores, $(uname -sm), $(go version | cut -d' ' -f3), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$dir/load" accounts -db "$dsn" -key "$key"
# The morning after the daily jobs: the statistics snapshot taken, and the
# server runs no daily job during the measurement (builds before issue 15
# have neither).
extra=()
help=$("$bin" serve -h 2>&1 || true)
if [[ $help == *-daily-at* ]]; then
	echo "taking the statistics snapshot (the daily job's) …"
	"$bin" stats refresh --db "$dsn"
	extra=(--daily-at off)
fi
[ -n "$pprof" ] && extra+=(--pprof "$pprof")
"$bin" serve --db "$dsn" --key-file "$key" --addr "127.0.0.1:$port" "${extra[@]}" >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
	curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
	kill -0 "$pid" 2>/dev/null || { cat "$dir/serve.log" >&2; exit 1; }
	sleep 0.2
done
args=(-url "http://127.0.0.1:$port" -pid "$pid" -clients "$clients" -duration "$duration" -engine "$engine")
[ -n "$solo" ] && args+=(-solo "$solo")
[ -n "$skip" ] && args+=(-skip "$skip")
[ -n "$rates" ] && args+=(-rates "$rates")
"$dir/load" run "${args[@]}"
