#!/usr/bin/env bash
# The pages of the menu as one account sees them, at city scale (issue 15):
# signs in to the web pages like a browser (the login form and its csrf
# field) and times each page, the median of RUNS, with its status and
# size. Two builds side by side: --wanhu BIN for the other one. Run from
# the repo root:
#
#   bench/pages.sh [--wanhu BIN] [--runs 3] [--limit 30] [--port 18390] [--gzip] DB USER [PAGE...]
#
# DB is a SQLite file made by `wanhu gen` with the demo accounts (run
# `go run ./bench/load accounts -db DB -key KEY` once; use a copy: it is
# migrated when served) or a postgres:// URL (then set KEY to its key
# file). USER is an account (cityadmin, admin, leader1, visitor1; password
# $PASSWORD, default demo-pass-2026). Without PAGE, the menu's pages. A
# page still loading after --limit seconds is reported as 000: the server
# is then restarted, so that its work on that page does not weigh on the
# next. --gzip asks for pages gzipped, as browsers do: the time and bytes
# are then those of the compressed answer (bytes as sent). See bench/README.md, "A city administrator's pages at 1M".
set -euo pipefail

bin="" runs=3 limit=30 port=18390 encoding=identity
while [ $# -gt 0 ]; do
	case $1 in
	--wanhu) bin=$2; shift ;;
	--runs) runs=$2; shift ;;
	--limit) limit=$2; shift ;;
	--port) port=$2; shift ;;
	--gzip) encoding=gzip ;;
	--*) echo "unknown flag $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
db=${1:?usage: bench/pages.sh [flags] DB USER [PAGE...]}
user=${2:?usage: bench/pages.sh [flags] DB USER [PAGE...]}
shift 2
pages=("$@")
[ ${#pages[@]} -gt 0 ] || pages=(/households /ledger /benefits /requests /plans /programmes /rosters /rounds /staff /stats
	/talk /tasks /team /visits/coverage /visits/due /visits/progress /households/new /import /audit)
key=${KEY:-$db.key}
password=${PASSWORD:-demo-pass-2026}

dir=$(mktemp -d)
pid=""
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; pid=""; }
trap 'stop; rm -rf "$dir"' EXIT
if [ -z "$bin" ]; then
	go build -o "$dir/wanhu" ./cmd/wanhu
	bin=$dir/wanhu
fi
base=http://127.0.0.1:$port
start() {
	"$bin" serve --db "$db" --key-file "$key" --addr "127.0.0.1:$port" --daily-at off >"$dir/serve.log" 2>&1 &
	pid=$!
	for _ in $(seq 600); do
		curl -fs "$base/healthz" >/dev/null 2>&1 && break
		kill -0 "$pid" 2>/dev/null || { cat "$dir/serve.log" >&2; exit 1; }
		sleep 0.2
	done
	rm -f "$dir/jar"
	csrf=$(curl -s -c "$dir/jar" -b "$dir/jar" "$base/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
	code=$(curl -s -o /dev/null -w '%{http_code}' -c "$dir/jar" -b "$dir/jar" "$base/login" \
		--data-urlencode "csrf=$csrf" --data-urlencode "username=$user" --data-urlencode "password=$password")
	[ "$code" = 303 ] || { echo "signing in as $user: $code" >&2; exit 1; }
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $user on $db, median of $runs"
printf "%-24s %6s %10s %10s\n" page status ms bytes
start
for p in "${pages[@]}"; do
	times=() status="" size=0
	for _ in $(seq "$runs"); do
		read -r status t size < <(curl -s -m "$limit" -H "Accept-Encoding: $encoding" -b "$dir/jar" -o /dev/null -w '%{http_code} %{time_total} %{size_download}\n' "$base$p" || true)
		if [ "$status" = 000 ]; then
			stop
			start
			break
		fi
		times+=("$t")
	done
	if [ "$status" = 000 ]; then
		printf "%-24s %6s %10s %10s\n" "$p" 000 ">$((limit * 1000))" -
		continue
	fi
	ms=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]*1000}')
	printf "%-24s %6s %10s %10s\n" "$p" "$status" "$ms" "$size"
done
