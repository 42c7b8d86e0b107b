#!/usr/bin/env bash
# SQLite kill -9 loop: builds wanhu, makes a small demo community, and
# kills the server with SIGKILL at a random moment while it writes visits,
# request steps and an import, again and again; after every kill it checks
# that every write that got a 2xx is there, PRAGMA integrity_check is ok,
# the ledger and the request timelines agree with the records, and every
# import is whole or absent. Then it measures what synchronous=FULL costs a
# commit against NORMAL on the same disk. Run from the repo root:
#
#   bench/killloop.sh [kills=50] [households=300]
#
# Work files go to $BENCH_DIR (default /tmp/wanhu-bench-killloop); the
# server's log is server.log there. Port: $BENCH_ADDR (default
# 127.0.0.1:18790). Exits 1 when anything acknowledged was lost.
set -euo pipefail

kills=${1:-50}
households=${2:-300}
dir=${BENCH_DIR:-/tmp/wanhu-bench-killloop}
addr=${BENCH_ADDR:-127.0.0.1:18790}

mkdir -p "$dir"
go build -o "$dir/wanhu" ./cmd/wanhu
go build -o "$dir/killloop" ./bench/killloop
echo "machine: $(nproc) cores, $(uname -sm), $(go version | cut -d' ' -f3), disk $(df -T "$dir" | awk 'NR==2 {print $2}')"
"$dir/killloop" -bin "$dir/wanhu" -dir "$dir" -kills "$kills" -households "$households" -addr "$addr"
echo
"$dir/killloop" -sync -dir "$dir"
