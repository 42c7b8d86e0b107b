package importer

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

// apply checks one household's rows and, when they hold no problem,
// places it and queues it for its batch (applyBatch).
func (r *run) apply(ctx context.Context, g *group) error {
	r.rep.Households++
	before := r.rep.ErrorsTotal
	in := household.Incoming{Fields: map[string]bool{}, MemberFields: map[string]bool{}, Householder: -1}
	var rows []*record // the rows of members
	for _, rec := range g.rows {
		if rec.nobody() {
			continue
		}
		r.rep.Persons++
		rows = append(rows, rec)
	}
	for i, rec := range rows {
		p := r.person(rec, in.MemberFields)
		if p.Relation == "householder" {
			if in.Householder >= 0 {
				r.problem(r.at(rec, []Field{Relation}, "two_householders", "a household has one householder (户主); row %d is one already", rows[in.Householder].row))
			} else {
				in.Householder = i
			}
		}
		in.Members = append(in.Members, p)
	}
	head := g.rows[0]
	switch {
	case len(rows) == 0:
	case in.Householder < 0 && head.t.has(Relation):
		r.problem(r.at(rows[0], []Field{Relation}, "no_householder", "the household has no householder: give one row the relation 户主"))
	case in.Householder < 0:
		in.Householder = 0
		in.Members[0].Relation = "householder"
	}
	if in.Householder >= 0 {
		head = rows[in.Householder]
	}
	g.members = rows
	h := r.householdFields(g, head, in.Fields)
	if r.rep.ErrorsTotal > before {
		return nil
	}
	err := r.place(ctx, g, head, &h, in.Fields)
	r.rep.NewPlaces = append(r.rep.NewPlaces, r.places.kept()...)
	if err != nil {
		return r.refused(g, head, err)
	}
	in.Household = h
	r.batch = append(r.batch, pending{g: g, head: head, in: in})
	if len(r.batch) == batchSize {
		return r.applyBatch(ctx)
	}
	return nil
}

// batchSize is how many households go to the store together.
const batchSize = 512

// pending is a household the importer has read and checked, waiting for
// its batch.
type pending struct {
	g    *group
	head *record
	in   household.Incoming
}

// applyBatch applies the households read since the last batch through
// household.Store.SyncBatch and reports what it did with each.
func (r *run) applyBatch(ctx context.Context) error {
	if len(r.batch) == 0 {
		return nil
	}
	ins := make([]household.Incoming, len(r.batch))
	for i := range r.batch {
		ins[i] = r.batch[i].in
	}
	res, errs, err := r.hs.SyncBatch(ctx, r.actor, ins)
	if err != nil {
		return err
	}
	for i, p := range r.batch {
		if errs[i] != nil {
			if err := r.refused(p.g, p.head, errs[i]); err != nil {
				return err
			}
			continue
		}
		switch res[i].Outcome {
		case household.SyncCreated:
			r.rep.Created++
		case household.SyncUpdated:
			r.rep.Updated++
		default:
			r.rep.Unchanged++
		}
		for _, m := range res[i].Gone {
			r.rep.MovedOutOffered = append(r.rep.MovedOutOffered, Offer{Sheet: p.head.t.sheet, Row: p.head.row,
				HouseholdID: res[i].HouseholdID, PersonID: m.ID, Name: m.Name})
		}
	}
	r.batch = r.batch[:0]
	return nil
}

// refused reports the error of a household the store refused, on the
// cell it names; an error that is not about the input ends the import.
func (r *run) refused(g *group, head *record, err error) error {
	fe, ok := apperr.AsField(err)
	if !ok {
		if errors.Is(err, apperr.ErrNotFound) {
			r.problem(r.at(head, []Field{Grid, Building, Room}, "not_found", "the household's place is not in your scope"))
			return nil
		}
		return err
	}
	rec, fields := head, householdColumns[fe.Field]
	if m := memberField.FindStringSubmatch(fe.Field); m != nil {
		i, _ := strconv.Atoi(m[1])
		if i < len(g.members) {
			rec = g.members[i]
		}
		fields = personColumns[m[2]]
	}
	p := r.at(rec, fields, fe.Code, fe.Msg, fe.Args...)
	if p.col < 0 && len(fields) > 0 { // the sheet lacks the column: say which
		p = r.at(rec, []Field{Name, Address, Room}, fe.Code, fe.Msg, fe.Args...)
		p.Message = fields[0].Header() + ": " + fe.Msg
	}
	r.problem(p)
	return nil
}

