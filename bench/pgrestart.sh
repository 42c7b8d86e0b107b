#!/usr/bin/env bash
# PostgreSQL restart under load: a private PostgreSQL cluster (initdb in a
# temporary directory, as the postgres user when run as root, since initdb
# refuses root), the demo on it (`wanhu demo`, HOUSEHOLDS households), 16
# clients reading households through the API as the demo's admin; after 5 s
# the cluster is restarted (pg_ctl restart -m fast, or stop, pause, start
# with PAUSE seconds). The report says what /readyz answered meanwhile, how
# long the server took to serve again without being restarted, and the
# failed requests of each phase. Goal: none after /readyz says ready again.
# Run from the repo root:
#
#   bench/pgrestart.sh [PAUSE=0]
#
# Environment: PG_BIN (default /usr/lib/postgresql/15/bin), PG_PORT (default
# 18531), ADDR (default 127.0.0.1:18532), HOUSEHOLDS (default 1000).
set -euo pipefail

pause=${1:-0}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
port=${PG_PORT:-18531}
addr=${ADDR:-127.0.0.1:18532}
households=${HOUSEHOLDS:-1000}

dir=$(mktemp -d)
as=()
if [ "$(id -u)" = 0 ]; then
	chown postgres "$dir"
	as=(runuser -u postgres --)
fi
server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT

go build -o "$dir/wanhu" ./cmd/wanhu
go build -o "$dir/pgrestart" ./bench/pgrestart
echo "machine: $(nproc) cores, $(uname -sm), $(go version | cut -d' ' -f3), $("$bin/postgres" --version), $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo ' (with changes)')"

"${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale C >/dev/null
"${as[@]}" sh -c "printf '%s\n' \"port = $port\" \"listen_addresses = '127.0.0.1'\" \"unix_socket_directories = '$dir'\" >> '$dir/data/postgresql.conf'"
pg_ctl() { "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -w "$@" >/dev/null; }
pg_ctl start
"${as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres wanhu
url="postgres://postgres@127.0.0.1:$port/wanhu?sslmode=disable"

password=pgrestart-$RANDOM$RANDOM
"$dir/wanhu" demo --db "$url" --key-file "$dir/pg.key" --households "$households" --admin-password "$password" \
	--addr "$addr" --log-format json >"$dir/serve.out" 2>"$dir/serve.log" &
server=$!
for _ in $(seq 600); do
	curl -sf "http://$addr/readyz" >/dev/null 2>&1 && break
	kill -0 "$server" 2>/dev/null || { cat "$dir/serve.out" "$dir/serve.log" >&2; exit 1; }
	sleep 0.5
done

if [ "$pause" = 0 ]; then
	restart="$(printf '%q ' "${as[@]}") $bin/pg_ctl -D $dir/data -l $dir/pg.log -m fast -w restart >/dev/null"
	echo "restart: pg_ctl restart -m fast"
else
	restart="$(printf '%q ' "${as[@]}") $bin/pg_ctl -D $dir/data -m fast -w stop >/dev/null && sleep $pause && $(printf '%q ' "${as[@]}") $bin/pg_ctl -D $dir/data -l $dir/pg.log -w start >/dev/null"
	echo "restart: pg_ctl stop -m fast, ${pause}s down, pg_ctl start"
fi
status=0
"$dir/pgrestart" -base "http://$addr" -user admin -password "$password" -restart "$restart" || status=$?
echo "server: still the same process: $(kill -0 "$server" 2>/dev/null && echo yes || echo NO); it logged: $(grep -c '"not ready' "$dir/serve.log") not-ready, $(grep -c '"ready again' "$dir/serve.log") ready-again, $(grep -c '"level":"ERROR"' "$dir/serve.log") errors"
exit $status
