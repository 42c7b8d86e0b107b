#!/usr/bin/env bash
# Household import at city scale, against the floor for getting the same
# bytes into SQLite. Run from the repo root:
#
#   bench/import.sh [households=405000] [xlsx_households=40500]
#
# 1. `wanhu gen` makes a city (405,000 households ≈ 1,000,000 persons) and
#    `wanhu export households --format csv` writes it out: the file.
# 2. The target is the same city with its places, grids and team but no
#    households (what `wanhu init` and the structure workbook leave).
# 3. floor: the sqlite3 shell's `.import` of the CSV into a bare table, the
#    median of 3 runs.
# 4. ours: `wanhu import households FILE.csv` into a fresh copy of the
#    target, with full validation, encryption, colours and ledger, its time
#    and peak RSS (GNU time); then the same file imported again (every
#    household unchanged).
# 5. rows: the rows that import wrote (households, persons, their tags,
#    the ledger), dumped as INSERT statements and run by the sqlite3 shell
#    in one transaction into another fresh copy of the target: what the
#    same rows cost SQLite itself, with the same schema and indexes.
#    bare: the same rows again with no index at all and the foreign keys
#    off, never built: what writing those bytes alone costs. The sizes of
#    the three databases say how many more bytes than the floor's table an
#    import must write.
# 6. The xlsx path, on a smaller city (xlsx_households) since an .xlsx of a
#    million rows is not what anyone mails: export, import, re-import.
#
# Work files go to $BENCH_DIR (default /tmp/wanhu-bench-import) and stay
# there. See bench/README.md for the figures.
set -euo pipefail

households=${1:-405000}
xlsx_households=${2:-40500}
dir=${BENCH_DIR:-/tmp/wanhu-bench-import}

