package household

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
)

var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9-]{4,19}$`)

func oneOf(field, v string, allowed []string, emptyOK bool) error {
	if (v == "" && emptyOK) || slices.Contains(allowed, v) {
		return nil
	}
	if v == "" {
		return apperr.Field(field, "required", "is required")
	}
	return apperr.OneOf(field, v, allowed)
}

func maxLen(field, v string, n int) error {
	if utf8.RuneCountInString(v) > n {
		return apperr.Field(field, "too_long", "must be at most %d characters", n)
	}
	return nil
}

func checkPhone(field, v string) error {
	if v != "" && !phonePattern.MatchString(v) {
		return apperr.Field(field, "phone", "is not a phone number (digits, optionally + and -)")
	}
	return nil
}

// first returns the first non-nil error.
func first(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// normalizePerson trims p's text fields, applies defaults and checks
// everything that needs no database: the ID number and its agreement with
// birth date and gender, enumerations, dates and lengths.
func normalizePerson(p *Person, today calendar.Date) error {
	p.Name = strings.TrimSpace(p.Name)
	p.IDNumber = strings.TrimSpace(p.IDNumber)
	p.Phone = strings.TrimSpace(p.Phone)
	p.Ethnicity = strings.TrimSpace(p.Ethnicity)
	if p.Residence == "" {
		p.Residence = "registered"
	}
	if p.Relation == "" {
		p.Relation = "other"
	}
	if p.Dibao == "" {
		p.Dibao = "none"
	}
	if p.Name == "" {
		return apperr.Field("name", "required", "is required")
	}
	if p.IDNumber != "" {
		id, err := ParseIDNumber("id_number", p.IDNumber, today)
		if err != nil {
			return err
		}
		if err := CheckIDAgainst(id, p.BirthDate, p.Gender); err != nil {
			return err
		}
		p.IDNumber, p.BirthDate = id.Number, id.Birth
		if p.Gender == "" {
			p.Gender = id.Gender
		}
	}
	if p.BirthDate.IsZero() {
		return apperr.Field("birth_date", "required", "is required when there is no ID number (a newborn, a foreigner)")
	}
	if p.BirthDate.After(today) {
		return apperr.Field("birth_date", "date_future", "%s is in the future", p.BirthDate)
	}
	if p.Ethnicity != "" {
		e, ok := EthnicityByZH(p.Ethnicity)
		if !ok {
			return apperr.Field("ethnicity", "ethnicity", "%q is not one of the 56 ethnic groups", p.Ethnicity)
		}
		p.Ethnicity = e.ZH
	}
	switch {
	case p.DisabilityType == "" && p.DisabilityGrade != 0:
		return apperr.Field("disability_type", "required", "is required when a disability grade is given")
	case p.DisabilityType != "" && (p.DisabilityGrade < 1 || p.DisabilityGrade > 4):
		return apperr.Field("disability_grade", "disability_grade", "must be 1 (most severe) to 4")
	}
	for _, d := range []struct {
		field string
		d     calendar.Date
	}{{"moved_in_on", p.MovedInOn}, {"moved_out_on", p.MovedOutOn}, {"deceased_on", p.DeceasedOn}} {
		if d.d.After(today) {
			return apperr.Field(d.field, "date_future", "%s is in the future", d.d)
		}
	}
	return first(
		maxLen("name", p.Name, 50),
		oneOf("gender", string(p.Gender), Genders, false),
		oneOf("residence", p.Residence, Residences, false),
		oneOf("relation", p.Relation, Relations, false),
		checkPhone("phone", p.Phone),
		oneOf("employment", p.Employment, Employments, true),
		oneOf("school", p.School, Schools, true),
		oneOf("disability_type", p.DisabilityType, Disabilities, true),
		oneOf("dibao", p.Dibao, DibaoStatuses, false),
		maxLen("health_notes", p.HealthNotes, 2000),
	)
}

// normalizeHousehold trims h's text fields, applies defaults and checks what
// needs no database.
func normalizeHousehold(h *Household) error {
	h.ShopName = strings.TrimSpace(h.ShopName)
	h.BusinessType = strings.TrimSpace(h.BusinessType)
	h.Phone = strings.TrimSpace(h.Phone)
	h.Unit = strings.TrimSpace(h.Unit)
	h.Room = strings.TrimSpace(h.Room)
	h.Address = strings.TrimSpace(h.Address)
	if h.Kind == "" {
		h.Kind = Residential
	}
	if h.Occupancy == "" {
		h.Occupancy = "owner"
	}
	if h.ContactTimes == nil {
		h.ContactTimes = []string{}
	}
	for _, t := range h.ContactTimes {
		if err := oneOf("contact_times", t, ContactTimes, false); err != nil {
			return err
		}
	}
	if h.Kind != Residential && h.ShopName == "" {
		return apperr.Field("shop_name", "required", "is required for commercial and mixed premises")
	}
	if h.BuildingID == 0 && h.Address == "" {
		return apperr.Field("address", "required", "is required when the household is not in a building of a compound")
	}
	if h.Floor < -5 || h.Floor > 120 {
		return apperr.Field("floor", "range", "must be between -5 and 120")
	}
	return first(
		oneOf("kind", string(h.Kind), Kinds, false),
		oneOf("occupancy", h.Occupancy, Occupancies, false),
		oneOf("language", h.Language, Languages, true),
		checkPhone("phone", h.Phone),
		maxLen("shop_name", h.ShopName, 100),
		maxLen("address", h.Address, 200),
		maxLen("unit", h.Unit, 10),
		maxLen("room", h.Room, 20),
		maxLen("contact_note", h.ContactNote, 500),
		maxLen("notes", h.Notes, 4000),
	)
}