var memberField = regexp.MustCompile(`^members\[(\d+)\]\.(.*)$`)

// householdColumns and personColumns give the columns where the fields
// named in the store's errors are read.
var householdColumns = map[string][]Field{
	"building_id": {Building, Compound}, "grid_id": {Grid, Building}, "address": {Address, Room}, "room": {Room, Address},
	"unit": {Unit}, "floor": {Floor}, "kind": {Kind, Mixed, ShopName}, "shop_name": {ShopName, Kind}, "business_type": {BusinessType},
	"occupancy": {Occupancy}, "phone": {HouseholdPhone}, "contact_times": {ContactTimes}, "contact_note": {ContactNote},
	"language": {Language}, "notes": {Notes}, "tags": {HouseholdTags}, "compound": {Compound}, "building": {Building},
	"community": {Community},
}

var personColumns = map[string][]Field{
	"name": {Name}, "id_number": {IDNumber}, "gender": {Gender, IDNumber}, "birth_date": {BirthDate, IDNumber},
	"ethnicity": {Ethnicity}, "residence": {Residence}, "relation": {Relation}, "phone": {Phone},
	"employment": {Employment}, "school": {School}, "disability_type": {DisabilityType, Disability},
	"disability_grade": {DisabilityGrade, Disability}, "health_notes": {HealthNotes}, "dibao": {Dibao},
	"moved_in_on": {MovedInOn}, "moved_out_on": {MovedOutOn}, "deceased_on": {DeceasedOn}, "tags": {Tags, LivingAlone},
}

// cellError reports a cell that could not be read.
func (r *run) cellError(rec *record, f Field, err error) {
	fe, ok := apperr.AsField(err)
	if !ok {
		fe = apperr.Field(string(f), "invalid", "%s", err)
	}
	r.problem(r.at(rec, []Field{f}, fe.Code, fe.Msg, fe.Args...))
}

