package household

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/pii"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

const personCols = `p.id, p.household_id, p.name, COALESCE(p.id_number, ''), p.gender, p.birth_date, p.ethnicity,
	p.residence, p.relation, p.phone, p.employment, p.school, p.disability_type, p.disability_grade, p.health_notes,
	p.dibao, p.moved_in_on, p.moved_out_on, p.deceased_on, p.version`

// scanPerson scans personCols, then the columns of more, and opens the
// sealed fields with k.
func scanPerson(k *secret.Keyring, sc interface{ Scan(...any) error }, today calendar.Date, more ...any) (Person, error) {
	var p Person
	err := sc.Scan(append([]any{&p.ID, &p.HouseholdID, &p.Name, &p.IDNumber, &p.Gender, &p.BirthDate, &p.Ethnicity, &p.Residence,
		&p.Relation, &p.Phone, &p.Employment, &p.School, &p.DisabilityType, &p.DisabilityGrade, &p.HealthNotes,
		&p.Dibao, &p.MovedInOn, &p.MovedOutOn, &p.DeceasedOn, &p.Version}, more...)...)
	if err == nil {
		err = openPerson(k, &p)
	}
	p.Age = calendar.AgeOn(p.BirthDate, today)
	p.Tags = []string{}
	return p, err
}

// memberOrder is the order of a household's members: current members
// first, the householder leading.
const memberOrder = `p.active DESC, CASE WHEN p.relation = 'householder' THEN 0 ELSE 1 END, p.id`

// memberList is a subquery of the members of household hid (an SQL
// expression) with their tags, as a jsonList in memberOrder: the columns
// of personCols, then the tags as tagList has them, then 1 for a current
// member and 0 for a former one (memberOrder's first key, for
// decodeMembers's sort). A file reads it with its household row
// (decodeMembers); batches read rows (membersOf, scanPerson).
func memberList(q store.Querier, hid string) string {
	return jsonList(q, personCols+`, `+tagList(q, "person_tags", "person_id", "p.id")+`, CASE WHEN p.active THEN 1 ELSE 0 END`,
		`persons p WHERE p.household_id = `+hid, memberOrder)
}

// decodeMembers decodes a memberList of dialect d into persons as
// scanPerson reads rows (dates through calendar.Date's Scan, sealed fields
// opened with k), with their tags, in memberOrder.
func decodeMembers(k *secret.Keyring, d store.Dialect, list string, today calendar.Date) ([]Person, error) {
	rows, err := jsonRows(list, 22)
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	// memberOrder: current members first, the householder leading, then by id.
	rank := func(r jsonRow) int {
		n := 0
		if r.str(21) != "1" {
			n += 2
		}
		if r.str(8) != "householder" {
			n++
		}
		return n
	}
	slices.SortFunc(rows, func(a, b jsonRow) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.id(0), b.id(0)))
	})
	out := make([]Person, len(rows))
	for i, r := range rows {
		p := &out[i]
		p.Name, p.IDNumber, p.Gender, p.Ethnicity, p.Residence = r.str(2), r.str(3), Gender(r.str(4)), r.str(6), r.str(7)
		p.Relation, p.Phone, p.Employment, p.School, p.DisabilityType = r.str(8), r.str(9), r.str(10), r.str(11), r.str(12)
		p.HealthNotes, p.Dibao = r.str(14), r.str(15)
		err := first(r.int64To(0, &p.ID), r.int64To(1, &p.HouseholdID), p.BirthDate.Scan(r.scan(5)), r.intTo(13, &p.DisabilityGrade),
			p.MovedInOn.Scan(r.scan(16)), p.MovedOutOn.Scan(r.scan(17)), p.DeceasedOn.Scan(r.scan(18)), r.intTo(19, &p.Version))
		if err != nil {
			return nil, fmt.Errorf("person %d: %w", p.ID, err)
		}
		if err := openPerson(k, p); err != nil {
			return nil, err
		}
		p.Age = calendar.AgeOn(p.BirthDate, today)
		p.Tags = tagCodes(d, r.str(20))
	}
	return out, nil
}

