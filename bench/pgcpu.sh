#!/usr/bin/env bash
# The CPU PostgreSQL spends on a statement, whatever else the machine is
# doing: runs FILE's SQL N times in one session and reads that backend's
# own CPU (utime + stime of /proc/PID/stat) before and after. PostgreSQL
# must run on this machine. Run from anywhere:
#
#   bench/pgcpu.sh DSN FILE [N=5]
#
# Prints the CPU milliseconds a run. See bench/README.md, "PostgreSQL at
# 1,000,000 households: what its CPU went to".
set -euo pipefail
dsn=${1:?usage: bench/pgcpu.sh DSN FILE [N]} file=${2:?usage: bench/pgcpu.sh DSN FILE [N]} n=${3:-5}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
{
	echo "\\o $dir/pid"
	echo "SELECT pg_backend_pid();"
	echo "\\o /dev/null"
	echo "\\! cat /proc/\$(tr -d ' \\n' < $dir/pid)/stat > $dir/before"
	for _ in $(seq "$n"); do cat "$file"; echo; done
	echo "\\! cat /proc/\$(tr -d ' \\n' < $dir/pid)/stat > $dir/after"
} > "$dir/run.sql"
psql "$dsn" -qAt -v ON_ERROR_STOP=1 -f "$dir/run.sql" >/dev/null
ticks() { awk '{print $14 + $15}' "$1"; }
echo "$(basename "$file"): $(( ($(ticks "$dir/after") - $(ticks "$dir/before")) * 1000 / $(getconf CLK_TCK) / n )) ms of CPU a run ($n runs)"
