package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/secret"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// The kill test runs the test binary as the real CLI: with
// WANHU_TEST_MAIN=1 it is wanhu, its arguments the command's.
func init() {
	if os.Getenv("WANHU_TEST_MAIN") != "1" {
		return
	}
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "wanhu:", err)
		os.Exit(2)
	}
	os.Exit(0)
}

// importDB makes a database with the org fixture, one household and a
// key file, and returns its DSN and key file: a SQLite file, or a PostgreSQL schema.
func importDB(t *testing.T, engine string) (dsn, keyFile string) { return newImportDB(t, engine, true) }

// neighbour adds a second community to the street of the database dsn,
// so that the city's statistics are read from the snapshot.
func neighbour(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	streets, err := org.Units(ctx, db, org.Street)
	if err != nil || len(streets) != 1 {
		t.Fatalf("streets %v %v", streets, err)
	}
	if _, err := testworld.Neighbour(ctx, db, streets[0].ID); err != nil {
		t.Fatal(err)
	}
}

// newImportDB is importDB, with no household unless withHousehold.
func newImportDB(t *testing.T, engine string, withHousehold bool) (dsn, keyFile string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	dsn, keyFile = filepath.Join(dir, "w.db"), filepath.Join(dir, "w.key")
	if engine == "postgres" {
		dsn = storetest.PostgresDSN(t)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	keys, err := secret.NewKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	db.SetKeys(keys)
	f, err := testworld.NewOrg(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if !withHousehold {
		return dsn, keyFile
	}
	if _, err := household.NewStore(db).CreateHousehold(ctx, household.Actor{Name: "test"}, household.Household{BuildingID: f.Buildings[0].ID, Unit: "9", Room: "901"},
		[]household.Person{{Name: "王秀兰", Gender: household.Female, BirthDate: mustDate(t, "1945-02-03"), Relation: "householder"}}); err != nil {
		t.Fatal(err)
	}
	return dsn, keyFile
}

// peopleCSV writes a CSV of n one-person households in the fixture's
// buildings, every ID number valid and different.
func peopleCSV(t *testing.T, n int, bad bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "居民.csv")
	var b bytes.Buffer
	b.WriteString("户号,姓名,与户主关系,小区,楼栋,单元,房号,身份证号,联系电话\n")
	start := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		first := "630105" + start.AddDate(0, 0, i%20000).Format("20060102") + fmt.Sprintf("%03d", i/20000+1)
		id := first + string(household.IDCheckChar(first))
		if bad && i == n-1 {
			id = id[:17] + "Z"
		}
		fmt.Fprintf(&b, "%d,居民%d,户主,一化小区,%d号楼,%d,%d,%s,139%08d\n", i+1, i, i%2+1, i%6+1, 100+i, id, i)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestImportCLI: the JSON report of the contract, exit 0 when applied and
// non-zero when refused (with the report printed all the same).
func TestImportCLI(t *testing.T) {
	dsn, keyFile := importDB(t, "sqlite")
	ctx := context.Background()
	neighbour(t, dsn)
	var out bytes.Buffer
	err := run(ctx, []string{"import", "households", peopleCSV(t, 3, true), "--db", dsn, "--key-file", keyFile, "--format", "json", "--community", "东兴社区"}, &out)
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("a file with an error: %v", err)
	}
	var rep map[string]any
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	for _, k := range []string{"households", "persons", "created", "updated", "unchanged", "errors"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("the report lacks %q: %s", k, out.String())
		}
	}
	errs := rep["errors"].([]any)
	if len(errs) != 1 || rep["households"] != 3.0 || rep["applied"] != false {
		t.Fatalf("report %s", out.String())
	}
	e := errs[0].(map[string]any)
	for _, k := range []string{"sheet", "row", "column", "value", "code", "message"} {
		if _, ok := e[k]; !ok {
			t.Errorf("an error lacks %q: %v", k, e)
		}
	}
	if e["row"] != 4.0 || e["column"] != "身份证号" || e["code"] != "id_format" || strings.Contains(out.String(), "6301051940") {
		t.Errorf("error %v (no full number may be shown)", e)
	}
	out.Reset()
	report := filepath.Join(t.TempDir(), "report.xlsx")
	if err := run(ctx, []string{"import", "households", peopleCSV(t, 3, false), "--db", dsn, "--key-file", keyFile, "--format", "text", "--report", report, "--community", "东兴社区"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "3 created") || !strings.Contains(out.String(), "Applied.") {
		t.Fatalf("text report: %s", out.String())
	}
	if _, err := os.Stat(report); err != nil {
		t.Errorf("--report: %v", err)
	}
	// The import took the statistics snapshot: the city's counts, summed
	// from it, hold the three households imported.
	out.Reset()
	if err := run(ctx, []string{"stats", "households", "--db", dsn, "--format", "json"}, &out); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); strings.Contains(s, `"as_of":null`) || !strings.Contains(s, `"total":4,`) {
		t.Errorf("the city's households after the import: %s, want 4 (the 3 imported and the one before) from the snapshot", s)
	}
}

