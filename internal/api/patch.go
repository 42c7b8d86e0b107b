package api

import (
	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

// householdPatch holds the editable fields of a household; a field left
// out is not changed. Version is the version the edit started from.
type householdPatch struct {
	Version      *int      `json:"version"`
	GridID       *int64    `json:"grid_id"`
	BuildingID   *int64    `json:"building_id"`
	Unit         *string   `json:"unit"`
	Floor        *int      `json:"floor"`
	Room         *string   `json:"room"`
	Address      *string   `json:"address"`
	Kind         *string   `json:"kind"`
	ShopName     *string   `json:"shop_name"`
	BusinessType *string   `json:"business_type"`
	Occupancy    *string   `json:"occupancy"`
	Phone        *string   `json:"phone"`
	ContactTimes *[]string `json:"contact_times"`
	ContactNote  *string   `json:"contact_note"`
	Language     *string   `json:"language"`
	Notes        *string   `json:"notes"`
	Tags         *[]string `json:"tags"`
}

// apply writes the given fields onto h.
func (p householdPatch) apply(h *household.Household) {
	h.Version = *p.Version
	set(&h.GridID, p.GridID)
	set(&h.BuildingID, p.BuildingID)
	set(&h.Unit, p.Unit)
	set(&h.Floor, p.Floor)
	set(&h.Room, p.Room)
	set(&h.Address, p.Address)
	if p.Kind != nil {
		h.Kind = household.Kind(*p.Kind)
	}
	set(&h.ShopName, p.ShopName)
	set(&h.BusinessType, p.BusinessType)
	set(&h.Occupancy, p.Occupancy)
	set(&h.Phone, p.Phone)
	set(&h.ContactTimes, p.ContactTimes)
	set(&h.ContactNote, p.ContactNote)
	set(&h.Language, p.Language)
	set(&h.Notes, p.Notes)
	set(&h.Tags, p.Tags)
	if p.BuildingID != nil && *p.BuildingID == 0 && p.Address == nil {
		h.Address = "" // leaving a building: the free address must be given
	}
}

// personPatch holds the editable fields of a person; a field left out is not
// changed, an empty date clears it, and tags replace the person's tags.
type personPatch struct {
	Version         *int      `json:"version"`
	Name            *string   `json:"name"`
	IDNumber        *string   `json:"id_number"`
	Gender          *string   `json:"gender"`
	BirthDate       *string   `json:"birth_date"`
	Ethnicity       *string   `json:"ethnicity"`
	Residence       *string   `json:"residence"`
	Relation        *string   `json:"relation"`
	Phone           *string   `json:"phone"`
	Employment      *string   `json:"employment"`
	School          *string   `json:"school"`
	DisabilityType  *string   `json:"disability_type"`
	DisabilityGrade *int      `json:"disability_grade"`
	HealthNotes     *string   `json:"health_notes"`
	Dibao           *string   `json:"dibao"`
	MovedInOn       *string   `json:"moved_in_on"`
	MovedOutOn      *string   `json:"moved_out_on"`
	DeceasedOn      *string   `json:"deceased_on"`
	Tags            *[]string `json:"tags"`
}

// apply writes the given fields onto p. A new ID number brings its own
// birth date and gender unless they are given too (and must then agree).
func (x personPatch) apply(p *household.Person) error {
	p.Version = *x.Version
	if x.IDNumber != nil && *x.IDNumber != p.IDNumber {
		p.IDNumber = *x.IDNumber
		if *x.IDNumber != "" {
			p.BirthDate, p.Gender = calendar.Date{}, ""
		}
	}
	set(&p.Name, x.Name)
	if x.Gender != nil {
		p.Gender = household.Gender(*x.Gender)
	}
	set(&p.Ethnicity, x.Ethnicity)
	set(&p.Residence, x.Residence)
	set(&p.Relation, x.Relation)
	set(&p.Phone, x.Phone)
	set(&p.Employment, x.Employment)
	set(&p.School, x.School)
	set(&p.DisabilityType, x.DisabilityType)
	set(&p.DisabilityGrade, x.DisabilityGrade)
	set(&p.HealthNotes, x.HealthNotes)
	set(&p.Dibao, x.Dibao)
	set(&p.Tags, x.Tags)
	var dates []dateField
	for _, d := range []struct {
		name string
		v    *string
		to   *calendar.Date
	}{{"birth_date", x.BirthDate, &p.BirthDate}, {"moved_in_on", x.MovedInOn, &p.MovedInOn},
		{"moved_out_on", x.MovedOutOn, &p.MovedOutOn}, {"deceased_on", x.DeceasedOn, &p.DeceasedOn}} {
		if d.v != nil {
			dates = append(dates, dateField{d.name, *d.v, d.to})
		}
	}
	return parseDates(dates...)
}

// set copies *v into *dst when v is given.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
