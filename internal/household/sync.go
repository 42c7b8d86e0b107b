package household

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// Incoming is one household as a file gives it (internal/importer): its
// place and fields, its members, and which fields the file has at all. A
// field the file does not have keeps what is stored; one it has, even
// empty, is what the file says, except an ID number, which an empty cell
// never removes.
type Incoming struct {
	Household Household
	Members   []Person
	// Fields names the household fields the file gives: "building_id"
	// (with unit and room), "grid_id" and "address" (a household outside
	// a compound), and the names of householdFields, "unit", "room" and
	// "tags".
	Fields map[string]bool
	// MemberFields names the person fields the file gives: the names of
	// personFields, "tags" (every tag that is not derived) and
	// "tag:<code>" (that one tag, set when Person.Tags holds it).
	MemberFields map[string]bool
	// Householder is the index of the householder in Members, or -1.
	Householder int
}

// What Sync did with a household.
const (
	SyncCreated   = "created"
	SyncUpdated   = "updated"
	SyncUnchanged = "unchanged"
)

// SyncResult says what Sync did with one household.
type SyncResult struct {
	HouseholdID int64
	Outcome     string
	// Gone are the current members the file no longer lists, masked for
	// the reader: offered as moved out (RecordEvent with EvMovedOut), never
	// changed by Sync.
	Gone []Person
}

// Sync makes the household file that in describes hold what it says, in
// the store's scope. The household is the one where the householder's ID
// number is a current member, else the one at the same place (building,
// unit and room, or grid and address); a new one otherwise. Its members
// are matched by ID number, else by name; changed fields are saved with
// their ledger events (typed where they mean something), members who
// appear are EvMovedIn (EvMemberAdded in a new household), and the colour
// is recomputed, all as the store's edits do. Errors are FieldErrors on
// the household's fields or on "members[i].<field>"; out of scope, a
// householder's number registered elsewhere says only that.
//
// Sync runs in one transaction, or in the caller's (store.WithTx), so an
// import can apply a whole file at once.
func (s *Store) Sync(ctx context.Context, actor Actor, in Incoming) (SyncResult, error) {
	var res SyncResult
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		id, err := s.match(ctx, tx, &in)
		if err != nil {
			return err
		}
		if id == 0 {
			res.Outcome = SyncCreated
			return s.syncNew(ctx, tx, actor, &in, &res)
		}
		res.HouseholdID = id
		old, err := householdCore(ctx, tx, id, s.today())
		if err != nil {
			return err
		}
		return s.syncOld(ctx, tx, actor, &in, &res, old, func(h *Household) error { return place(ctx, tx, h) })
	})
	return res, err
}

// syncNew inserts the household of in.
func (s *Store) syncNew(ctx context.Context, q store.Querier, actor Actor, in *Incoming, res *SyncResult) error {
	h := in.Household
	h.ID, h.Members = 0, nil
	if err := normalizeHousehold(&h); err != nil {
		return err
	}
	members := slices.Clone(in.Members)
	for i := range members {
		if err := normalizePerson(&members[i], s.today()); err != nil {
			return apperr.InField(err, fmt.Sprintf("members[%d].%s", i, fieldOf(err)))
		}
	}
	if err := s.insertHousehold(ctx, q, actor, &h, members); err != nil {
		return err
	}
	res.HouseholdID = h.ID
	return nil
}

