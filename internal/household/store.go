package household

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/pii"
	"wanhu/internal/store"
)

// Store reads and changes household files. Every change runs in one
// transaction together with its ledger events and the new colour.
type Store struct {
	db    *store.DB
	now   func() time.Time
	today func() calendar.Date
	scope org.Scope
}

// NewStore returns a Store on db that sees every household: the system's
// own view, for the CLI and jobs. Faces serving users call In(scope).
func NewStore(db *store.DB) *Store {
	return &Store{db: db, now: time.Now, today: calendar.Today, scope: org.Everything}
}

// SetClock replaces the clock, for tests.
func (s *Store) SetClock(now func() time.Time) {
	s.now = now
	s.today = func() calendar.Date { return calendar.DayOf(now()) }
}

// place resolves the building of h (if any): its grid, its compound and the
// composed address.
func place(ctx context.Context, q store.Querier, h *Household) error {
	if h.BuildingID == 0 {
		g, err := org.UnitByID(ctx, q, h.GridID)
		return placeInGrid(h, g, err)
	}
	b, compound, err := org.BuildingByID(ctx, q, h.BuildingID)
	return placeInBuilding(h, b, compound, err)
}

// placeInGrid places h, outside a building, in grid g (looked up with
// error err).
func placeInGrid(h *Household, g org.Unit, err error) error {
	h.CompoundID = 0
	if err != nil || g.Kind != org.GridKind || g.RetiredAt != nil {
		return apperr.Field("grid_id", "not_found", "grid %d does not exist", h.GridID)
	}
	h.GridName = g.Name
	return nil
}

// placeInBuilding places h in building b of the named compound (looked up
// with error err): its grid, compound and composed address.
func placeInBuilding(h *Household, b org.Building, compound string, err error) error {
	if errors.Is(err, apperr.ErrNotFound) || err == nil && b.RetiredAt != nil {
		return apperr.Field("building_id", "not_found", "building %d does not exist", h.BuildingID)
	}
	if err != nil {
		return err
	}
	h.GridID, h.CompoundID, h.CompoundName, h.BuildingName = b.GridID, b.CompoundID, compound, b.Name
	parts := []string{compound, b.Name}
	if h.Unit != "" {
		parts = append(parts, h.Unit+"单元")
	}
	if h.Room != "" {
		parts = append(parts, h.Room+"室")
	}
	h.Address = strings.Join(parts, " ")
	return nil
}

// CreateHousehold validates h and its members and inserts them with their
// tags, colour and ledger events. It returns the new household file.
func (s *Store) CreateHousehold(ctx context.Context, actor Actor, h Household, members []Person) (*Household, error) {
	audit.Describe(ctx, "household.create", "household", "")
	if err := normalizeHousehold(&h); err != nil {
		return nil, err
	}
	today := s.today()
	for i := range members {
		if err := normalizePerson(&members[i], today); err != nil {
			return nil, apperr.InField(err, fmt.Sprintf("members[%d].%s", i, fieldOf(err)))
		}
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error { return s.insertHousehold(ctx, tx, actor, &h, members) })
	if err != nil {
		return nil, err
	}
	audit.Describe(ctx, "household.create", fmt.Sprintf("household:%d", h.ID), "")
	return s.HouseholdByID(ctx, h.ID)
}

// placeHousehold resolves where h is (its building's grid, compound and
// address), checks that the store's scope may place a household there and
// that its tags exist, and returns the stored form of its phone.
func (s *Store) placeHousehold(ctx context.Context, q store.Querier, h *Household) (sealedPhone, error) {
	if err := place(ctx, q, h); err != nil {
		return sealedPhone{}, err
	}
	if err := outOfScope(h, s.gridInScope(ctx, q, h.GridID)); err != nil {
		return sealedPhone{}, err
	}
	if err := checkTags(ctx, q, "tags", "household", h.Tags); err != nil {
		return sealedPhone{}, err
	}
	return sealHouseholdPhone(store.KeysOf(q), h.Phone)
}

