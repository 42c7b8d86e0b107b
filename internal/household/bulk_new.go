package household

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// fresh is a new household of a batch, checked and ready to write.
type fresh struct {
	h       Household
	phone   sealedPhone
	members []Person
	sealed  []sealedPerson
	derived derived
}

// create checks the new households ins[i] for i in idx as syncNew and
// insertHousehold would, records the errors of those that fail, and
// writes the others together.
func (b *batch) create(ctx context.Context, idx []int) error {
	var ok []int
	var all []fresh
	persons := 0
	for _, i := range idx {
		f, err := b.check(ctx, i)
		if err != nil {
			if _, isField := apperr.AsField(err); !isField {
				return err
			}
			b.errs[i] = err
			continue
		}
		ok, all = append(ok, i), append(all, f)
		persons += len(f.members)
	}
	if len(all) == 0 {
		return nil
	}
	hids, err := b.tx.NextIDs(ctx, "households", len(all))
	if err != nil {
		return err
	}
	pids, err := b.tx.NextIDs(ctx, "persons", persons)
	if err != nil {
		return err
	}
	events := 0
	for n := range all {
		f := &all[n]
		f.h.ID = hids[n]
		for j := range f.members {
			f.members[j].ID, f.members[j].HouseholdID, pids = pids[0], f.h.ID, pids[1:]
		}
		f.derived = b.colour(f)
		events += 1 + len(f.members)
		if f.derived.colour != Green {
			events++
		}
		b.res[ok[n]] = SyncResult{HouseholdID: f.h.ID, Outcome: SyncCreated}
	}
	eids, err := b.tx.NextIDs(ctx, "ledger_events", events)
	if err != nil {
		return err
	}
	return b.write(ctx, all, eids)
}

// write inserts the households all with their members, tags and ledger
// events (ids eids), table by table in the order of the foreign keys.
func (b *batch) write(ctx context.Context, all []fresh, eids []int64) error {
	var err error
	add := func(in *store.Inserter, vals ...any) {
		if err == nil {
			err = in.Add(vals...)
		}
	}
	flush := func(in *store.Inserter) error {
		if ferr := in.Flush(); err == nil {
			err = ferr
		}
		return err
	}
	hs := store.NewInserter(ctx, b.tx, "households", "id", "grid_id", "compound_id", "building_id", "unit", "floor", "room", "address",
		"kind", "shop_name", "business_type", "occupancy", "phone", "phone_hash", "phone_tail_hash", "contact_times", "contact_note", "language", "notes",
		"colour", "colour_reasons", "householder", "member_count", "created_at", "updated_at")
	for _, f := range all {
		h := &f.h
		add(hs, h.ID, h.GridID, nullID(h.CompoundID), nullID(h.BuildingID), h.Unit, h.Floor, h.Room, h.Address, h.Kind, h.ShopName,
			h.BusinessType, h.Occupancy, f.phone.phone, f.phone.hash, f.phone.tail, strings.Join(h.ContactTimes, ","), h.ContactNote, h.Language, h.Notes,
			f.derived.colour, f.derived.reasons, f.derived.householder, f.derived.count, b.now, b.now)
	}
	if err := flush(hs); err != nil {
		return err
	}
	ht := store.NewInserter(ctx, b.tx, "household_tags", "household_id", "tag")
	for _, f := range all {
		for _, t := range f.h.Tags {
			add(ht, f.h.ID, t)
		}
	}
	if err := flush(ht); err != nil {
		return err
	}
	ps := store.NewInserter(ctx, b.tx, "persons", "id", "household_id", "name", "name_pinyin", "name_initials", "id_number", "id_number_hash",
		"gender", "birth_date", "ethnicity", "residence", "relation", "phone", "phone_hash", "phone_tail_hash", "employment", "school", "disability_type", "disability_grade",
		"health_notes", "dibao", "moved_in_on", "moved_out_on", "deceased_on", "active", "created_at", "updated_at")
	for _, f := range all {
		for j := range f.members {
			p, sp := &f.members[j], &f.sealed[j]
			add(ps, p.ID, p.HouseholdID, p.Name, sp.namePinyin, sp.nameInitials, sp.idNumber, sp.idHash, p.Gender, p.BirthDate, p.Ethnicity,
				p.Residence, p.Relation, sp.phone, sp.phoneHash, sp.phoneTail, p.Employment, p.School, p.DisabilityType, p.DisabilityGrade, sp.healthNotes, p.Dibao,
				p.MovedInOn, p.MovedOutOn, p.DeceasedOn, p.Current(), b.now, b.now)
		}
	}
	if err := flush(ps); err != nil {
		return err
	}
	pt := store.NewInserter(ctx, b.tx, "person_tags", "person_id", "tag")
	for _, f := range all {
		for _, p := range f.members {
			for _, t := range p.Tags {
				add(pt, p.ID, t)
			}
		}
	}
	if err := flush(pt); err != nil {
		return err
	}
	le := store.NewInserter(ctx, b.tx, "ledger_events", "id", "household_id", "person_id", "grid_id", "type", "field", "before",
		"after", "note", "actor_id", "actor", "at")
	event := func(e LedgerEvent) {
		add(le, eids[0], e.HouseholdID, nullID(e.PersonID), e.GridID, e.Type, e.Field, e.Before, e.After, e.Note,
			nullID(b.actor.ID), b.actor.Name, b.now)
		eids = eids[1:]
	}
	for _, f := range all {
		h := &f.h
		event(LedgerEvent{HouseholdID: h.ID, GridID: h.GridID, Type: EvHouseholdCreated, After: h.Address})
		for _, p := range f.members {
			event(LedgerEvent{HouseholdID: h.ID, PersonID: p.ID, GridID: h.GridID, Type: EvMemberAdded, After: p.Name})
		}
		if f.derived.colour != Green {
			event(LedgerEvent{HouseholdID: h.ID, GridID: h.GridID, Type: EvColourChanged, Field: "colour",
				Before: string(Green), After: string(f.derived.colour), Note: f.derived.why})
		}
	}
	return flush(le)
}

