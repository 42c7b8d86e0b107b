package household

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// SyncBatch applies each of ins as Sync does, in one transaction (or the
// caller's, store.WithTx), and returns each one's result or error: the
// FieldError or apperr.ErrNotFound Sync would return for it, or a database
// error. The last error is one that ends the batch.
//
// It is Sync for a file of a million rows. The households it matches are
// synced one by one, each in a savepoint. The households that are new are
// checked first, then written together: their places, grids and tags are
// looked up once per batch, their ID numbers against the database in a few
// queries, their colours computed in memory as refresh would, and their
// rows written with multi-row INSERTs under ids reserved for them
// (store.Tx.NextIDs). A new household that shares its place or an ID
// number with an earlier one of the batch is synced alone after them, so
// it meets the earlier one as Sync would.
func (s *Store) SyncBatch(ctx context.Context, actor Actor, ins []Incoming) ([]SyncResult, []error, error) {
	b := &batch{s: s, actor: actor, today: s.today(), now: s.now().UTC(), ins: ins,
		res: make([]SyncResult, len(ins)), errs: make([]error, len(ins))}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		b.tx = tx
		return b.run(store.WithTx(ctx, tx))
	})
	if err != nil {
		return nil, nil, err
	}
	return b.res, b.errs, nil
}

// run applies the batch.
func (b *batch) run(ctx context.Context) error {
	if err := b.load(ctx); err != nil {
		return err
	}
	matched, err := b.match(ctx)
	if err != nil {
		return err
	}
	ins, errs := b.ins, b.errs
	var ids []int64
	for _, id := range matched {
		if id != 0 {
			ids = append(ids, id)
		}
	}
	if b.cores, err = householdCores(ctx, b.tx, ids, b.today); err != nil {
		return err
	}
	var fresh, later []int // new households, written together, then alone
	places, numbers := map[string]bool{}, map[string]bool{}
	synced := false
	for i := range ins {
		switch {
		case errs[i] != nil:
		case matched[i] != 0:
			if err := b.alone(ctx, i, matched[i]); err != nil {
				return err
			}
			synced = true
		case b.shares(i, places, numbers):
			later = append(later, i)
		default:
			fresh = append(fresh, i)
		}
	}
	if synced && len(fresh) > 0 {
		// The households synced alone may have taken ID numbers since.
		if err := b.loadActive(ctx); err != nil {
			return err
		}
	}
	if err := b.create(ctx, fresh); err != nil {
		return err
	}
	for _, i := range later {
		if err := b.alone(ctx, i, 0); err != nil {
			return err
		}
	}
	return nil
}

// batch is one SyncBatch under way.
type batch struct {
	s     *Store
	tx    *store.Tx
	actor Actor
	today calendar.Date
	now   time.Time
	ins   []Incoming
	res   []SyncResult
	errs  []error

	rules  []Rule
	tags   map[string]Tag
	hashes [][]string           // of each incoming member's ID number ("" for none)
	active map[string]int64     // the households of the batch's ID numbers, current members in the database
	grids  map[int64]error      // whether new households may be placed in a grid
	seen   map[int64]placeOf    // buildings looked up, and grids under their id negated
	cores  map[int64]*Household // the matched households as read before any was synced
}

// placeOf is a building or grid looked up for place.
type placeOf struct {
	unit     org.Unit
	building org.Building
	compound string
	err      error
}

// load reads the colour rules, the tags and which of the batch's ID numbers
// are current members' already.
func (b *batch) load(ctx context.Context) error {
	var err error
	if b.rules, err = b.s.rules(ctx, b.tx); err != nil {
		return err
	}
	if b.tags, err = knownTags(ctx, b.tx); err != nil {
		return err
	}
	b.grids, b.seen = map[int64]error{}, map[int64]placeOf{}
	keys := store.KeysOf(b.tx)
	b.hashes = make([][]string, len(b.ins))
	for i := range b.ins {
		for _, p := range b.ins[i].Members {
			h := ""
			if n := canonicalID(p.IDNumber, b.today); n != "" {
				h = IDNumberHash(keys, n)
			}
			b.hashes[i] = append(b.hashes[i], h)
		}
	}
	return b.loadActive(ctx)
}

