#!/usr/bin/env bash
# The daily jobs at city scale, before and after: `wanhu visit recompute`
# and `wanhu household recolour` of a BASE revision (default main) and of
# the working tree, each on its own copy of the same database, in one run;
# then the two copies are compared (due dates; colours, reasons,
# householders and member counts must be the same). Run from the repo root:
#
#   bench/daily.sh CITY.db [BASE=main]
#
# CITY.db is a SQLite database made by `wanhu gen --households 1000000`,
# with its key file beside it (CITY.db.key); it is not written: the copies
# go to $BENCH_DAILY_DIR (default /tmp/wanhu-daily-bench, about twice its
# size). See bench/README.md for the figures.
#
#   bench/daily.sh --incremental CITY.db [DAY=today]
#
# times the daily recolouring as the server runs it (only the households
# with a birthday since the day before, household.RecolourDaily) against
# the full one, with the working tree's wanhu: a copy is recoloured fully
# as on the day before DAY (outside the timings) and copied twice; then
# `wanhu household recolour --on DAY` (full) and `--on DAY --since DAY-1`
# (incremental) each run twice, alternating (full, incremental,
# incremental, full), and the two copies are compared as above.
#
#   bench/daily.sh --jobs CITY.db [BASE=main] [DAY=today]
#
# times the two other daily jobs, `wanhu proactive run --on DAY` (the
# proactive rules, 未诉先办) and `wanhu stats refresh` (the statistics
# snapshot), of BASE and of the working tree, each on its own copy:
# base, new, new, base for each job (the second run of the rules is the
# day's rerun, or the next day's run, with the tasks there already; the
# second refresh that of a snapshot taken before). Meanwhile another
# process writes to the copy every 0.1 s (sqlite3, one INSERT in a
# transaction of its own) and the script reports how long those writes
# waited: what the job's write transactions do to sign-ins and visits.
# Then it compares: the JSON each run of the rules printed (its tasks
# with their ids) between the builds, the tasks of the two copies, and
# the snapshot tables.
set -euo pipefail

# builds_and_copies builds $base (git archive) as $dir/wanhu-base and the
# working tree as $dir/wanhu-new, and copies $city to $dir/base.db and
# $dir/new.db, migrated by their builds.
builds_and_copies() {
	mkdir -p "$dir/src"
	command -v sqlite3 >/dev/null || { echo "sqlite3 is missing: apt-get install sqlite3" >&2; exit 1; }
	git archive "$base" | tar -x -C "$dir/src"
	(cd "$dir/src" && go build -o "$dir/wanhu-base" ./cmd/wanhu)
	go build -o "$dir/wanhu-new" ./cmd/wanhu
	for v in base new; do
		cp "$city" "$dir/$v.db"
		cp "$city.key" "$dir/$v.db.key"
		"$dir/wanhu-$v" visit policy --db "$dir/$v.db" >/dev/null # migrates, outside the timings
	done
}

if [ "${1:-}" = --jobs ]; then
	city=${2:?usage: bench/daily.sh --jobs CITY.db [BASE] [DAY]}
	base=${3:-main}
	day=${4:-$(TZ=Asia/Shanghai date +%F)}
	dir=${BENCH_DAILY_DIR:-/tmp/wanhu-daily-bench}
	builds_and_copies
	# probe DB LOG: from another process, a write transaction on DB every
	# 0.1 s, its milliseconds appended to LOG: how long a job's write
	# transactions make others' writes (sign-ins, visits) wait.
	probe() {
		sqlite3 "$1" "CREATE TABLE IF NOT EXISTS bench_probe(at TEXT)"
		: >"$2"
		while :; do
			local s e
			s=$(date +%s%N)
			sqlite3 -cmd ".timeout 600000" "$1" "INSERT INTO bench_probe VALUES ('probe')"
			e=$(date +%s%N)
			echo $(((e - s) / 1000000)) >>"$2"
			sleep 0.1
		done
	}
	tj() {
		local name=$1 out=$2 db=$3 pid
		shift 3
		probe "$db" "$dir/probe.log" &
		pid=$!
		/usr/bin/time -o "$dir/time.txt" -f "%e s wall, %U s user, %S s sys, max RSS %M KB" "$@" >"$out"
		kill "$pid"
		wait "$pid" 2>/dev/null || true
		echo "$name: $(cat "$dir/time.txt"); other writes: $(sort -n "$dir/probe.log" | awk '{a[NR]=$1} END {print NR " made, median " a[int((NR+1)/2)] " ms, longest " a[NR] " ms"}')"
	}
	echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	for run in "base 1" "new 1" "new 2" "base 2"; do
		set -- $run
		tj "$1 proactive run on $day ($2)" "$dir/proactive-$1-$2.json" "$dir/$1.db" "$dir/wanhu-$1" proactive run --db "$dir/$1.db" --on "$day" --format json
	done
	for run in "base 1" "new 1" "new 2" "base 2"; do
		set -- $run
		tj "$1 stats refresh ($2)" "$dir/stats-$1-$2.txt" "$dir/$1.db" "$dir/wanhu-$1" stats refresh --db "$dir/$1.db"
	done
	echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	for n in 1 2; do
		if cmp -s "$dir/proactive-base-$n.json" "$dir/proactive-new-$n.json"; then
			echo "proactive run $n: the two builds printed the same tasks, byte for byte"
		else
			echo "proactive run $n: the two builds' tasks DIFFER"
		fi
	done
	echo -n "tasks in one copy and not the other: "
	cols="id, rule, household_id, person_id, period, reason, due_on, state, created_on"
	sqlite3 "$dir/new.db" "ATTACH '$dir/base.db' AS o; SELECT ((SELECT COUNT(*) FROM (SELECT $cols FROM proactive_tasks EXCEPT SELECT $cols FROM o.proactive_tasks))
		+ (SELECT COUNT(*) FROM (SELECT $cols FROM o.proactive_tasks EXCEPT SELECT $cols FROM proactive_tasks))) || ' of ' || (SELECT COUNT(*) FROM proactive_tasks);"
	for t in ages places ethnicities households key_tags grids; do
		echo -n "stats_snapshot_$t rows in one copy and not the other: "
		sqlite3 "$dir/new.db" "ATTACH '$dir/base.db' AS o; SELECT ((SELECT COUNT(*) FROM (SELECT * FROM stats_snapshot_$t EXCEPT SELECT * FROM o.stats_snapshot_$t))
			+ (SELECT COUNT(*) FROM (SELECT * FROM o.stats_snapshot_$t EXCEPT SELECT * FROM stats_snapshot_$t))) || ' of ' || (SELECT COUNT(*) FROM stats_snapshot_$t);"
	done
	exit 0
