package api

import (
	"fmt"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

// personInput is a new person as a client sends it. Dates are strings so
// that a bad one is reported under its own field name.
type personInput struct {
	Name            string   `json:"name"`
	IDNumber        string   `json:"id_number"`
	Gender          string   `json:"gender"`
	BirthDate       string   `json:"birth_date"`
	Ethnicity       string   `json:"ethnicity"`
	Residence       string   `json:"residence"`
	Relation        string   `json:"relation"`
	Phone           string   `json:"phone"`
	Employment      string   `json:"employment"`
	School          string   `json:"school"`
	DisabilityType  string   `json:"disability_type"`
	DisabilityGrade int      `json:"disability_grade"`
	HealthNotes     string   `json:"health_notes"`
	Dibao           string   `json:"dibao"`
	MovedInOn       string   `json:"moved_in_on"`
	MovedOutOn      string   `json:"moved_out_on"`
	DeceasedOn      string   `json:"deceased_on"`
	Tags            []string `json:"tags"`
}

// person converts in to a domain person; the domain validates the rest.
func (in personInput) person() (household.Person, error) {
	p := household.Person{Name: in.Name, IDNumber: in.IDNumber, Gender: household.Gender(in.Gender),
		Ethnicity: in.Ethnicity, Residence: in.Residence, Relation: in.Relation, Phone: in.Phone,
		Employment: in.Employment, School: in.School, DisabilityType: in.DisabilityType,
		DisabilityGrade: in.DisabilityGrade, HealthNotes: in.HealthNotes, Dibao: in.Dibao, Tags: in.Tags}
	err := parseDates(dateField{"birth_date", in.BirthDate, &p.BirthDate}, dateField{"moved_in_on", in.MovedInOn, &p.MovedInOn},
		dateField{"moved_out_on", in.MovedOutOn, &p.MovedOutOn}, dateField{"deceased_on", in.DeceasedOn, &p.DeceasedOn})
	if p.Tags == nil {
		p.Tags = []string{}
	}
	return p, err
}

// dateField is a date given as text, to be parsed into to.
type dateField struct {
	name, text string
	to         *calendar.Date
}

// parseDates parses each non-empty date; "" means no date.
func parseDates(fs ...dateField) error {
	for _, f := range fs {
		if f.text == "" {
			*f.to = calendar.Date{}
			continue
		}
		d, err := calendar.ParseDate(f.name, f.text)
		if err != nil {
			return err
		}
		*f.to = d
	}
	return nil
}

// householdInput is a new household, optionally with its members.
type householdInput struct {
	GridID       int64         `json:"grid_id"`
	BuildingID   int64         `json:"building_id"`
	Unit         string        `json:"unit"`
	Floor        int           `json:"floor"`
	Room         string        `json:"room"`
	Address      string        `json:"address"`
	Kind         string        `json:"kind"`
	ShopName     string        `json:"shop_name"`
	BusinessType string        `json:"business_type"`
	Occupancy    string        `json:"occupancy"`
	Phone        string        `json:"phone"`
	ContactTimes []string      `json:"contact_times"`
	ContactNote  string        `json:"contact_note"`
	Language     string        `json:"language"`
	Notes        string        `json:"notes"`
	Tags         []string      `json:"tags"`
	Members      []personInput `json:"members"`
}

// household converts in to a domain household and its members.
func (in householdInput) household() (household.Household, []household.Person, error) {
	h := household.Household{GridID: in.GridID, BuildingID: in.BuildingID, Unit: in.Unit, Floor: in.Floor, Room: in.Room,
		Address: in.Address, Kind: household.Kind(in.Kind), ShopName: in.ShopName, BusinessType: in.BusinessType,
		Occupancy: in.Occupancy, Phone: in.Phone, ContactTimes: in.ContactTimes, ContactNote: in.ContactNote,
		Language: in.Language, Notes: in.Notes, Tags: in.Tags}
	if h.Tags == nil {
		h.Tags = []string{}
	}
	members := make([]household.Person, 0, len(in.Members))
	for i, m := range in.Members {
		p, err := m.person()
		if err != nil {
			fe, _ := apperr.AsField(err)
			return h, nil, apperr.InField(err, fmt.Sprintf("members[%d].%s", i, fe.Field))
		}
		members = append(members, p)
	}
	return h, members, nil
}