// insertHousehold inserts h and its members, both normalized, with their
// tags, ledger events (EvMemberAdded for each member) and colour, and sets
// h.ID.
func (s *Store) insertHousehold(ctx context.Context, q store.Querier, actor Actor, h *Household, members []Person) error {
	phone, err := s.placeHousehold(ctx, q, h)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	err = q.QueryRowContext(ctx, `INSERT INTO households(grid_id, compound_id, building_id, unit, floor, room, address,
		kind, shop_name, business_type, occupancy, phone, phone_hash, phone_tail_hash, contact_times, contact_note, language, notes, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		h.GridID, nullID(h.CompoundID), nullID(h.BuildingID), h.Unit, h.Floor, h.Room, h.Address, h.Kind, h.ShopName,
		h.BusinessType, h.Occupancy, phone.phone, phone.hash, phone.tail, strings.Join(h.ContactTimes, ","), h.ContactNote, h.Language, h.Notes,
		now, now).Scan(&h.ID)
	if err != nil {
		return fmt.Errorf("insert household: %w", err)
	}
	for _, t := range h.Tags {
		if _, err := q.ExecContext(ctx, `INSERT INTO household_tags(household_id, tag) VALUES (?, ?)`, h.ID, t); err != nil {
			return err
		}
	}
	if err := writeLedger(ctx, q, LedgerEvent{HouseholdID: h.ID, GridID: h.GridID, Type: EvHouseholdCreated,
		After: h.Address, ActorID: actor.ID, Actor: actor.Name, At: now}); err != nil {
		return err
	}
	for i := range members {
		if err := s.insertPerson(ctx, q, actor, h, &members[i], ""); err != nil {
			return apperr.InField(err, fmt.Sprintf("members[%d].%s", i, fieldOf(err)))
		}
	}
	return s.refresh(ctx, q, actor, h.ID)
}

func fieldOf(err error) string {
	if fe, ok := apperr.AsField(err); ok {
		return fe.Field
	}
	return ""
}

// householdFields are the fields of a household that an edit may change,
// compared one by one to write the ledger.
var householdFields = []struct {
	name string
	get  func(h *Household) string
}{
	{"address", func(h *Household) string { return h.Address }},
	{"kind", func(h *Household) string { return string(h.Kind) }},
	{"shop_name", func(h *Household) string { return h.ShopName }},
	{"business_type", func(h *Household) string { return h.BusinessType }},
	{"occupancy", func(h *Household) string { return h.Occupancy }},
	{"phone", func(h *Household) string { return pii.MaskPhone(h.Phone) }},
	{"contact_times", func(h *Household) string { return strings.Join(h.ContactTimes, ",") }},
	{"contact_note", func(h *Household) string { return h.ContactNote }},
	{"language", func(h *Household) string { return h.Language }},
	{"notes", func(h *Household) string { return h.Notes }},
	{"floor", func(h *Household) string { return fmt.Sprint(h.Floor) }},
	{"grid_id", func(h *Household) string { return fmt.Sprint(h.GridID) }},
}

// UpdateHousehold saves an edited household and returns its new version.
// h.Version must be the version the edit started from; if someone saved in
// between, it returns apperr.ErrConflict and changes nothing. Members,
// needs and plan are not touched (they have their own calls).
func (s *Store) UpdateHousehold(ctx context.Context, actor Actor, h Household) (version int, err error) {
	audit.Describe(ctx, "household.update", fmt.Sprintf("household:%d", h.ID), "")
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.visible(ctx, tx, h.ID); err != nil {
			return err
		}
		old, err := householdCore(ctx, tx, h.ID, s.today())
		if err != nil {
			return err
		}
		if old.Version != h.Version {
			return apperr.ErrConflict
		}
		keepHiddenPhone(s.scope, &h, old)
		return s.saveHousehold(ctx, tx, actor, &h, old)
	})
	if err != nil {
		return 0, err
	}
	return h.Version + 1, nil
}

// saveHousehold validates h, the edited household old (its stored file),
// and saves it with a ledger event for each changed field and tag.
func (s *Store) saveHousehold(ctx context.Context, q store.Querier, actor Actor, h, old *Household) error {
	if err := normalizeHousehold(h); err != nil {
		return err
	}
	phone, err := s.placeHousehold(ctx, q, h)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	res, err := q.ExecContext(ctx, `UPDATE households SET grid_id = ?, compound_id = ?, building_id = ?, unit = ?, floor = ?,
		room = ?, address = ?, kind = ?, shop_name = ?, business_type = ?, occupancy = ?, phone = ?, phone_hash = ?, phone_tail_hash = ?, contact_times = ?,
		contact_note = ?, language = ?, notes = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND version = ?`,
		h.GridID, nullID(h.CompoundID), nullID(h.BuildingID), h.Unit, h.Floor, h.Room, h.Address, h.Kind, h.ShopName,
		h.BusinessType, h.Occupancy, phone.phone, phone.hash, phone.tail, strings.Join(h.ContactTimes, ","), h.ContactNote, h.Language, h.Notes,
		now, h.ID, h.Version)
	if err != nil {
		return fmt.Errorf("update household: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.ErrConflict
	}
	ev := LedgerEvent{HouseholdID: h.ID, GridID: h.GridID, ActorID: actor.ID, Actor: actor.Name, At: now}
	for _, f := range householdFields {
		if before, after := f.get(old), f.get(h); before != after {
			e := ev
			e.Type, e.Field, e.Before, e.After = EvFieldChanged, f.name, before, after
			if err := writeLedger(ctx, q, e); err != nil {
				return err
			}
		}
	}
	if err := syncTags(ctx, q, ev, "household_tags", "household_id", h.ID, old.Tags, h.Tags); err != nil {
		return err
	}
	// The saved household is h with old's members and what is derived
	// from them: no need to read it again.
	saved := *h
	saved.Members, saved.Householder, saved.MemberCount = old.Members, old.Householder, old.MemberCount
	saved.Colour, saved.ColourReasons, saved.ColourOverride, saved.OverrideReason = old.Colour, old.ColourReasons, old.ColourOverride, old.OverrideReason
	return s.recolour(ctx, q, actor, &saved)
}

// syncTags makes the tag table hold want for the owner and writes a ledger
// event for each tag added or removed.
func syncTags(ctx context.Context, q store.Querier, ev LedgerEvent, table, col string, owner int64, have, want []string) error {
	for _, t := range want {
		if slices.Contains(have, t) {
			continue
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO `+table+`(`+col+`, tag) VALUES (?, ?)`, owner, t); err != nil {
			return err
		}
		if _, derived := derivedTags[t]; !derived {
			e := ev
			e.Type, e.After = EvTagAdded, t
			if err := writeLedger(ctx, q, e); err != nil {
				return err
			}
		}
	}
	for _, t := range have {
		if slices.Contains(want, t) {
			continue
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+col+` = ? AND tag = ?`, owner, t); err != nil {
			return err
		}
		if _, derived := derivedTags[t]; !derived {
			e := ev
			e.Type, e.Before = EvTagRemoved, t
			if err := writeLedger(ctx, q, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// refresh recomputes what is derived from the members of household id (the
// householder's name, the member count, the colour and its reasons) and
// records a colour change in the ledger.
func (s *Store) refresh(ctx context.Context, q store.Querier, actor Actor, id int64) error {
	h, err := householdCore(ctx, q, id, s.today())
	if err != nil {
		return err
	}
	return s.recolour(ctx, q, actor, h)
}

// recolour is refresh of h, household and members as stored.
func (s *Store) recolour(ctx context.Context, q store.Querier, actor Actor, h *Household) error {
	rules, err := s.rules(ctx, q)
	if err != nil {
		return err
	}
	_, err = s.recolourWith(ctx, q, actor, rules, h, s.today())
	return err
}

// colouring is what recolourWith derives from a household's members and
// tags: its colour and reasons (enc encoded), householder and member count.
type colouring struct {
	colour      Colour
	reasons     []Reason
	enc         string
	householder string
	count       int
}

// deriveOf derives h's colour, reasons, householder and member count on
// day today under rules.
func deriveOf(rules []Rule, h *Household, today calendar.Date) colouring {
	colour, reasons := Evaluate(rules, h.Tags, h.Members, today)
	if h.ColourOverride != "" {
		colour = h.ColourOverride
		reasons = append([]Reason{{Code: "override", Colour: colour, NameZH: "人工调整", NameEN: "Set by hand", Note: h.OverrideReason}}, reasons...)
	}
	householder, count := "", 0
	for _, p := range h.Members {
		if p.Current() {
			count++
			if householder == "" || p.Relation == "householder" {
				householder = p.Name
			}
		}
	}
	return colouring{colour: colour, reasons: reasons, enc: EncodeReasons(reasons), householder: householder, count: count}
}

// same reports whether d is what h has stored.
func (d colouring) same(h *Household) bool {
	return d.colour == h.Colour && d.enc == EncodeReasons(h.ColourReasons) && d.householder == h.Householder && d.count == h.MemberCount
}

// recolourWith is recolour under the colour rules given, on day today. It
// writes the household only when something derived changes, and a ledger
// event when its colour does, and reports whether its colour changed.
func (s *Store) recolourWith(ctx context.Context, q store.Querier, actor Actor, rules []Rule, h *Household, today calendar.Date) (bool, error) {
	d := deriveOf(rules, h, today)
	if d.same(h) {
		return false, nil
	}
	colour, reasons, enc, householder, count := d.colour, d.reasons, d.enc, d.householder, d.count
	if _, err := q.ExecContext(ctx, `UPDATE households SET colour = ?, colour_reasons = ?, householder = ?, member_count = ? WHERE id = ?`,
		colour, enc, householder, count, h.ID); err != nil {
		return false, err
	}
	if colour == h.Colour {
		return false, nil
	}
	var why []string
	for _, r := range reasons {
		why = append(why, r.NameZH)
	}
	return true, writeLedger(ctx, q, LedgerEvent{HouseholdID: h.ID, GridID: h.GridID, Type: EvColourChanged,
		Field: "colour", Before: string(h.Colour), After: string(colour), Note: strings.Join(why, "；"),
		ActorID: actor.ID, Actor: actor.Name, At: s.now().UTC()})
}

// SetColourOverride sets a household's colour by hand, or clears the
// override when colour is empty. Setting one needs a reason; both are kept
// in the ledger.
func (s *Store) SetColourOverride(ctx context.Context, actor Actor, id int64, colour Colour, reason string) (*Household, error) {
	audit.Describe(ctx, "household.colour", fmt.Sprintf("household:%d", id), string(colour))
	reason = strings.TrimSpace(reason)
	if colour != "" {
		if err := oneOf("colour", string(colour), Colours, false); err != nil {
			return nil, err
		}
		if reason == "" {
			return nil, apperr.Field("reason", "required", "a reason is required to set the colour by hand")
		}
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.visible(ctx, tx, id); err != nil {
			return err
		}
		h, err := scanHousehold(tx.Keys(), tx.QueryRowContext(ctx, `SELECT `+householdCols+householdFrom+` WHERE h.id = ?`, id), true)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE households SET colour_override = ?, colour_override_reason = ?, updated_at = ? WHERE id = ?`,
			colour, reason, s.now().UTC(), id); err != nil {
			return err
		}
		typ := EvColourOverride
		if colour == "" {
			typ = EvOverrideCleared
		}
		if err := writeLedger(ctx, tx, LedgerEvent{HouseholdID: id, GridID: h.GridID, Type: typ, Field: "colour_override",
			Before: string(h.ColourOverride), After: string(colour), Note: reason, ActorID: actor.ID, Actor: actor.Name, At: s.now().UTC()}); err != nil {
			return err
		}
		return s.refresh(ctx, tx, actor, id)
	})
	if err != nil {
		return nil, err
	}
	return s.HouseholdByID(ctx, id)
}

// Rules returns the colour rules in force: the configured ones, or
// DefaultRules.
func (s *Store) Rules(ctx context.Context) ([]Rule, error) { return s.rules(ctx, s.db) }

func (s *Store) rules(ctx context.Context, q store.Querier) ([]Rule, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'colour_rules'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultRules, nil
	}
	if err != nil {
		return nil, err
	}
	var rules []Rule
	if err := json.Unmarshal([]byte(v), &rules); err != nil {
		return nil, fmt.Errorf("stored colour rules: %w", err)
	}
	return rules, nil
}

// SetRules replaces the colour rules and recolours every household.
func (s *Store) SetRules(ctx context.Context, actor Actor, rules []Rule) error {
	if err := ValidateRules(rules); err != nil {
		return apperr.Field("rules", "rules", "%s", err)
	}
	b, _ := json.Marshal(rules)
	_, err := s.db.ExecContext(ctx, `INSERT INTO settings(key, value, updated_at) VALUES ('colour_rules', ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, string(b), s.now().UTC())
	if err != nil {
		return err
	}
	_, err = s.Recolour(ctx, actor)
	return err
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}