// check returns new household i normalized, placed and sealed, or the
// error syncNew would return for it.
func (b *batch) check(ctx context.Context, i int) (fresh, error) {
	in := &b.ins[i]
	f := fresh{h: in.Household, members: slices.Clone(in.Members)}
	h := &f.h
	h.ID, h.Members = 0, nil
	if err := normalizeHousehold(h); err != nil {
		return f, err
	}
	for j := range f.members {
		if err := normalizePerson(&f.members[j], b.today); err != nil {
			return f, apperr.InField(err, fmt.Sprintf("members[%d].%s", j, fieldOf(err)))
		}
	}
	if err := b.place(ctx, h); err != nil {
		return f, err
	}
	if err := outOfScope(h, b.gridInScope(ctx, h.GridID)); err != nil {
		return f, err
	}
	if err := checkTagsIn(b.tags, "tags", "household", h.Tags); err != nil {
		return f, err
	}
	keys := store.KeysOf(b.tx)
	var err error
	if f.phone, err = sealHouseholdPhone(keys, h.Phone); err != nil {
		return f, err
	}
	for j := range f.members {
		p := &f.members[j]
		if err := b.idUnique(ctx, p, b.hashes[i][j]); err != nil {
			return f, apperr.InField(err, fmt.Sprintf("members[%d].%s", j, fieldOf(err)))
		}
		if err := checkTagsIn(b.tags, "tags", "person", p.Tags); err != nil {
			return f, apperr.InField(err, fmt.Sprintf("members[%d].%s", j, fieldOf(err)))
		}
		p.Tags = deriveTags(p, p.Tags)
		sealed, err := sealPerson(keys, p)
		if err != nil {
			return f, err
		}
		f.sealed = append(f.sealed, sealed)
	}
	return f, nil
}

// place is place with the batch's buildings and grids looked up once.
func (b *batch) place(ctx context.Context, h *Household) error {
	if h.BuildingID == 0 {
		p, ok := b.seen[-h.GridID]
		if !ok {
			p.unit, p.err = org.UnitByID(ctx, b.tx, h.GridID)
			b.seen[-h.GridID] = p
		}
		return placeInGrid(h, p.unit, p.err)
	}
	p, ok := b.seen[h.BuildingID]
	if !ok {
		p.building, p.compound, p.err = org.BuildingByID(ctx, b.tx, h.BuildingID)
		b.seen[h.BuildingID] = p
	}
	return placeInBuilding(h, p.building, p.compound, p.err)
}

// gridInScope is the store's gridInScope, asked once per grid.
func (b *batch) gridInScope(ctx context.Context, id int64) error {
	err, ok := b.grids[id]
	if !ok {
		err = b.s.gridInScope(ctx, b.tx, id)
		b.grids[id] = err
	}
	return err
}

// idUnique is checkIDUnique for a person of a new household whose ID
// number hashes to hash: only a number the database holds already is
// looked up again, for the error.
func (b *batch) idUnique(ctx context.Context, p *Person, hash string) error {
	if hash == "" || b.active[hash] == 0 {
		return nil
	}
	return b.s.checkIDUnique(ctx, b.tx, p)
}

// colour returns what refresh would store for f: its colour and reasons,
// householder and member count, with the members in the order members
// reads them (current first, the householder leading, then by id).
func (b *batch) colour(f *fresh) derived {
	ms := slices.Clone(f.members)
	rank := func(p *Person) int {
		r := 0
		if !p.Current() {
			r += 2
		}
		if p.Relation != "householder" {
			r++
		}
		return r
	}
	slices.SortStableFunc(ms, func(x, y Person) int { return cmp.Or(cmp.Compare(rank(&x), rank(&y)), cmp.Compare(x.ID, y.ID)) })
	var d derived
	var reasons []Reason
	d.colour, reasons = Evaluate(b.rules, f.h.Tags, ms, b.today)
	d.reasons = EncodeReasons(reasons)
	for _, p := range ms {
		if p.Current() {
			d.count++
			if d.householder == "" || p.Relation == "householder" {
				d.householder = p.Name
			}
		}
	}
	if d.colour != Green {
		var why []string
		for _, r := range reasons {
			why = append(why, r.NameZH)
		}
		d.why = strings.Join(why, "；")
	}
	return d
}

// derived is what refresh derives from a household's members.
type derived struct {
	colour       Colour
	reasons, why string
	householder  string
	count        int
}