fi

if [ "${1:-}" = --incremental ]; then
	city=${2:?usage: bench/daily.sh --incremental CITY.db [DAY]}
	day=${3:-$(TZ=Asia/Shanghai date +%F)}
	prev=$(date -d "$day -1 day" +%F)
	dir=${BENCH_DAILY_DIR:-/tmp/wanhu-daily-bench}
	mkdir -p "$dir"
	command -v sqlite3 >/dev/null || { echo "sqlite3 is missing: apt-get install sqlite3" >&2; exit 1; }
	go build -o "$dir/wanhu-new" ./cmd/wanhu
	cp "$city" "$dir/prev.db"
	cp "$city.key" "$dir/prev.db.key"
	"$dir/wanhu-new" household recolour --db "$dir/prev.db" --on "$prev" # migrates, and the colours of the day before
	for v in full incr; do
		cp "$dir/prev.db" "$dir/$v.db"
		cp "$dir/prev.db.key" "$dir/$v.db.key"
	done
	rm "$dir/prev.db" "$dir/prev.db.key"
	ti() {
		local name=$1
		shift
		/usr/bin/time -f "$name: %e s wall, %U s user, %S s sys, max RSS %M KB" "$@"
	}
	echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	ti "full recolour on $day" "$dir/wanhu-new" household recolour --db "$dir/full.db" --on "$day"
	ti "incremental recolour on $day since $prev" "$dir/wanhu-new" household recolour --db "$dir/incr.db" --on "$day" --since "$prev"
	ti "incremental recolour on $day since $prev (again)" "$dir/wanhu-new" household recolour --db "$dir/incr.db" --on "$day" --since "$prev"
	ti "full recolour on $day (again)" "$dir/wanhu-new" household recolour --db "$dir/full.db" --on "$day"
	echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo -n "households whose colour, reasons, householder or member count differ: "
	sqlite3 "$dir/incr.db" "ATTACH '$dir/full.db' AS o; SELECT COUNT(*) FROM households h JOIN o.households x ON x.id = h.id
		WHERE h.colour IS NOT x.colour OR h.colour_reasons IS NOT x.colour_reasons OR h.householder IS NOT x.householder
		OR h.member_count IS NOT x.member_count;"
	exit 0
fi

city=${1:?usage: bench/daily.sh CITY.db [BASE=main]}
base=${2:-main}
dir=${BENCH_DAILY_DIR:-/tmp/wanhu-daily-bench}
builds_and_copies
t() {
	local name=$1
	shift
	/usr/bin/time -f "$name: %e s wall, %U s user, %S s sys, max RSS %M KB" "$@" >/dev/null
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
t "base visit recompute" "$dir/wanhu-base" visit recompute --db "$dir/base.db"
t "new  visit recompute" "$dir/wanhu-new" visit recompute --db "$dir/new.db"
t "base household recolour" "$dir/wanhu-base" household recolour --db "$dir/base.db" --key-file "$dir/base.db.key"
t "new  household recolour" "$dir/wanhu-new" household recolour --db "$dir/new.db" --key-file "$dir/new.db.key"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo -n "households whose due date differs: "
sqlite3 "$dir/new.db" "ATTACH '$dir/base.db' AS o; SELECT COUNT(*) FROM households h JOIN o.households x ON x.id = h.id
	WHERE h.next_due_on IS NOT x.next_due_on;"
echo -n "households whose colour, reasons, householder or member count differ: "
sqlite3 "$dir/new.db" "ATTACH '$dir/base.db' AS o; SELECT COUNT(*) FROM households h JOIN o.households x ON x.id = h.id
	WHERE h.colour IS NOT x.colour OR h.colour_reasons IS NOT x.colour_reasons OR h.householder IS NOT x.householder
	OR h.member_count IS NOT x.member_count;"
