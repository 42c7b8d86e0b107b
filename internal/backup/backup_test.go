package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"wanhu/internal/audit"
	"wanhu/internal/household"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

var clerk = household.Actor{Name: "测试员"}

// community is a test community: its households are made through the
// household store, with sealed ID numbers and phones.
type community struct {
	db *store.DB
	hs *household.Store
	f  *testworld.Org
	n  atomic.Int64 // households made, for unique ID numbers and rooms
}

func newCommunity(t *testing.T, db *store.DB) *community {
	t.Helper()
	f, err := testworld.NewOrg(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return &community{db: db, hs: household.NewStore(db), f: f}
}

// idNumber returns a valid ID number of someone born n days after
// 1950-01-01, the seq'th of that day in district 630102.
func idNumber(n int64, seq int) string {
	birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n))
	s := "630102" + birth.Format("20060102") + fmt.Sprintf("%03d", seq)
	return s + string(household.IDCheckChar(s))
}

// add makes a household of two members (a householder and a spouse, both
// with ID numbers and phones) and returns its id.
func (c *community) add(ctx context.Context) (int64, error) {
	n := c.n.Add(1)
	h, err := c.hs.CreateHousehold(ctx, clerk, household.Household{BuildingID: c.f.Buildings[n%2].ID, Unit: "1",
		Room: fmt.Sprint(1000 + n), Phone: fmt.Sprintf("139%08d", n)},
		[]household.Person{
			{Name: "户主" + fmt.Sprint(n), IDNumber: idNumber(n, 11), Relation: "householder", Phone: fmt.Sprintf("138%08d", n)},
			{Name: "配偶" + fmt.Sprint(n), IDNumber: idNumber(n, 22), Relation: "spouse"},
		})
	if err != nil {
		return 0, err
	}
	return h.ID, nil
}

