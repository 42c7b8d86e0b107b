#!/usr/bin/env bash
# Several servers on one PostgreSQL: N `wanhu serve` processes on the same
# database with the same key file (as behind a load balancer), and the
# morning mix of bench/load run against 1, 2, …, N of them in the same run
# (then N, …, 1 again with --twice), followed by each read route alone
# against one server and the bare handler. Besides each route, the load
# generator reports each server's requests, CPU, pool waits and RSS, the
# CPU of PostgreSQL's backends of the database and of itself, and what
# those backends were doing (pg_stat_activity). Run from the repo root:
#
#   bench/cluster.sh [--servers 3] [--clients 200] [--duration 15s] [--port 18280]
#                    [--spread client|request] [--twice] [--solo LIST] [--pprof] [--logs DIR] [--wanhu BIN]
#                    [--cpu-quota CORES] DSN KEY_FILE
#
# DSN is a postgres:// URL of a database made by `wanhu gen` (written to:
# accounts, visits and requests, as bench/load.sh). Server i listens on
# PORT+i-1 (with --pprof its profiles on PORT+10+i-1). --spread client
# (the default) keeps each client on one server, client k on server k mod
# N, as a proxy balancing connections does; request sends each request to
# the next server. --solo none skips the routes alone; --logs DIR keeps
# the servers' logs (JSON) there. --cpu-quota 0.1 caps each server at a
# tenth of a core (a cgroup v1 cpu quota, /sys/fs/cgroup/cpu; run as root),
# as if each ran on a machine of its own much smaller than the database's:
# on a machine of few cores, the only way to see whether throughput grows
# with servers while the database has cores to spare. See bench/README.md,
# "cluster.sh", for the figures.
set -euo pipefail

servers=3 clients=200 duration=15s port=18280 bin="" solo="" spread=client twice="" pprof="" logs="" quota=""
while [ $# -gt 0 ]; do
	case $1 in
	--servers) servers=$2; shift ;;
	--clients) clients=$2; shift ;;
	--duration) duration=$2; shift ;;
	--port) port=$2; shift ;;
	--wanhu) bin=$2; shift ;;
	--solo) solo=$2; shift ;;
	--spread) spread=$2; shift ;;
	--twice) twice=1 ;;
	--pprof) pprof=1 ;;
	--logs) logs=$2; shift ;;
	--cpu-quota) quota=$2; shift ;;
	--*) echo "unknown flag $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
dsn=${1:?usage: bench/cluster.sh [flags] DSN KEY_FILE}
key=${2:?usage: bench/cluster.sh [flags] DSN KEY_FILE}
case $dsn in postgres://* | postgresql://*) ;; *) echo "cluster.sh needs a postgres:// URL" >&2; exit 2 ;; esac

cgroups=/sys/fs/cgroup/cpu
if [ -n "$quota" ]; then
	us=$(awk -v c="$quota" 'BEGIN { printf "%d", c * 100000 }')
	[ "$us" -ge 1000 ] || { echo "--cpu-quota $quota: at least 0.01 core" >&2; exit 2; }
	[ -w "$cgroups" ] || { echo "--cpu-quota needs a writable cgroup v1 cpu controller at $cgroups" >&2; exit 2; }
fi

dir=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	[ -n "$quota" ] && for i in $(seq "$servers"); do rmdir "$cgroups/wanhu-cluster-$$-$i" 2>/dev/null || true; done
	rm -rf "$dir"
}
trap cleanup EXIT
go build -o "$dir/load" ./bench/load
if [ -z "$bin" ]; then
	go build -o "$dir/wanhu" ./cmd/wanhu
	bin=$dir/wanhu
fi

echo "machine: $(nproc) cores, $(uname -sm), $(go version | cut -d' ' -f3), $(psql "$dsn" -Atc 'SHOW server_version' 2>/dev/null | sed 's/^/PostgreSQL /'), $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo ' (with changes)'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$dir/load" accounts -db "$dsn" -key "$key"
echo "taking the statistics snapshot (the daily job's) …"
"$bin" stats refresh --db "$dsn"
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
urls=()
for i in $(seq "$servers"); do
	p=$((port + i - 1))
	extra=()
	[ -n "$pprof" ] && extra=(--pprof "127.0.0.1:$((port + 10 + i - 1))")
	"$bin" serve --db "$dsn" --key-file "$key" --addr "127.0.0.1:$p" --daily-at off --metrics-token "$token" --log-format json "${extra[@]}" >"$dir/serve$i.log" 2>&1 &
	pids+=($!)
	urls+=("http://127.0.0.1:$p")
	if [ -n "$quota" ]; then
		g=$cgroups/wanhu-cluster-$$-$i
		mkdir "$g"
		echo 100000 >"$g/cpu.cfs_period_us"
		echo "$us" >"$g/cpu.cfs_quota_us"
		echo "$!" >"$g/cgroup.procs"
	fi
done
for i in $(seq "$servers"); do
	for _ in $(seq 600); do
		curl -fs "${urls[$((i - 1))]}/healthz" >/dev/null 2>&1 && break
		kill -0 "${pids[$((i - 1))]}" 2>/dev/null || { cat "$dir/serve$i.log" >&2; exit 1; }
		sleep 0.2
	done
done
echo "servers: ${pids[*]} on ${urls[*]}$([ -n "$quota" ] && echo ", each capped at $quota of a core")"

join() { local IFS=,; echo "$*"; }
order=$(seq "$servers")
[ -n "$twice" ] && order="$order $(seq "$servers" -1 1)"
summaries=()
for n in $order; do
	echo
	"$dir/load" run -url "$(join "${urls[@]:0:n}")" -pid "$(join "${pids[@]:0:n}")" -clients "$clients" -duration "$duration" \
		-engine postgres -spread "$spread" -pg "$dsn" -metrics-token "$token" -solo none | tee "$dir/run.out"
	summaries+=("$(grep '^summary:' "$dir/run.out")")
done
if [ "$solo" != none ]; then
	echo
	args=(-url "${urls[0]}" -pid "${pids[0]}" -clients "$clients" -duration "$duration" -engine postgres -skip all)
	[ -n "$solo" ] && args+=(-solo "$solo")
	"$dir/load" run "${args[@]}"
fi
echo
echo "## The mix with 1 to $servers servers"
echo
for s in "${summaries[@]}"; do echo "- ${s#summary: }"; done
for i in $(seq "$servers"); do
	errs=$(grep -cE '"level":"(ERROR|WARN)"' "$dir/serve$i.log" || true)
	echo "server $i log: $errs warnings and errors$([ "$errs" -gt 0 ] && echo ", first: $(grep -E '"level":"(ERROR|WARN)"' "$dir/serve$i.log" | head -1 | cut -c1-300)")"
	[ -n "$logs" ] && cp "$dir/serve$i.log" "$logs/"
done
