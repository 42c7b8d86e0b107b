package api

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

// The household file's JSON, written by hand: the byte-for-byte output
// of encoding/json for householdFile (same fields, order, omissions and
// escapes; a test compares the two on random files), without its
// reflection. encoding/json was a twentieth of the CPU of a household
// file through the API at 1M households (issue 15). A field added to
// household.Household, Person, Need, Measure, Visitor or Reason must be
// added here too: the test fills every field and fails until it is.

// jsonAppender is an answer that appends its own JSON (writeJSON).
type jsonAppender interface {
	appendJSON(b []byte) ([]byte, error)
}

// appendJSON appends f as encoding/json encodes it: the household's
// fields, then members, needs and plan (householdFile's own, which hide
// the household's of the same names).
func (f householdFile) appendJSON(b []byte) ([]byte, error) {
	h := f.Household
	if h == nil { // encoding/json leaves a nil embedded pointer's fields out
		j, err := json.Marshal(f)
		return append(b, j...), err
	}
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, h.ID, 10)
	b = append(b, `,"grid_id":`...)
	b = strconv.AppendInt(b, h.GridID, 10)
	b = jsonField(b, `,"grid_name":`, h.GridName)
	if h.CompoundID != 0 {
		b = append(b, `,"compound_id":`...)
		b = strconv.AppendInt(b, h.CompoundID, 10)
	}
	if h.CompoundName != "" {
		b = jsonField(b, `,"compound_name":`, h.CompoundName)
	}
	if h.BuildingID != 0 {
		b = append(b, `,"building_id":`...)
		b = strconv.AppendInt(b, h.BuildingID, 10)
	}
	if h.BuildingName != "" {
		b = jsonField(b, `,"building_name":`, h.BuildingName)
	}
	b = jsonField(b, `,"unit":`, h.Unit)
	b = append(b, `,"floor":`...)
	b = strconv.AppendInt(b, int64(h.Floor), 10)
	b = jsonField(b, `,"room":`, h.Room)
	b = jsonField(b, `,"address":`, h.Address)
	b = jsonField(b, `,"kind":`, string(h.Kind))
	b = jsonField(b, `,"shop_name":`, h.ShopName)
	b = jsonField(b, `,"business_type":`, h.BusinessType)
	b = jsonField(b, `,"occupancy":`, h.Occupancy)
	b = jsonField(b, `,"phone":`, h.Phone)
	b = append(b, `,"contact_times":`...)
	b = jsonStrings(b, h.ContactTimes)
	b = jsonField(b, `,"contact_note":`, h.ContactNote)
	b = jsonField(b, `,"language":`, h.Language)
	b = jsonField(b, `,"notes":`, h.Notes)
	b = append(b, `,"tags":`...)
	b = jsonStrings(b, h.Tags)
	b = jsonField(b, `,"householder":`, h.Householder)
	b = append(b, `,"member_count":`...)
	b = strconv.AppendInt(b, int64(h.MemberCount), 10)
	b = jsonField(b, `,"colour":`, string(h.Colour))
	b = append(b, `,"colour_reasons":`...)
	b = jsonList(b, h.ColourReasons, appendReason)
	if h.ColourOverride != "" {
		b = jsonField(b, `,"colour_override":`, string(h.ColourOverride))
	}
	if h.OverrideReason != "" {
		b = jsonField(b, `,"colour_override_reason":`, h.OverrideReason)
	}
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(h.Version), 10)
	var err error
	if !h.CreatedAt.IsZero() {
		if b, err = jsonTime(append(b, `,"created_at":`...), h.CreatedAt); err != nil {
			return nil, err
		}
	}
	if !h.UpdatedAt.IsZero() {
		if b, err = jsonTime(append(b, `,"updated_at":`...), h.UpdatedAt); err != nil {
			return nil, err
		}
	}
	if len(h.Visitors) > 0 {
		b = append(b, `,"visitors":`...)
		b = jsonList(b, h.Visitors, appendVisitor)
	}
	b = append(b, `,"members":`...)
	b = jsonList(b, f.Members, appendPerson)
	b = append(b, `,"needs":`...)
	if b, err = jsonListErr(b, f.Needs, appendNeed); err != nil {
		return nil, err
	}
	b = append(b, `,"plan":`...)
	if b, err = jsonListErr(b, f.Plan, appendMeasure); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

func appendReason(b []byte, r *household.Reason) []byte {
	b = jsonField(b, `{"code":`, r.Code)
	b = jsonField(b, `,"colour":`, string(r.Colour))
	b = jsonField(b, `,"name_zh":`, r.NameZH)
	b = jsonField(b, `,"name_en":`, r.NameEN)
	if r.PersonID != 0 {
		b = append(b, `,"person_id":`...)
		b = strconv.AppendInt(b, r.PersonID, 10)
	}
	if r.Person != "" {
		b = jsonField(b, `,"person":`, r.Person)
	}
	if r.Note != "" {
		b = jsonField(b, `,"note":`, r.Note)
	}
	return append(b, '}')
}

func appendVisitor(b []byte, v *household.Visitor) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, v.ID, 10)
	b = jsonField(b, `,"name":`, v.Name)
	b = jsonField(b, `,"role":`, v.Role)
	return append(b, '}')
}