func (c *community) addN(t *testing.T, n int) {
	t.Helper()
	for range n {
		if _, err := c.add(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// keyAuditLog writes one entry, so the audit log is keyed before a backup
// and a restore's own entry only appends to it.
func keyAuditLog(t *testing.T, db *store.DB) {
	t.Helper()
	if err := audit.New(db).Record(context.Background(), audit.Entry{Username: "test", Action: "test", Object: "x", Result: audit.OK}); err != nil {
		t.Fatal(err)
	}
}

// rowSet is a table's rows as a multiset of hashes of their values.
type rowSet map[string]int

// rows reads every table Wanhu made in db as row sets, leaving out the
// audit entries of restores (a restore notes itself in the log).
func rows(t *testing.T, db *store.DB) map[string]rowSet {
	t.Helper()
	ctx := context.Background()
	tables, err := db.WanhuTables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]rowSet{}
	for _, tb := range tables {
		q := `SELECT * FROM ` + tb
		if tb == "audit_log" {
			q += ` WHERE action <> 'backup.restore'`
		}
		rs, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rs.Columns()
		set := rowSet{}
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			h := sha256.New()
			for i, v := range vals {
				if tm, ok := v.(time.Time); ok {
					v = tm.UTC().Format(time.RFC3339Nano)
				}
				fmt.Fprintf(h, "%s=%T:%v\x00", cols[i], v, v)
			}
			set[hex.EncodeToString(h.Sum(nil))]++
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		rs.Close()
		out[tb] = set
	}
	return out
}

// checksum is a table's checksum: the hash of its sorted row hashes.
func (s rowSet) checksum() string {
	keys := make([]string, 0, len(s))
	for k, n := range s {
		for range n {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func (s rowSet) count() int {
	n := 0
	for _, c := range s {
		n += c
	}
	return n
}

// missing returns a row that sub holds more often than s, if any.
func (s rowSet) missing(sub rowSet) (string, bool) {
	for k, n := range sub {
		if s[k] < n {
			return k, true
		}
	}
	return "", false
}

// newTarget returns a new, empty database to restore into, of db's engine.
func newTarget(t *testing.T, db *store.DB) string {
	t.Helper()
	if db.Dialect() == store.Postgres {
		return storetest.PostgresDSN(t)
	}
	return filepath.Join(t.TempDir(), "restored.db")
}

// openRestored opens the restored database dsn with db's keys.
func openRestored(t *testing.T, db *store.DB, dsn string) *store.DB {
	t.Helper()
	r, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	r.SetKeys(db.Keys())
	return r
}

// TestBackupWhileWriting backs up a community while three writers keep
// adding households through the household store, restores the backup
// into a new database, and compares table by table: the restored rows are
// rows of the source, each as it is there (so nothing was changed on the
// way); every row the source held before the backup began is restored
// (nothing lost); and each restored household has exactly its members and
// its ledger entry (one moment: a backup that read the tables at different
// moments would hold members without their household or the reverse).
func TestBackupWhileWriting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := newCommunity(t, db)
		c.addN(t, 20)
		keyAuditLog(t, db)

		stop := make(chan struct{})
		started := make(chan struct{}, 3)
		var wg sync.WaitGroup
		var writeErr atomic.Value
		for range 3 {
			wg.Go(func() {
				first := true
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := c.add(ctx); err != nil {
						writeErr.Store(err)
						return
					}
					if first {
						started <- struct{}{}
						first = false
					}
				}
			})
		}
		for range 3 {
			<-started
		}
		before := rows(t, db)
		path := filepath.Join(t.TempDir(), "b.zip")
		made, err := Make(ctx, db, path)
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		if err, _ := writeErr.Load().(error); err != nil {
			t.Fatal(err)
		}
		after := rows(t, db)
		if after["households"].count() <= before["households"].count() {
			t.Fatalf("the writers wrote nothing during the backup: %d households before, %d after",
				before["households"].count(), after["households"].count())
		}

		dsn := newTarget(t, db)
		res, err := Restore(ctx, dsn, path, RestoreOptions{Keys: db.Keys(), By: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Manifest.Engine != db.Dialect() || res.Manifest.Rows("households") != made.Manifest.Rows("households") {
			t.Errorf("restored manifest %+v, want the one made", res.Manifest.Tables)
		}
		r := openRestored(t, db, dsn)
		got := rows(t, r)
		for tb, set := range got {
			if row, ok := after[tb].missing(set); ok {
				t.Errorf("%s: restored row %s is not in the source", tb, row[:12])
			}
			if row, ok := set.missing(before[tb]); ok {
				t.Errorf("%s: row %s was in the source before the backup and is not restored", tb, row[:12])
			}
			if n := made.Manifest.Rows(tb); int64(set.count()) != n && tb != "audit_log" {
				t.Errorf("%s: %d rows restored, the manifest says %d", tb, set.count(), n)
			}
			if before[tb].checksum() == after[tb].checksum() && set.checksum() != before[tb].checksum() {
				t.Errorf("%s: checksum %s, want %s (no writer touched it)", tb, set.checksum(), before[tb].checksum())
			}
		}
		if len(got) != len(after) {
			t.Errorf("%d tables restored, the source has %d", len(got), len(after))
		}
		t.Logf("%d households before the backup, %d in it, %d after", before["households"].count(),
			got["households"].count(), after["households"].count())
		checkWhole(t, r)
		// The sealed values open with the key file: a household reads as
		// in the source.
		hs := household.NewStore(r)
		var last int64
		if err := r.QueryRowContext(ctx, `SELECT MAX(id) FROM households`).Scan(&last); err != nil {
			t.Fatal(err)
		}
		want, err := c.hs.HouseholdByID(ctx, last)
		if err != nil {
			t.Fatal(err)
		}
		h, err := hs.HouseholdByID(ctx, last)
		if err != nil {
			t.Fatal(err)
		}
		if h.Address != want.Address || len(h.Members) != 2 || h.Members[0].Name != want.Members[0].Name {
			t.Errorf("restored household %d: %q with %d members, want %q", last, h.Address, len(h.Members), want.Address)
		}
	})
}

// checkWhole checks that each household of db has its two members, its
// member count and its ledger entry, and that no member or entry is
// without its household.
func checkWhole(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	for name, q := range map[string]string{
		"households whose member count is not their members": `SELECT COUNT(*) FROM households h
			WHERE h.member_count <> (SELECT COUNT(*) FROM persons p WHERE p.household_id = h.id) OR h.member_count <> 2`,
		"households without their creation in the ledger": `SELECT COUNT(*) FROM households h
			WHERE NOT EXISTS (SELECT 1 FROM ledger_events e WHERE e.household_id = h.id AND e.type = 'household_created')`,
		"members without their household": `SELECT COUNT(*) FROM persons p WHERE NOT EXISTS (SELECT 1 FROM households h WHERE h.id = p.household_id)`,
		"ledger entries without their household": `SELECT COUNT(*) FROM ledger_events e
			WHERE NOT EXISTS (SELECT 1 FROM households h WHERE h.id = e.household_id)`,
	} {
		var n int
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d %s", n, name)
		}
	}
}

// TestBackupIsOneSnapshot: on PostgreSQL, a household written while the
// backup is between two tables is in none of them, and the sequences
// are restored (the next household gets a new id).
func TestBackupIsOneSnapshot(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	c := newCommunity(t, db)
	c.addN(t, 5)
	// A sequence set without being used yet (as wanhu gen leaves it).
	if _, err := db.ExecContext(ctx, `SELECT setval('compounds_id_seq', 500, false)`); err != nil {
		t.Fatal(err)
	}
	var between int64
	afterTable = func(table string) {
		if table == "households" && between == 0 {
			var err error
			if between, err = c.add(ctx); err != nil {
				t.Error(err)
			}
		}
	}
	defer func() { afterTable = nil }()
	path := filepath.Join(t.TempDir(), "b.zip")
	made, err := Make(ctx, db, path)
	if err != nil {
		t.Fatal(err)
	}
	if between == 0 {
		t.Fatal("the hook wrote no household")
	}
	for tb, want := range map[string]int64{"households": 5, "persons": 10} {
		if n := made.Manifest.Rows(tb); n != want {
			t.Errorf("%s: %d rows in the backup, want %d (the household written during it is not of its moment)", tb, n, want)
		}
	}
	dsn := newTarget(t, db)
	if _, err := Restore(ctx, dsn, path, RestoreOptions{Keys: db.Keys()}); err != nil {
		t.Fatal(err)
	}
	r := openRestored(t, db, dsn)
	checkWhole(t, r)
	rc := &community{db: r, hs: household.NewStore(r), f: c.f}
	rc.n.Store(100)
	id, err := rc.add(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id <= between {
		t.Errorf("a household made after the restore got id %d, not above %d (the sequence was not restored)", id, between)
	}
	var compound int64
	if err := r.QueryRowContext(ctx, `INSERT INTO compounds(community_id, name) VALUES (?, '二化小区') RETURNING id`, c.f.Community.ID).Scan(&compound); err != nil || compound != 500 {
		t.Errorf("a compound made after the restore has id %d (%v), want 500, as setval(…, false) left the sequence", compound, err)
	}
}