for tool in sqlite3:sqlite3 /usr/bin/time:time; do
	cmd=${tool%%:*} pkg=${tool##*:}
	if ! command -v "$cmd" >/dev/null; then
		if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
			echo "$cmd is missing: installing $pkg with apt-get" >&2
			apt-get install -y "$pkg" >/dev/null
		else
			echo "$cmd is missing: install it (apt-get install $pkg) and run again" >&2
			exit 1
		fi
	fi
done

mkdir -p "$dir"
rm -f "$dir"/*
wanhu=$dir/wanhu
go build -o "$wanhu" ./cmd/wanhu
echo "machine: $(nproc) cores, $(uname -sm), $(sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/sqlite3 /'), $(go version | cut -d' ' -f3)"

# seconds runs a command and prints its wall time in seconds.
seconds() {
	local start end
	start=$(date +%s.%N)
	"$@" >/dev/null
	end=$(date +%s.%N)
	echo "$end - $start" | bc
}

# median of the numbers on standard input.
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# city N NAME makes NAME.db (a city of N households), NAME.csv or .xlsx
# (its export) and NAME-empty.db (its places without households).
city() {
	local n=$1 name=$2 format=$3
	"$wanhu" gen -db "$dir/$name.db" -households "$n" >/dev/null 2>&1
	"$wanhu" export households -db "$dir/$name.db" -format "$format" -out "$dir/$name.$format" >/dev/null
	cp "$dir/$name.db" "$dir/$name-empty.db"
	cp "$dir/$name.db.key" "$dir/$name-empty.db.key"
	sqlite3 "$dir/$name-empty.db" "PRAGMA foreign_keys = OFF;
		DELETE FROM visit_visitors; DELETE FROM visit_photos; DELETE FROM visits; DELETE FROM survey_answers;
		DELETE FROM request_events; DELETE FROM requests; DELETE FROM plan_measures; DELETE FROM needs;
		DELETE FROM plan_items; DELETE FROM plans; DELETE FROM household_assignments; DELETE FROM appointments;
		DELETE FROM training_records; DELETE FROM person_tags; DELETE FROM household_tags; DELETE FROM ledger_events;
		DELETE FROM persons; DELETE FROM households; VACUUM;"
}

# import NAME FORMAT imports NAME's file into a fresh copy of its empty
# city, then again; prints "seconds peak-MB seconds-again".
import() {
	local name=$1 format=$2 db=$dir/$1-target.db out
	cp "$dir/$name-empty.db" "$db"
	rm -f "$db-wal" "$db-shm"
	out=$( { /usr/bin/time -f "%e %M" "$wanhu" import households "$dir/$name.$format" -db "$db" \
		-key-file "$dir/$name-empty.db.key" -format json -progress never >"$dir/$name-import.json"; } 2>&1 | tail -1)
	grep -q '"applied": *true' "$dir/$name-import.json" || { echo "import refused: see $dir/$name-import.json" >&2; exit 1; }
	again=$(seconds "$wanhu" import households "$dir/$name.$format" -db "$db" -key-file "$dir/$name-empty.db.key" -format json -progress never)
	echo "$out" | awk -v again="$again" '{printf "%s %.0f %s\n", $1, $2/1024, again}'
}

echo "making a city of $households households and its CSV…"
city "$households" city csv
echo "file: $(($(wc -l <"$dir/city.csv") - 1)) rows, $(du -m "$dir/city.csv" | cut -f1) MB"

floors=()
for i in 1 2 3; do
	rm -f "$dir/floor.db"
	floors+=("$(seconds sqlite3 "$dir/floor.db" ".mode csv" ".import $dir/city.csv t")")
done
floor=$(printf '%s\n' "${floors[@]}" | median)
read -r ours rss again < <(import city csv)
persons=$(grep -o '"persons": *[0-9]*' "$dir/city-import.json" | grep -o '[0-9]*$')

tables="households household_tags persons person_tags ledger_events"
for t in $tables; do
	sqlite3 "$dir/city-target.db" ".mode insert $t" "SELECT * FROM $t" >>"$dir/rows.sql"
done
cp "$dir/city-empty.db" "$dir/rows.db"
# The shell loads as wanhu does: the indexes SyncBatch does not read
# dropped and built at the end, a 64 MB page cache meanwhile.
indexes="type = 'index' AND sql IS NOT NULL AND tbl_name IN ('${tables// /\',\'}')
	AND name NOT IN ('persons_id_number_active', 'persons_household', 'households_place', 'households_grid_colour')"
sqlite3 "$dir/rows.db" "SELECT 'DROP INDEX ' || name || ';' FROM sqlite_master WHERE $indexes" >"$dir/drop.sql"
sqlite3 "$dir/rows.db" "SELECT sql || ';' FROM sqlite_master WHERE $indexes" >"$dir/create.sql"
rows=$(seconds sqlite3 "$dir/rows.db" "PRAGMA foreign_keys = ON" "PRAGMA cache_size = -65536" "BEGIN" ".read $dir/drop.sql" \
	".read $dir/rows.sql" "PRAGMA cache_size = -2000" ".read $dir/create.sql" "COMMIT")
cp "$dir/city-empty.db" "$dir/bare.db"
every="type = 'index' AND sql IS NOT NULL AND tbl_name IN ('${tables// /\',\'}')"
sqlite3 "$dir/bare.db" "SELECT 'DROP INDEX ' || name || ';' FROM sqlite_master WHERE $every" >"$dir/drop-all.sql"
bare=$(seconds sqlite3 "$dir/bare.db" "PRAGMA foreign_keys = OFF" "PRAGMA cache_size = -65536" "BEGIN" ".read $dir/drop-all.sql" \
	".read $dir/rows.sql" "COMMIT")
for t in $tables; do
	a=$(sqlite3 "$dir/city-target.db" "SELECT COUNT(*) FROM $t")
	for db in rows bare; do
		b=$(sqlite3 "$dir/$db.db" "SELECT COUNT(*) FROM $t")
		[ "$a" = "$b" ] || { echo "the shell loaded $b rows of $t into $db.db, want $a" >&2; exit 1; }
	done
done
mb() { du -m "$1" | cut -f1; }

echo "making a city of $xlsx_households households and its xlsx…"
city "$xlsx_households" small xlsx
xpersons=$(sqlite3 "$dir/small.db" "SELECT COUNT(*) FROM persons")
read -r xours xrss xagain < <(import small xlsx)

printf '\n%-44s %10s %10s %8s\n' "" "seconds" "peak MB" "× floor"
printf '%-44s %10.2f %10s %8s   %s MB\n' "sqlite3 .import (floor, median of 3)" "$floor" "" "1.00" "$(mb "$dir/floor.db")"
printf '%-44s %10.2f %10s %8.1f   %s MB\n' "wanhu import, CSV, empty city" "$ours" "$rss" "$(echo "$ours / $floor" | bc -l)" "$(mb "$dir/city-target.db")"
printf '%-44s %10.2f %10s %8.1f\n' "wanhu import, same CSV again (unchanged)" "$again" "" "$(echo "$again / $floor" | bc -l)"
printf '%-44s %10.2f %10s %8.1f\n' "sqlite3 shell, the rows wanhu wrote" "$rows" "" "$(echo "$rows / $floor" | bc -l)"
printf '%-44s %10.2f %10s %8.1f   %s MB\n' "sqlite3 shell, those rows, no index, no FK" "$bare" "" "$(echo "$bare / $floor" | bc -l)" "$(mb "$dir/bare.db")"
printf '%-44s %10.2f %10s %8s\n' "wanhu import, xlsx of $xpersons persons" "$xours" "$xrss" ""
printf '%-44s %10.2f %10s %8s\n' "wanhu import, same xlsx again" "$xagain" "" ""
echo "persons: CSV $persons, $(echo "$persons / $ours" | bc)/s; xlsx $xpersons, $(echo "$xpersons / $xours" | bc)/s"
echo "wanhu import / the shell writing the same rows: $(echo "$ours / $rows" | bc -l | cut -c1-4)×"