// loadActive finds which of the batch's ID numbers are current members'
// in the database, and of which household.
func (b *batch) loadActive(ctx context.Context) error {
	var all []string
	for _, hs := range b.hashes {
		for _, h := range hs {
			if h != "" {
				all = append(all, h)
			}
		}
	}
	b.active = map[string]int64{}
	for part := range slices.Chunk(all, 500) {
		in, args := inList(part)
		rows, err := b.tx.QueryContext(ctx, `SELECT id_number_hash, household_id FROM persons WHERE active AND id_number_hash IN `+in, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var h string
			var id int64
			if err := rows.Scan(&h, &id); err != nil {
				rows.Close()
				return err
			}
			b.active[h] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// match returns the household each incoming one is, as Sync's match does:
// where its householder's ID number is a current member, else at its
// place; 0 for a new one. An error is recorded in b.errs.
func (b *batch) match(ctx context.Context) ([]int64, error) {
	matched := make([]int64, len(b.ins))
	var byNumber []int64
	for i, in := range b.ins {
		if k := in.Householder; k >= 0 && k < len(in.Members) && in.Members[k].IDNumber != "" {
			if id := b.active[b.hashes[i][k]]; id != 0 {
				matched[i] = id
				byNumber = append(byNumber, id)
			}
		}
	}
	visible, err := b.visible(ctx, byNumber)
	if err != nil {
		return nil, err
	}
	for i, in := range b.ins {
		if id := matched[i]; id != 0 && !visible[id] {
			matched[i] = 0
			audit.Note(ctx, "id_number.registered_elsewhere", fmt.Sprintf("household:%d", id), audit.Denied,
				"an imported householder's ID number belongs to a member of a household outside the importer's scope")
			b.errs[i] = apperr.Field(fmt.Sprintf("members[%d].id_number", in.Householder), "id_registered",
				"this ID number is already registered in another household; ask the community administrator")
		}
	}
	at, err := b.atPlaces(ctx, matched)
	if err != nil {
		return nil, err
	}
	for i := range b.ins {
		if matched[i] == 0 && b.errs[i] == nil {
			h := &b.ins[i].Household
			matched[i], b.errs[i] = pickAt(h, at[placeKey(h)])
		}
	}
	return matched, nil
}

// visible returns which of the households ids are in the store's scope.
func (b *batch) visible(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	cond, args := Where(b.s.scope)
	if cond != "" {
		cond = " AND " + cond
	}
	for part := range slices.Chunk(ids, 500) {
		in, ids := inList(part)
		rows, err := b.tx.QueryContext(ctx, `SELECT h.id FROM households h WHERE h.id IN `+in+cond, append(ids, args...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// placeKey is where h is, as householdAt looks for it.
func placeKey(h *Household) string {
	if h.BuildingID != 0 {
		return fmt.Sprintf("b%d\x00%s\x00%s", h.BuildingID, strings.TrimSpace(h.Unit), strings.TrimSpace(h.Room))
	}
	return fmt.Sprintf("g%d\x00%s", h.GridID, strings.TrimSpace(h.Address))
}

// atPlaces returns the households in scope at the places of the incoming
// households not matched yet, by placeKey, in id order.
func (b *batch) atPlaces(ctx context.Context, matched []int64) (map[string][]placed, error) {
	var buildings, grids []int64
	var addresses []string
	for i := range b.ins {
		if matched[i] != 0 || b.errs[i] != nil {
			continue
		}
		if h := &b.ins[i].Household; h.BuildingID != 0 {
			buildings = append(buildings, h.BuildingID)
		} else {
			grids, addresses = append(grids, h.GridID), append(addresses, strings.TrimSpace(h.Address))
		}
	}
	slices.Sort(buildings)
	buildings = slices.Compact(buildings)
	cond, args := Where(b.s.scope)
	if cond != "" {
		cond = " AND " + cond
	}
	at := map[string][]placed{}
	query := func(where string, params []any) error {
		rows, err := b.tx.QueryContext(ctx, `SELECT h.id, h.kind, COALESCE(h.building_id, 0), h.grid_id, h.unit, h.room, h.address
			FROM households h WHERE `+where+cond+` ORDER BY h.id`, append(params, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p placed
			var h Household
			if err := rows.Scan(&p.id, &p.kind, &h.BuildingID, &h.GridID, &h.Unit, &h.Room, &h.Address); err != nil {
				return err
			}
			k := placeKey(&h)
			at[k] = append(at[k], p)
		}
		return rows.Err()
	}
	for part := range slices.Chunk(buildings, 500) {
		in, ids := inList(part)
		if err := query(`h.building_id IN `+in, ids); err != nil {
			return nil, err
		}
	}
	for i := 0; i < len(grids); i += 250 {
		j := min(i+250, len(grids))
		in := strings.Repeat(", ?", j-i-1)
		if err := query(`h.building_id IS NULL AND h.grid_id IN (?`+in+`) AND h.address IN (?`+in+`)`,
			append(anys(grids[i:j]), anys(addresses[i:j])...)); err != nil {
			return nil, err
		}
	}
	return at, nil
}

// shares reports whether new household i has the place or an ID number
// of an earlier new one of the batch, and records its own.
func (b *batch) shares(i int, places, numbers map[string]bool) bool {
	k := placeKey(&b.ins[i].Household)
	shared := places[k]
	places[k] = true
	for _, h := range b.hashes[i] {
		if h != "" {
			shared = shared || numbers[h]
			numbers[h] = true
		}
	}
	return shared
}

// alone syncs incoming household i in a savepoint, as household id when
// it is not 0 (matched already), else as Sync would.
func (b *batch) alone(ctx context.Context, i int, id int64) error {
	if _, err := b.tx.ExecContext(ctx, `SAVEPOINT sync_household`); err != nil {
		return err
	}
	in := &b.ins[i]
	var err error
	if id != 0 {
		b.res[i].HouseholdID = id
		old, read := b.cores[id]
		if !read { // read already and synced since: read it again
			old, err = householdCore(ctx, b.tx, id, b.today)
		}
		delete(b.cores, id)
		if err == nil {
			err = b.s.syncOld(ctx, b.tx, b.actor, in, &b.res[i], old, func(h *Household) error { return b.place(ctx, h) })
		}
	} else {
		b.res[i], err = b.s.Sync(ctx, b.actor, *in)
	}
	if err != nil {
		b.res[i], b.errs[i] = SyncResult{}, err
		if _, rerr := b.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT sync_household`); rerr != nil {
			return rerr
		}
	}
	_, rerr := b.tx.ExecContext(ctx, `RELEASE SAVEPOINT sync_household`)
	return rerr
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// deferTables are the tables a sync writes; deferKeep the indexes of
// theirs that SyncBatch reads.
var (
	deferTables = []string{"households", "persons", "person_tags", "household_tags", "ledger_events"}
	deferKeep   = []string{"persons_id_number_active", "persons_household", "households_place", "households_grid_colour"}
)

// DeferIndexes readies a database that holds no households for a first
// load through SyncBatch in tx: on SQLite it drops the indexes of the
// household tables that SyncBatch does not read (store.DropIndexes) and
// returns the function that builds them again, to call before tx commits;
// a rollback puts them back by itself. With households stored already, or
// on PostgreSQL, it does nothing.
func DeferIndexes(ctx context.Context, tx *store.Tx) (rebuild func() error, err error) {
	none := func() error { return nil }
	if tx.Dialect() != store.SQLite {
		return none, nil
	}
	var stored int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM households LIMIT 1) x`).Scan(&stored); err != nil || stored > 0 {
		return none, err
	}
	creates, err := store.DropIndexes(ctx, tx, deferTables, deferKeep...)
	if err != nil {
		return nil, err
	}
	return func() error { return store.CreateIndexes(ctx, tx, creates) }, nil
}