// members returns the members of a household with their tags: current
// members first, the householder leading.
func members(ctx context.Context, q store.Querier, householdID int64, today calendar.Date) ([]Person, error) {
	by, err := membersOf(ctx, q, []int64{householdID}, today)
	return by[householdID], err
}

// membersOf returns the members of the households ids, by household, as
// members does, in two queries for every 500 households.
func membersOf(ctx context.Context, q store.Querier, ids []int64, today calendar.Date) (map[int64][]Person, error) {
	out := map[int64][]Person{}
	for part := range slices.Chunk(ids, 500) {
		in, args := inList(part)
		// Each person's tags by a subquery on the person's id (joined to
		// persons by household, SQLite may read every person's tags).
		rows, err := q.QueryContext(ctx, `SELECT `+personCols+`, `+tagList(q, "person_tags", "person_id", "p.id")+`
			FROM persons p WHERE p.household_id IN `+in+`
			ORDER BY p.household_id, `+memberOrder, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var tags string
			p, err := scanPerson(store.KeysOf(q), rows, today, &tags)
			if err != nil {
				rows.Close()
				return nil, err
			}
			p.Tags = tagCodes(q.Dialect(), tags)
			out[p.HouseholdID] = append(out[p.HouseholdID], p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PersonByID returns one person with their tags, masked for the store's
// reader (see showPerson).
func (s *Store) PersonByID(ctx context.Context, id int64) (*Person, error) {
	p, err := s.person(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	showPerson(s.scope, p)
	return p, nil
}

// person returns person id unmasked if their household is in scope.
func (s *Store) person(ctx context.Context, q store.Querier, id int64) (*Person, error) {
	p, err := personByID(ctx, q, id, s.today())
	if err != nil {
		return nil, err
	}
	if err := s.visible(ctx, q, p.HouseholdID); err != nil {
		return nil, err
	}
	return p, nil
}

func personByID(ctx context.Context, q store.Querier, id int64, today calendar.Date) (*Person, error) {
	var hid int64
	err := q.QueryRowContext(ctx, `SELECT household_id FROM persons WHERE id = ?`, id).Scan(&hid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	ms, err := members(ctx, q, hid, today)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		if ms[i].ID == id {
			return &ms[i], nil
		}
	}
	return nil, apperr.ErrNotFound
}

// checkIDUnique returns a FieldError when a current member of another
// household already has p's ID number. Inside the writer's scope it names
// that household; outside it, it says only that the number is registered
// elsewhere and whom to ask, and notes the attempt for the audit log: the
// check must not tell a writer where a number lives that they may not see.
func (s *Store) checkIDUnique(ctx context.Context, q store.Querier, p *Person) error {
	if p.IDNumber == "" || !p.Current() {
		return nil
	}
	var hid int64
	var addr string
	err := q.QueryRowContext(ctx, `SELECT h.id, h.address FROM persons x JOIN households h ON h.id = x.household_id
		WHERE x.id_number_hash = ? AND x.active AND x.id <> ?`, IDNumberHash(store.KeysOf(q), p.IDNumber), p.ID).Scan(&hid, &addr)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	switch err := s.visible(ctx, q, hid); {
	case err == nil:
		return apperr.Field("id_number", "id_duplicate", "this ID number already belongs to a member of household %d (%s)", hid, addr)
	case !errors.Is(err, apperr.ErrNotFound):
		return err
	}
	audit.Note(ctx, "id_number.registered_elsewhere", fmt.Sprintf("household:%d", hid), audit.Denied,
		"an ID number entered already belongs to a member of a household outside the writer's scope")
	return apperr.Field("id_number", "id_registered", "this ID number is already registered in another household; ask the community administrator")
}

// AddMember validates p and adds it to a household. event says how the
// person came: EvBorn, EvMovedIn or "" (recorded as EvMemberAdded).
func (s *Store) AddMember(ctx context.Context, actor Actor, householdID int64, p Person, event string) (*Person, error) {
	audit.Describe(ctx, "person.add", fmt.Sprintf("household:%d", householdID), event)
	if err := oneOf("event", event, []string{EvBorn, EvMovedIn}, true); err != nil {
		return nil, err
	}
	today := s.today()
	if event == EvMovedIn && p.MovedInOn.IsZero() {
		p.MovedInOn = today
	}
	if err := normalizePerson(&p, today); err != nil {
		return nil, err
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.visible(ctx, tx, householdID); err != nil {
			return err
		}
		h, err := scanHousehold(tx.Keys(), tx.QueryRowContext(ctx, `SELECT `+householdCols+householdFrom+` WHERE h.id = ?`, householdID), true)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := s.insertPerson(ctx, tx, actor, &h, &p, event); err != nil {
			return err
		}
		return s.refresh(ctx, tx, actor, householdID)
	})
	if err != nil {
		return nil, err
	}
	return s.PersonByID(ctx, p.ID)
}

// preparePerson checks that p's ID number is not another current
// member's and that its tags exist, adds the tags its fields imply, and
// returns the stored form of its sealed fields.
func (s *Store) preparePerson(ctx context.Context, q store.Querier, p *Person) (sealedPerson, error) {
	if err := s.checkIDUnique(ctx, q, p); err != nil {
		return sealedPerson{}, err
	}
	if err := checkTags(ctx, q, "tags", "person", p.Tags); err != nil {
		return sealedPerson{}, err
	}
	p.Tags = deriveTags(p, p.Tags)
	return sealPerson(store.KeysOf(q), p)
}

// insertPerson inserts a normalized person into household h with tags and
// a ledger event.
func (s *Store) insertPerson(ctx context.Context, q store.Querier, actor Actor, h *Household, p *Person, event string) error {
	sealed, err := s.preparePerson(ctx, q, p)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	err = q.QueryRowContext(ctx, `INSERT INTO persons(household_id, name, name_pinyin, name_initials, id_number, id_number_hash, gender,
		birth_date, ethnicity, residence, relation, phone, phone_hash, phone_tail_hash, employment, school, disability_type, disability_grade,
		health_notes, dibao, moved_in_on, moved_out_on, deceased_on, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		h.ID, p.Name, sealed.namePinyin, sealed.nameInitials, sealed.idNumber, sealed.idHash, p.Gender, p.BirthDate, p.Ethnicity, p.Residence,
		p.Relation, sealed.phone, sealed.phoneHash, sealed.phoneTail, p.Employment, p.School, p.DisabilityType, p.DisabilityGrade, sealed.healthNotes, p.Dibao, p.MovedInOn, p.MovedOutOn,
		p.DeceasedOn, p.Current(), now, now).Scan(&p.ID)
	if store.IsUniqueViolation(err) {
		return apperr.Field("id_number", "id_duplicate", "this ID number already belongs to a current member of another household")
	}
	if err != nil {
		return fmt.Errorf("insert person: %w", err)
	}
	p.HouseholdID, p.Version = h.ID, 1
	for _, t := range p.Tags {
		if _, err := q.ExecContext(ctx, `INSERT INTO person_tags(person_id, tag) VALUES (?, ?)`, p.ID, t); err != nil {
			return err
		}
	}
	if event == "" {
		event = EvMemberAdded
	}
	return writeLedger(ctx, q, LedgerEvent{HouseholdID: h.ID, PersonID: p.ID, GridID: h.GridID, Type: event,
		After: p.Name, ActorID: actor.ID, Actor: actor.Name, At: now})
}

// personFields are the fields of a person compared to write the ledger.
// Values that are sensitive in themselves are recorded masked.
var personFields = []struct {
	name string
	get  func(p *Person) string
}{
	{"name", func(p *Person) string { return p.Name }},
	{"id_number", func(p *Person) string { return pii.MaskIDNumber(p.IDNumber) }},
	{"gender", func(p *Person) string { return string(p.Gender) }},
	{"birth_date", func(p *Person) string { return p.BirthDate.String() }},
	{"ethnicity", func(p *Person) string { return p.Ethnicity }},
	{"residence", func(p *Person) string { return p.Residence }},
	{"relation", func(p *Person) string { return p.Relation }},
	{"phone", func(p *Person) string { return pii.MaskPhone(p.Phone) }},
	{"employment", func(p *Person) string { return p.Employment }},
	{"school", func(p *Person) string { return p.School }},
	{"disability_type", func(p *Person) string { return p.DisabilityType }},
	{"disability_grade", func(p *Person) string { return fmt.Sprint(p.DisabilityGrade) }},
	{"health_notes", func(p *Person) string { return p.HealthNotes }},
	{"dibao", func(p *Person) string { return p.Dibao }},
	{"moved_in_on", func(p *Person) string { return p.MovedInOn.String() }},
	{"moved_out_on", func(p *Person) string { return p.MovedOutOn.String() }},
	{"deceased_on", func(p *Person) string { return p.DeceasedOn.String() }},
}

// typedEvent names the ledger event type that a change of one field means,
// or "" for a plain field change.
func typedEvent(field, before, after string) string {
	switch field {
	case "employment":
		switch {
		case after == "unemployed":
			return EvLostJob
		case before == "unemployed" && (after == "employed" || after == "flexible"):
			return EvFoundJob
		}
	case "school":
		if after != "" && slices.Index(Schools, after) > slices.Index(Schools, before) {
			return EvStartedSchool
		}
	case "dibao":
		switch {
		case after == "none":
			return EvDibaoWithdrawn
		case before == "none" || after == "dibao":
			return EvDibaoApproved
		}
	case "moved_out_on":
		if before == "" {
			return EvMovedOut
		}
	case "deceased_on":
		if before == "" {
			return EvDied
		}
	}
	return ""
}

// UpdatePerson saves an edited person. p.Version must be the version the
// edit started from; otherwise it returns apperr.ErrConflict and changes
// nothing. Each changed field becomes a ledger event, typed where the change
// means something (employment → unemployed is EvLostJob).
func (s *Store) UpdatePerson(ctx context.Context, actor Actor, p Person) (*Person, error) {
	audit.Describe(ctx, "person.update", fmt.Sprintf("person:%d", p.ID), "")
	return s.updatePerson(ctx, actor, p, "", "")
}

func (s *Store) updatePerson(ctx context.Context, actor Actor, p Person, event, note string) (*Person, error) {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		old, err := s.person(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		if old.Version != p.Version {
			return apperr.ErrConflict
		}
		keepHidden(s.scope, &p, old)
		return s.savePerson(ctx, tx, actor, &p, old, event, note)
	})
	if err != nil {
		return nil, err
	}
	return s.PersonByID(ctx, p.ID)
}

// savePerson validates p, the edited person old (as stored), and saves it
// with a ledger event for each changed field, typed where the change means
// something, or as event; note goes with each event.
func (s *Store) savePerson(ctx context.Context, q store.Querier, actor Actor, p, old *Person, event, note string) error {
	if err := normalizePerson(p, s.today()); err != nil {
		return err
	}
	p.HouseholdID = old.HouseholdID
	sealed, err := s.preparePerson(ctx, q, p)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	res, err := q.ExecContext(ctx, `UPDATE persons SET name = ?, name_pinyin = ?, name_initials = ?, id_number = ?, id_number_hash = ?, gender = ?,
		birth_date = ?, ethnicity = ?, residence = ?, relation = ?, phone = ?, phone_hash = ?, phone_tail_hash = ?, employment = ?, school = ?, disability_type = ?, disability_grade = ?,
		health_notes = ?, dibao = ?, moved_in_on = ?, moved_out_on = ?, deceased_on = ?, active = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		p.Name, sealed.namePinyin, sealed.nameInitials, sealed.idNumber, sealed.idHash, p.Gender, p.BirthDate, p.Ethnicity, p.Residence,
		p.Relation, sealed.phone, sealed.phoneHash, sealed.phoneTail, p.Employment, p.School, p.DisabilityType, p.DisabilityGrade,
		sealed.healthNotes, p.Dibao, p.MovedInOn, p.MovedOutOn, p.DeceasedOn, p.Current(), now, p.ID, p.Version)
	if store.IsUniqueViolation(err) {
		return apperr.Field("id_number", "id_duplicate", "this ID number already belongs to a current member of another household")
	}
	if err != nil {
		return fmt.Errorf("update person: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.ErrConflict
	}
	var gridID int64
	if err := q.QueryRowContext(ctx, `SELECT grid_id FROM households WHERE id = ?`, p.HouseholdID).Scan(&gridID); err != nil {
		return err
	}
	ev := LedgerEvent{HouseholdID: p.HouseholdID, PersonID: p.ID, GridID: gridID, Note: note,
		ActorID: actor.ID, Actor: actor.Name, At: now}
	var changes []LedgerEvent
	typed := event == ""
	for _, f := range personFields {
		before, after := f.get(old), f.get(p)
		if before == after {
			continue
		}
		e := ev
		e.Type, e.Field, e.Before, e.After = typedEvent(f.name, before, after), f.name, before, after
		if e.Type == "" {
			e.Type = EvFieldChanged
		}
		typed = typed || e.Type == event
		changes = append(changes, e)
	}
	if !typed {
		// The event's own change is the first plain one, or none at all
		// (health worsened with nothing else to record).
		i := slices.IndexFunc(changes, func(e LedgerEvent) bool { return e.Type == EvFieldChanged })
		if i < 0 {
			changes, i = append(changes, ev), len(changes)
		}
		changes[i].Type = event
	}
	for _, e := range changes {
		if err := writeLedger(ctx, q, e); err != nil {
			return err
		}
	}
	if err := syncTags(ctx, q, ev, "person_tags", "person_id", p.ID, old.Tags, p.Tags); err != nil {
		return err
	}
	return s.refresh(ctx, q, actor, p.HouseholdID)
}

// Event is a typed change to a person that the ledger records under its own
// name (R5): health worsened, started school, lost or found a job, moved
// out, died, dibao approved or withdrawn. Births and moves in are
// AddMember's.
type Event struct {
	Type           string        `json:"type"`
	Date           calendar.Date `json:"date"`
	Note           string        `json:"note"`
	School         string        `json:"school"`          // started_school
	Dibao          string        `json:"dibao"`           // dibao_approved: "dibao" (default) or "near_dibao"
	HealthNotes    string        `json:"health_notes"`    // health_worsened: replaces the health notes when given
	SeriousIllness bool          `json:"serious_illness"` // health_worsened: adds the serious_illness tag
}

// EventTypes lists the types RecordEvent takes.
var EventTypes = []string{EvHealthWorsened, EvStartedSchool, EvLostJob, EvFoundJob, EvMovedOut, EvDied, EvDibaoApproved, EvDibaoWithdrawn, EvHealthCheck, EvInsurancePaid}

// RecordEvent applies a typed event to the current version of a person and
// writes it to the ledger, with the change it implies, in one transaction.
func (s *Store) RecordEvent(ctx context.Context, actor Actor, personID int64, ev Event) (*Person, error) {
	audit.Describe(ctx, "person.event", fmt.Sprintf("person:%d", personID), ev.Type)
	if err := oneOf("type", ev.Type, EventTypes, false); err != nil {
		return nil, err
	}
	p, err := s.person(ctx, s.db, personID)
	if err != nil {
		return nil, err
	}
	if !p.Current() {
		return nil, apperr.Field("type", "not_current", "%s no longer lives in this household", p.Name)
	}
	day := ev.Date
	if day.IsZero() {
		day = s.today()
	}
	switch ev.Type {
	case EvHealthWorsened:
		if ev.HealthNotes != "" {
			p.HealthNotes = ev.HealthNotes
		}
		if ev.SeriousIllness && !slices.Contains(p.Tags, "serious_illness") {
			p.Tags = append(p.Tags, "serious_illness")
		}
	case EvStartedSchool:
		if err := oneOf("school", ev.School, Schools, false); err != nil {
			return nil, err
		}
		p.School = ev.School
		if p.Employment == "" || p.Employment == "preschool" {
			p.Employment = "student"
		}
	case EvLostJob:
		p.Employment = "unemployed"
	case EvFoundJob:
		p.Employment = "employed"
	case EvMovedOut:
		p.MovedOutOn = day
	case EvDied:
		p.DeceasedOn = day
	case EvDibaoApproved:
		if ev.Dibao == "" {
			ev.Dibao = "dibao"
		}
		if err := oneOf("dibao", ev.Dibao, []string{"dibao", "near_dibao"}, false); err != nil {
			return nil, err
		}
		p.Dibao = ev.Dibao
	case EvDibaoWithdrawn:
		p.Dibao = "none"
	}
	return s.updatePerson(ctx, actor, *p, ev.Type, strings.TrimSpace(ev.Note))
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