// syncOld brings household res.HouseholdID, whose core is old
// (householdCore), in line with in; place is the store's place.
func (s *Store) syncOld(ctx context.Context, q store.Querier, actor Actor, in *Incoming, res *SyncResult, old *Household,
	place func(*Household) error) error {
	res.Outcome = SyncUnchanged
	h := overlayHousehold(*old, in.Household, in.Fields)
	if err := normalizeHousehold(&h); err != nil {
		return err
	}
	if err := place(&h); err != nil {
		return err
	}
	if !sameHousehold(&h, old) {
		if err := s.saveHousehold(ctx, q, actor, &h, old); err != nil {
			return err
		}
		res.Outcome = SyncUpdated
	}
	pairs := matchMembers(old.Members, in.Members, s.today())
	added := false
	for i := range in.Members {
		j := pairs[i]
		if j < 0 {
			p := overlayPerson(Person{}, in.Members[i], in.MemberFields)
			if err := normalizePerson(&p, s.today()); err != nil {
				return apperr.InField(err, fmt.Sprintf("members[%d].%s", i, fieldOf(err)))
			}
			if err := s.insertPerson(ctx, q, actor, &h, &p, EvMovedIn); err != nil {
				return apperr.InField(err, fmt.Sprintf("members[%d].%s", i, fieldOf(err)))
			}
			added, res.Outcome = true, SyncUpdated
			continue
		}
		was := &old.Members[j]
		p := overlayPerson(*was, in.Members[i], in.MemberFields)
		if err := normalizePerson(&p, s.today()); err != nil {
			return apperr.InField(err, fmt.Sprintf("members[%d].%s", i, fieldOf(err)))
		}
		p.Tags = deriveTags(&p, p.Tags)
		if samePerson(&p, was) {
			continue
		}
		if err := s.savePerson(ctx, q, actor, &p, was, "", ""); err != nil {
			return apperr.InField(err, fmt.Sprintf("members[%d].%s", i, fieldOf(err)))
		}
		res.Outcome = SyncUpdated
	}
	if added {
		if err := s.refresh(ctx, q, actor, h.ID); err != nil {
			return err
		}
	}
	for j := range old.Members {
		if old.Members[j].Current() && !slices.Contains(pairs, j) {
			p := old.Members[j]
			showPerson(s.scope, &p)
			res.Gone = append(res.Gone, p)
		}
	}
	return nil
}

// match returns the household in describes, or 0 for a new one: where its
// householder's ID number is a current member, else at its place.
func (s *Store) match(ctx context.Context, q store.Querier, in *Incoming) (int64, error) {
	if i := in.Householder; i >= 0 && i < len(in.Members) && in.Members[i].IDNumber != "" {
		id, err := s.householdOfNumber(ctx, q, canonicalID(in.Members[i].IDNumber, s.today()))
		if err != nil || id != 0 {
			return id, apperr.InField(err, fmt.Sprintf("members[%d].id_number", i))
		}
	}
	return s.householdAt(ctx, q, &in.Household)
}