func appendPerson(b []byte, p *household.Person) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, p.ID, 10)
	b = append(b, `,"household_id":`...)
	b = strconv.AppendInt(b, p.HouseholdID, 10)
	b = jsonField(b, `,"name":`, p.Name)
	b = jsonField(b, `,"id_number":`, p.IDNumber)
	b = jsonField(b, `,"gender":`, string(p.Gender))
	if !p.BirthDate.IsZero() {
		b = jsonDate(append(b, `,"birth_date":`...), p.BirthDate)
	}
	if p.Birthday != "" {
		b = jsonField(b, `,"birthday":`, p.Birthday)
	}
	b = append(b, `,"age":`...)
	b = strconv.AppendInt(b, int64(p.Age), 10)
	b = jsonField(b, `,"ethnicity":`, p.Ethnicity)
	b = jsonField(b, `,"residence":`, p.Residence)
	b = jsonField(b, `,"relation":`, p.Relation)
	b = jsonField(b, `,"phone":`, p.Phone)
	b = jsonField(b, `,"employment":`, p.Employment)
	b = jsonField(b, `,"school":`, p.School)
	b = jsonField(b, `,"disability_type":`, p.DisabilityType)
	b = append(b, `,"disability_grade":`...)
	b = strconv.AppendInt(b, int64(p.DisabilityGrade), 10)
	b = jsonField(b, `,"health_notes":`, p.HealthNotes)
	b = jsonField(b, `,"dibao":`, p.Dibao)
	b = jsonDate(append(b, `,"moved_in_on":`...), p.MovedInOn)
	b = jsonDate(append(b, `,"moved_out_on":`...), p.MovedOutOn)
	b = jsonDate(append(b, `,"deceased_on":`...), p.DeceasedOn)
	b = append(b, `,"tags":`...)
	b = jsonStrings(b, p.Tags)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(p.Version), 10)
	return append(b, '}')
}

func appendNeed(b []byte, n *household.Need) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, n.ID, 10)
	b = append(b, `,"household_id":`...)
	b = strconv.AppendInt(b, n.HouseholdID, 10)
	if n.PersonID != 0 {
		b = append(b, `,"person_id":`...)
		b = strconv.AppendInt(b, n.PersonID, 10)
	}
	b = jsonField(b, `,"kind":`, n.Kind)
	b = jsonField(b, `,"note":`, n.Note)
	b = jsonField(b, `,"status":`, n.Status)
	return jsonTimes(b, n.CreatedAt, n.UpdatedAt)
}

func appendMeasure(b []byte, m *household.Measure) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, m.ID, 10)
	b = append(b, `,"household_id":`...)
	b = strconv.AppendInt(b, m.HouseholdID, 10)
	b = jsonField(b, `,"kind":`, m.Kind)
	b = jsonField(b, `,"description":`, m.Description)
	if m.OwnerID != 0 {
		b = append(b, `,"owner_id":`...)
		b = strconv.AppendInt(b, m.OwnerID, 10)
	}
	if m.OwnerName != "" {
		b = jsonField(b, `,"owner_name":`, m.OwnerName)
	}
	b = jsonField(b, `,"frequency":`, m.Frequency)
	b = jsonField(b, `,"status":`, m.Status)
	return jsonTimes(b, m.CreatedAt, m.UpdatedAt)
}

// jsonTimes appends a record's "created_at" and "updated_at" and closes it.
func jsonTimes(b []byte, created, updated time.Time) ([]byte, error) {
	b, err := jsonTime(append(b, `,"created_at":`...), created)
	if err != nil {
		return nil, err
	}
	if b, err = jsonTime(append(b, `,"updated_at":`...), updated); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// jsonList appends xs as a JSON array, each by appendOne; null for nil.
func jsonList[T any](b []byte, xs []T, appendOne func([]byte, *T) []byte) []byte {
	if xs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendOne(b, &xs[i])
	}
	return append(b, ']')
}

// jsonListErr is jsonList with an appendOne that may fail.
func jsonListErr[T any](b []byte, xs []T, appendOne func([]byte, *T) ([]byte, error)) ([]byte, error) {
	if xs == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	var err error
	for i := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = appendOne(b, &xs[i]); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// jsonStrings appends ss as a JSON array of strings; null for nil.
func jsonStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonString(b, s)
	}
	return append(b, ']')
}

// jsonTime appends t as time.Time's MarshalJSON writes it (RFC 3339 with
// nanoseconds), or its error (a year out of 0–9999).
func jsonTime(b []byte, t time.Time) ([]byte, error) {
	b = append(b, '"')
	b, err := t.AppendText(b)
	if err != nil {
		return nil, err
	}
	return append(b, '"'), nil
}

// jsonDate appends d as calendar.Date's MarshalJSON writes it.
func jsonDate(b []byte, d calendar.Date) []byte {
	if d.IsZero() {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = append(b, d.String()...)
	return append(b, '"')
}

// jsonField appends the name (with its separator and colon) and s.
func jsonField(b []byte, name, s string) []byte {
	return jsonString(append(b, name...), s)
}

// jsonString appends s as encoding/json encodes a string (with HTML
// escaping, as json.Marshal does): quoted, with ", \ and control
// characters escaped, <, > and & as \u003c, \u003e and \u0026, invalid
// UTF-8 as \ufffd, and U+2028 and U+2029 escaped.
func jsonString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
