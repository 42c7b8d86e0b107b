package web

import (
	"net/url"
	"strconv"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

// personValues are the form values of a stored person. The ID number is
// never put back into the form: it is shown masked as a placeholder and an
// empty input keeps it. The phone likewise: a full number is only shown
// through the audited reveal.
func personValues(p *household.Person) url.Values {
	v := url.Values{}
	v.Set("version", strconv.Itoa(p.Version))
	v.Set("name", p.Name)
	v.Set("gender", string(p.Gender))
	v.Set("birth_date", p.BirthDate.String())
	v.Set("ethnicity", p.Ethnicity)
	v.Set("residence", p.Residence)
	v.Set("relation", p.Relation)
	v.Set("employment", p.Employment)
	v.Set("school", p.School)
	v.Set("disability_type", p.DisabilityType)
	if p.DisabilityGrade != 0 {
		v.Set("disability_grade", strconv.Itoa(p.DisabilityGrade))
	}
	v.Set("health_notes", p.HealthNotes)
	v.Set("dibao", p.Dibao)
	v.Set("moved_in_on", p.MovedInOn.String())
	v.Set("moved_out_on", p.MovedOutOn.String())
	v.Set("deceased_on", p.DeceasedOn.String())
	v["tags"] = manualTags(p.Tags)
	return v
}

// manualTags drops the tags that follow a field (dibao, unemployed, …):
// the form sets those through the fields.
func manualTags(tags []string) []string {
	out := []string{}
	for _, t := range tags {
		switch t {
		case "dibao", "near_dibao", "unemployed", "disabled":
		default:
			out = append(out, t)
		}
	}
	return out
}

// parsePerson reads a person form whose inputs are named prefix+field.
// Empty ID number and phone inputs keep old's values (old is nil for a new
// person).
func parsePerson(v url.Values, prefix string, old *household.Person) (household.Person, error) {
	g := func(name string) string { return strings.TrimSpace(v.Get(prefix + name)) }
	p := household.Person{Name: g("name"), IDNumber: g("id_number"), Gender: household.Gender(g("gender")),
		Ethnicity: g("ethnicity"), Residence: g("residence"), Relation: g("relation"), Phone: g("phone"),
		Employment: g("employment"), School: g("school"), DisabilityType: g("disability_type"),
		HealthNotes: v.Get(prefix + "health_notes"), Dibao: g("dibao"), Tags: append([]string{}, v[prefix+"tags"]...)}
	var err error
	if p.DisabilityGrade, err = intField(v, prefix+"disability_grade"); err != nil {
		return p, err
	}
	for _, d := range []struct {
		name string
		to   *calendar.Date
	}{{"birth_date", &p.BirthDate}, {"moved_in_on", &p.MovedInOn}, {"moved_out_on", &p.MovedOutOn}, {"deceased_on", &p.DeceasedOn}} {
		if *d.to, err = dateField(v, prefix+d.name); err != nil {
			return p, err
		}
	}
	if old != nil {
		p.ID = old.ID
		if p.IDNumber == "" {
			p.IDNumber = old.IDNumber
		}
		if p.Phone == "" {
			p.Phone = old.Phone
		}
		if p.Version, err = intField(v, "version"); err != nil {
			return p, err
		}
	}
	return p, nil
}

// prefixed renames the field of a FieldError raised for a person that the
// form shows under prefix.
func prefixed(err error, prefix string) error {
	if fe, ok := apperr.AsField(err); ok && prefix != "" && !strings.HasPrefix(fe.Field, prefix) {
		return apperr.InField(err, prefix+fe.Field)
	}
	return err
}

// personFields lays out the person form. brief keeps to what a first
// member of a new household needs.
func personFields(f *form, tags []household.Tag, old *household.Person, brief bool) {
	if old != nil {
		f.add("version", "hidden", nil)
	}
	f.text("name")
	id := f.text("id_number")
	id.Hint = f.l.T("form.id_hint")
	if old != nil && old.IDNumber != "" {
		id.Placeholder, id.Hint = old.IDNumber, f.l.T("form.keep_hint")
	}
	f.enum("gender", "gender", household.Genders, true)
	f.input("birth_date", "date").Hint = f.l.T("form.birth_hint")
	f.text("ethnicity").Hint = f.l.T("form.ethnicity_hint")
	f.enum("relation", "relation", household.Relations, false)
	ph := f.input("phone", "tel")
	if old != nil && old.Phone != "" {
		ph.Placeholder, ph.Hint = old.Phone, f.l.T("form.keep_hint")
	}
	f.enum("residence", "residence", household.Residences, false)
	f.enum("employment", "employment", household.Employments, true)
	if brief {
		return
	}
	f.enum("school", "school", household.Schools, true)
	f.enum("disability_type", "disability_type", household.Disabilities, true)
	f.enum("disability_grade", "disability_grade", []string{"1", "2", "3", "4"}, true)
	f.enum("dibao", "dibao", household.DibaoStatuses, false)
	f.add("health_notes", "textarea", nil)
	f.input("moved_in_on", "date")
	if old != nil {
		f.input("moved_out_on", "date")
		f.input("deceased_on", "date")
	}
	codes, names := tagChoices(f.l, tags, "person")
	f.checks("tags", codes, names)
}
