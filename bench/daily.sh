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
set -euo pipefail

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