// TestExportCLI: export, import: nothing changes; the export is in the
// audit log with its counts.
func TestExportCLI(t *testing.T) {
	dsn, keyFile := importDB(t, "sqlite")
	ctx := context.Background()
	for _, format := range []string{"xlsx", "csv"} {
		file := filepath.Join(t.TempDir(), "住户."+format)
		var out bytes.Buffer
		if err := run(ctx, []string{"export", "households", "--db", dsn, "--key-file", keyFile, "--format", format, "--out", file}, &out); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		if err := run(ctx, []string{"import", "households", file, "--db", dsn, "--key-file", keyFile, "--community", "东兴社区"}, &out); err != nil {
			t.Fatal(err)
		}
		var rep struct{ Households, Unchanged int }
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Households != 1 || rep.Unchanged != 1 {
			t.Fatalf("%s: export, import: %s (%v)", format, out.String(), err)
		}
	}
	db := openSeededKey(t, dsn, keyFile)
	defer db.Close()
	var detail string
	if err := db.QueryRowContext(ctx, `SELECT detail FROM audit_log WHERE action = 'export.households' ORDER BY id LIMIT 1`).Scan(&detail); err != nil ||
		!strings.Contains(detail, "1 households, 1 persons") {
		t.Fatalf("the export's audit entry: %q, %v", detail, err)
	}
}

func openSeededKey(t *testing.T, dsn, keyFile string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := secret.Load(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	db.SetKeys(keys)
	return db
}

// checksum sums what an import may change: the households, persons,
// ledger, places and audit log, with their row counts.
func checksum(t *testing.T, dsn, keyFile string) string {
	t.Helper()
	db := openSeededKey(t, dsn, keyFile)
	defer db.Close()
	h := sha256.New()
	for _, q := range []string{
		`SELECT id, address, member_count, colour, version, phone_hash FROM households ORDER BY id`,
		`SELECT id, household_id, name, birth_date, active, version, id_number_hash FROM persons ORDER BY id`,
		`SELECT id, household_id, type, field, before, after FROM ledger_events ORDER BY id`,
		`SELECT id, name FROM compounds ORDER BY id`,
		`SELECT id, name, grid_id FROM buildings ORDER BY id`,
		`SELECT id, action FROM audit_log ORDER BY id`,
		`SELECT community_id, header FROM import_mappings ORDER BY community_id, header`,
	} {
		rows, err := db.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		n := 0
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%v\n", vals)
			n++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		fmt.Fprintf(h, "%s: %d rows\n", q, n)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// schema lists the tables and indexes of the database with their
// definitions.
func schema(t *testing.T, dsn, keyFile string) string {
	t.Helper()
	db := openSeededKey(t, dsn, keyFile)
	defer db.Close()
	q := `SELECT name || ': ' || COALESCE(sql, '') FROM sqlite_master ORDER BY name`
	if db.Dialect() == store.Postgres {
		q = `SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`
	}
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 50 {
		t.Fatalf("%d tables and indexes: %v", len(out), out)
	}
	return strings.Join(out, "\n")
}

// TestImportKilled kills the real CLI (kill -9) in the middle of an
// import, on both engines: the database is exactly as before it. The
// import then runs to its end.
func TestImportKilled(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dsn, keyFile := newImportDB(t, engine, false)
			file := peopleCSV(t, 6000, false)
			before, tables := checksum(t, dsn, keyFile), schema(t, dsn, keyFile)
			cmd := exec.Command(os.Args[0], "import", "households", file, "--db", dsn, "--key-file", keyFile, "--progress", "always")
			cmd.Env = append(os.Environ(), "WANHU_TEST_MAIN=1")
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Kill it once it has imported some rows: at its first progress.
			r := bufio.NewReader(stderr)
			seen := ""
			for !strings.Contains(seen, "rows") {
				b, err := r.ReadByte()
				if err != nil {
					t.Fatalf("the import ended before it was killed: %s %s", seen, stdout.String())
				}
				seen += string(b)
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			if err == nil || !strings.Contains(err.Error(), "killed") || stdout.Len() != 0 {
				t.Fatalf("the import was not killed mid-way: %v, %s", err, stdout.String())
			}
			if after := checksum(t, dsn, keyFile); after != before {
				t.Fatalf("killed mid-way, the import left the database changed (progress %q)", seen)
			}
			// A first import builds some indexes at its end
			// (household.DeferIndexes): killed, it leaves them all.
			if schema(t, dsn, keyFile) != tables {
				t.Fatalf("killed mid-way, the import left the schema changed")
			}
			var out bytes.Buffer
			if err := run(context.Background(), []string{"import", "households", file, "--db", dsn, "--key-file", keyFile}, &out); err != nil {
				t.Fatal(err)
			}
			var rep struct{ Created int }
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Created != 6000 || checksum(t, dsn, keyFile) == before {
				t.Fatalf("the import after the kill: %s", out.String())
			}
			if got := schema(t, dsn, keyFile); got != tables {
				t.Fatalf("after the import the schema is\n%s\nwant\n%s", got, tables)
			}
		})
	}
}