// person reads the person on rec and marks the fields the sheet gives.
func (r *run) person(rec *record, given map[string]bool) household.Person {
	p := household.Person{Tags: []string{}}
	t := rec.t
	text := func(f Field, dst *string, clean func(string) string) {
		if t.has(f) {
			*dst, given[string(f)] = clean(rec.raw(f)), true
		}
	}
	enum := func(f Field, e *enum, dst *string) {
		if !t.has(f) {
			return
		}
		given[string(f)] = true
		v, err := e.read(rec.raw(f))
		if err != nil {
			r.cellError(rec, f, err)
		}
		*dst = v
	}
	date := func(f Field, dst *calendar.Date) {
		if !t.has(f) {
			return
		}
		given[string(f)] = true
		d, err := readDate(string(f), rec.raw(f), r.src.serial())
		if err != nil {
			r.cellError(rec, f, err)
		}
		*dst = d
	}
	text(Name, &p.Name, cleanCode)
	var id household.IDNumber
	if t.has(IDNumber) {
		given["id_number"] = true
		id = r.idNumber(rec)
		p.IDNumber = id.Number
	}
	var gender string
	enum(Gender, genders, &gender)
	p.Gender = household.Gender(gender)
	date(BirthDate, &p.BirthDate)
	if t.has(Ethnicity) {
		given["ethnicity"] = true
		p.Ethnicity = cleanCode(rec.raw(Ethnicity))
		if e, ok := household.EthnicityByZH(p.Ethnicity); ok {
			p.Ethnicity = e.ZH
		} else if p.Ethnicity != "" {
			r.cellError(rec, Ethnicity, apperr.Field("ethnicity", "ethnicity", "%q is not one of the 56 ethnic groups", p.Ethnicity))
		}
	}
	enum(Residence, residences, &p.Residence)
	enum(Relation, relations, &p.Relation)
	if t.has(Phone) {
		given["phone"] = true
		var err error
		if p.Phone, err = readPhone("phone", rec.raw(Phone)); err != nil {
			r.cellError(rec, Phone, err)
		}
	}
	enum(Employment, employments, &p.Employment)
	enum(School, schools, &p.School)
	enum(DisabilityType, disabilities, &p.DisabilityType)
	if t.has(DisabilityGrade) {
		given["disability_grade"] = true
		var err error
		if p.DisabilityGrade, err = readInt("disability_grade", rec.raw(DisabilityGrade), "级"); err != nil {
			r.cellError(rec, DisabilityGrade, err)
		}
	}
	if t.has(Disability) && !t.has(DisabilityType) {
		given["disability_type"], given["disability_grade"] = true, true
		var err error
		if p.DisabilityType, p.DisabilityGrade, err = readDisability(rec.raw(Disability)); err != nil {
			r.cellError(rec, Disability, err)
		}
	}
	text(HealthNotes, &p.HealthNotes, cleanText)
	enum(Dibao, dibaos, &p.Dibao)
	date(MovedInOn, &p.MovedInOn)
	date(MovedOutOn, &p.MovedOutOn)
	date(DeceasedOn, &p.DeceasedOn)
	if t.has(Tags) {
		given["tags"] = true
		p.Tags = r.tagList(rec, Tags, "person")
	}
	if t.has(LivingAlone) {
		given["tag:living_alone_elderly"] = true
		alone, err := readYesNo("living_alone", rec.raw(LivingAlone))
		if err != nil {
			r.cellError(rec, LivingAlone, err)
		}
		if alone && !contains(p.Tags, "living_alone_elderly") {
			p.Tags = append(p.Tags, "living_alone_elderly")
		}
	}
	if id.Number != "" {
		if err := household.CheckIDAgainst(id, p.BirthDate, p.Gender); err != nil {
			fe, _ := apperr.AsField(err)
			r.problem(r.at(rec, personColumns[fe.Field], fe.Code, fe.Msg, fe.Args...))
		}
	}
	return p
}

// idNumber reads the ID number on rec, checked by household.ParseIDNumber
// and against the file's other rows.
func (r *run) idNumber(rec *record) household.IDNumber {
	s, err := readIDNumber(rec.raw(IDNumber))
	if err != nil || s == "" {
		if err != nil {
			r.lost = true
			r.cellError(rec, IDNumber, err)
		}
		return household.IDNumber{}
	}
	id, err := household.ParseIDNumber("id_number", s, r.today)
	zeros := strings.HasSuffix(s, "000")
	if err != nil {
		if fe, ok := apperr.AsField(err); ok && fe.Code == "id_check_digit" && zeros {
			err = errDigitsLost
		}
		if errors.Is(err, errDigitsLost) {
			r.lost = true
		}
		r.cellError(rec, IDNumber, err)
		return household.IDNumber{}
	}
	if zeros {
		r.zeros = append(r.zeros, rec)
	}
	h := r.hash(id.Number)
	if first, ok := r.ids[h]; ok {
		r.problem(r.at(rec, []Field{IDNumber}, "id_duplicate_in_file", "the same ID number is on sheet %s, row %d", first.sheet, first.row))
		return household.IDNumber{}
	}
	r.ids[h] = rowRef{rec.t.sheet, rec.row}
	return id
}

// tagList reads a list of tags of kind ("person" or "household") by
// Chinese name or code, separated by 、 , ; or spaces. Derived tags
// (低保, 残疾人, …) follow their fields and are left out.
func (r *run) tagList(rec *record, f Field, kind string) []string {
	out := []string{}
	for _, w := range strings.FieldsFunc(cleanText(rec.raw(f)), func(c rune) bool { return strings.ContainsRune("、,，;； \n/", c) }) {
		t, ok := r.tags[w]
		switch {
		case !ok || t.AppliesTo != kind:
			r.cellError(rec, f, apperr.Field(string(f), "tag_unknown", "unknown tag %q", w))
		case !t.Derived && !contains(out, t.Code):
			out = append(out, t.Code)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