// householdOfNumber returns the household in scope where ID number n is a
// current member, or 0 when none is. A household out of scope answers as
// checkIDUnique does: registered elsewhere, noted for the audit log.
func (s *Store) householdOfNumber(ctx context.Context, q store.Querier, n string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT household_id FROM persons WHERE id_number_hash = ? AND active`,
		IDNumberHash(store.KeysOf(q), n)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	switch err := s.visible(ctx, q, id); {
	case err == nil:
		return id, nil
	case !errors.Is(err, apperr.ErrNotFound):
		return 0, err
	}
	audit.Note(ctx, "id_number.registered_elsewhere", fmt.Sprintf("household:%d", id), audit.Denied,
		"an imported householder's ID number belongs to a member of a household outside the importer's scope")
	return 0, apperr.Field("id_number", "id_registered", "this ID number is already registered in another household; ask the community administrator")
}

// householdAt returns the household in scope at h's place (building,
// unit and room, or grid and address), preferring one of h's kind, or 0.
// Two of the same kind at one place are an error on "room".
func (s *Store) householdAt(ctx context.Context, q store.Querier, h *Household) (int64, error) {
	var where string
	var args []any
	unit, room, address := strings.TrimSpace(h.Unit), strings.TrimSpace(h.Room), strings.TrimSpace(h.Address)
	if h.BuildingID != 0 {
		where, args = `h.building_id = ? AND h.unit = ? AND h.room = ?`, []any{h.BuildingID, unit, room}
	} else {
		where, args = `h.building_id IS NULL AND h.grid_id = ? AND h.address = ?`, []any{h.GridID, address}
	}
	if cond, a := Where(s.scope); cond != "" {
		where, args = where+" AND "+cond, append(args, a...)
	}
	rows, err := q.QueryContext(ctx, `SELECT h.id, h.kind FROM households h WHERE `+where+` ORDER BY h.id`, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var at []placed
	for rows.Next() {
		var p placed
		if err := rows.Scan(&p.id, &p.kind); err != nil {
			return 0, err
		}
		at = append(at, p)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return pickAt(h, at)
}

// placed is a household at a place: its id and kind.
type placed struct {
	id   int64
	kind Kind
}

// pickAt returns, of the households at h's place in id order, the one h
// is: the only one, else the only one of h's kind, else 0 (none there) or
// an error on "room" (several).
func pickAt(h *Household, at []placed) (int64, error) {
	var same []int64
	for _, p := range at {
		if p.kind == h.Kind || h.Kind == "" && p.kind == Residential {
			same = append(same, p.id)
		}
	}
	switch {
	case len(at) == 1:
		return at[0].id, nil
	case len(same) == 1:
		return same[0], nil
	case len(at) > 1:
		return 0, apperr.Field("room", "address_ambiguous", "%d households are at this address; give the householder's ID number", len(at))
	}
	return 0, nil
}

// matchMembers pairs each incoming member with a stored one (an index in
// old, or -1 for a member who appears): by ID number, else by name where
// one of the two has no number. Current members come first in old, so they
// are matched before former ones.
func matchMembers(old, incoming []Person, today calendar.Date) []int {
	pairs := make([]int, len(incoming))
	used := make([]bool, len(old))
	for i := range pairs {
		pairs[i] = -1
	}
	ids := make([]string, len(incoming))
	for i, p := range incoming {
		if p.IDNumber == "" {
			continue
		}
		ids[i] = canonicalID(p.IDNumber, today)
		for j := range old {
			if !used[j] && old[j].IDNumber == ids[i] {
				pairs[i], used[j] = j, true
				break
			}
		}
	}
	for i, p := range incoming {
		if pairs[i] >= 0 {
			continue
		}
		for j := range old {
			if !used[j] && old[j].Name == strings.TrimSpace(p.Name) && (ids[i] == "" || old[j].IDNumber == "") {
				pairs[i], used[j] = j, true
				break
			}
		}
	}
	return pairs
}

// canonicalID is the 18-character form of an ID number (a 15-digit one
// upgraded), or the number as given when it does not parse.
func canonicalID(n string, today calendar.Date) string {
	if id, err := ParseIDNumber("id_number", n, today); err == nil {
		return id.Number
	}
	return strings.TrimSpace(n)
}

// overlayHousehold returns old with the fields in gives.
func overlayHousehold(old, in Household, given map[string]bool) Household {
	h := old
	h.Members, h.Needs, h.Measures, h.Visitors = nil, nil, nil, nil
	if given["building_id"] {
		h.BuildingID, h.CompoundID = in.BuildingID, 0
		if in.BuildingID == 0 {
			h.GridID, h.Address = in.GridID, in.Address
		}
	}
	set := func(name string, apply func()) {
		if given[name] {
			apply()
		}
	}
	set("grid_id", func() { h.GridID = in.GridID })
	set("address", func() {
		if h.BuildingID == 0 {
			h.Address = in.Address
		}
	})
	set("unit", func() { h.Unit = in.Unit })
	set("floor", func() { h.Floor = in.Floor })
	set("room", func() { h.Room = in.Room })
	set("kind", func() { h.Kind = in.Kind })
	set("shop_name", func() { h.ShopName = in.ShopName })
	set("business_type", func() { h.BusinessType = in.BusinessType })
	set("occupancy", func() { h.Occupancy = in.Occupancy })
	set("phone", func() { h.Phone = in.Phone })
	set("contact_times", func() { h.ContactTimes = in.ContactTimes })
	set("contact_note", func() { h.ContactNote = in.ContactNote })
	set("language", func() { h.Language = in.Language })
	set("notes", func() { h.Notes = in.Notes })
	set("tags", func() { h.Tags = in.Tags })
	return h
}

// overlayPerson returns old with the fields in gives. A changed ID number
// brings its own birth date and sex unless the file gives them.
func overlayPerson(old, in Person, given map[string]bool) Person {
	p := old
	set := func(name string, apply func()) {
		if given[name] {
			apply()
		}
	}
	set("name", func() { p.Name = in.Name })
	if given["id_number"] && in.IDNumber != "" && canonicalID(in.IDNumber, calendar.Date{}) != old.IDNumber {
		p.IDNumber = in.IDNumber
		if !given["birth_date"] {
			p.BirthDate = calendar.Date{}
		}
		if !given["gender"] {
			p.Gender = ""
		}
	}
	set("gender", func() { p.Gender = in.Gender })
	set("birth_date", func() { p.BirthDate = in.BirthDate })
	set("ethnicity", func() { p.Ethnicity = in.Ethnicity })
	set("residence", func() { p.Residence = in.Residence })
	set("relation", func() { p.Relation = in.Relation })
	set("phone", func() { p.Phone = in.Phone })
	set("employment", func() { p.Employment = in.Employment })
	set("school", func() { p.School = in.School })
	set("disability_type", func() { p.DisabilityType = in.DisabilityType })
	set("disability_grade", func() { p.DisabilityGrade = in.DisabilityGrade })
	set("health_notes", func() { p.HealthNotes = in.HealthNotes })
	set("dibao", func() { p.Dibao = in.Dibao })
	set("moved_in_on", func() { p.MovedInOn = in.MovedInOn })
	set("moved_out_on", func() { p.MovedOutOn = in.MovedOutOn })
	set("deceased_on", func() { p.DeceasedOn = in.DeceasedOn })
	tags := slices.Clone(p.Tags)
	if tags == nil {
		tags = []string{}
	}
	if given["tags"] {
		tags = slices.Clone(in.Tags)
	}
	for name := range given {
		code, ok := strings.CutPrefix(name, "tag:")
		if !ok {
			continue
		}
		tags = slices.DeleteFunc(tags, func(t string) bool { return t == code })
		if slices.Contains(in.Tags, code) {
			tags = append(tags, code)
		}
	}
	p.Tags = tags
	return p
}

// sameHousehold reports whether h, placed, holds what old holds.
func sameHousehold(h, old *Household) bool {
	return h.GridID == old.GridID && h.CompoundID == old.CompoundID && h.BuildingID == old.BuildingID &&
		h.Unit == old.Unit && h.Floor == old.Floor && h.Room == old.Room && h.Address == old.Address &&
		h.Kind == old.Kind && h.ShopName == old.ShopName && h.BusinessType == old.BusinessType &&
		h.Occupancy == old.Occupancy && h.Phone == old.Phone && slices.Equal(h.ContactTimes, old.ContactTimes) &&
		h.ContactNote == old.ContactNote && h.Language == old.Language && h.Notes == old.Notes && sameSet(h.Tags, old.Tags)
}

// samePerson reports whether p, normalized with its tags derived, holds
// what old holds.
func samePerson(p, old *Person) bool {
	return p.Name == old.Name && p.IDNumber == old.IDNumber && p.Gender == old.Gender && p.BirthDate == old.BirthDate &&
		p.Ethnicity == old.Ethnicity && p.Residence == old.Residence && p.Relation == old.Relation && p.Phone == old.Phone &&
		p.Employment == old.Employment && p.School == old.School && p.DisabilityType == old.DisabilityType &&
		p.DisabilityGrade == old.DisabilityGrade && p.HealthNotes == old.HealthNotes && p.Dibao == old.Dibao &&
		p.MovedInOn == old.MovedInOn && p.MovedOutOn == old.MovedOutOn && p.DeceasedOn == old.DeceasedOn &&
		sameSet(p.Tags, old.Tags)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
