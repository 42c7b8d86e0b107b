// Package household owns the household file (一户一档): households, their
// members (persons), tags, the red/yellow/green colour and why, needs, the
// household plan (一户一策) and the ledger (动态台账) of what changed.
package household

import (
	"time"
	"wanhu/internal/calendar"
)

// Kind separates homes from shops (商住分类, R3).
type Kind string

const (
	Residential Kind = "residential"
	Commercial  Kind = "commercial"
	Mixed       Kind = "mixed"
)

// Colour marks how much attention a household needs (R4).
type Colour string

const (
	Red    Colour = "red"
	Yellow Colour = "yellow"
	Green  Colour = "green"
)

// Values of the enumerated fields, in display order. The web and API
// translate them with the keys "<field>.<value>".
var (
	Kinds         = []string{"residential", "commercial", "mixed"}
	Colours       = []string{"red", "yellow", "green"}
	Occupancies   = []string{"owner", "rented", "vacant"}
	ContactTimes  = []string{"daytime", "evening", "weekend"}
	Languages     = []string{"bo", "mn", "ug", "sign", "en", "other"}
	Genders       = []string{"male", "female"}
	Residences    = []string{"registered", "resident", "floating", "foreign"}
	Relations     = []string{"householder", "spouse", "child", "parent", "grandchild", "grandparent", "sibling", "child_in_law", "other"}
	Employments   = []string{"employed", "flexible", "unemployed", "retired", "student", "preschool", "not_working"}
	Schools       = []string{"kindergarten", "primary", "junior_middle", "senior_high", "vocational", "university"}
	Disabilities  = []string{"visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple"}
	DibaoStatuses = []string{"none", "dibao", "near_dibao"}
	NeedKinds     = []string{"elderly_care", "child_care", "rehabilitation", "medical", "employment", "housing_repair", "education", "legal_aid", "financial_aid", "psychological", "other"}
	NeedStatuses  = []string{"open", "in_progress", "met", "declined"}
	MeasureKinds  = []string{"dibao_check", "rehab_referral", "weekly_visit", "temporary_relief", "medical_checkup", "home_help", "employment_help", "other"}
	Frequencies   = []string{"weekly", "biweekly", "monthly", "quarterly", "half_yearly", "yearly", "once"}
	MeasureStates = []string{"active", "paused", "done"}
)

// Household is one household's file. The slices are filled by HouseholdByID
// only; lists carry the flat fields.
type Household struct {
	ID           int64  `json:"id"`
	GridID       int64  `json:"grid_id"`
	GridName     string `json:"grid_name"`
	CompoundID   int64  `json:"compound_id,omitempty"`
	CompoundName string `json:"compound_name,omitempty"`
	BuildingID   int64  `json:"building_id,omitempty"`
	BuildingName string `json:"building_name,omitempty"`
	Unit         string `json:"unit"`
	Floor        int    `json:"floor"`
	Room         string `json:"room"`
	// Address is the full address, composed from compound, building, unit
	// and room, or given freely for premises outside a compound.
	Address      string   `json:"address"`
	Kind         Kind     `json:"kind"`
	ShopName     string   `json:"shop_name"`
	BusinessType string   `json:"business_type"`
	Occupancy    string   `json:"occupancy"`
	Phone        string   `json:"phone"`
	ContactTimes []string `json:"contact_times"`
	ContactNote  string   `json:"contact_note"`
	Language     string   `json:"language"`
	Notes        string   `json:"notes"`
	Tags         []string `json:"tags"`

	Householder    string   `json:"householder"`
	MemberCount    int      `json:"member_count"`
	Colour         Colour   `json:"colour"`
	ColourReasons  []Reason `json:"colour_reasons"`
	ColourOverride Colour   `json:"colour_override,omitempty"`
	OverrideReason string   `json:"colour_override_reason,omitempty"`

	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at,omitzero"` // not in lists
	UpdatedAt time.Time `json:"updated_at,omitzero"`

	Members  []Person  `json:"members,omitempty"`
	Needs    []Need    `json:"needs,omitempty"`
	Measures []Measure `json:"plan,omitempty"`
	// Visitors are the team members assigned to visit the household.
	Visitors []Visitor `json:"visitors,omitempty"`
}

// Person is a member of a household.
type Person struct {
	ID          int64  `json:"id"`
	HouseholdID int64  `json:"household_id"`
	Name        string `json:"name"`
	IDNumber    string `json:"id_number"`
	Gender      Gender `json:"gender"`
	// BirthDate is left out for a reader whose role may not reveal (see
	// showPerson); Birthday ("MM-DD") and Age stand in for it.
	BirthDate  calendar.Date `json:"birth_date,omitzero"`
	Birthday   string        `json:"birthday,omitempty"`
	Age        int           `json:"age"`
	Ethnicity  string        `json:"ethnicity"`
	Residence  string        `json:"residence"`
	Relation   string        `json:"relation"`
	Phone      string        `json:"phone"`
	Employment string        `json:"employment"`
	School     string        `json:"school"`
	// DisabilityType is empty for no disability; DisabilityGrade is 1
	// (most severe) to 4, or 0 for none.
	DisabilityType  string        `json:"disability_type"`
	DisabilityGrade int           `json:"disability_grade"`
	HealthNotes     string        `json:"health_notes"`
	Dibao           string        `json:"dibao"`
	MovedInOn       calendar.Date `json:"moved_in_on"`
	MovedOutOn      calendar.Date `json:"moved_out_on"`
	DeceasedOn      calendar.Date `json:"deceased_on"`
	Tags            []string      `json:"tags"`
	Version         int           `json:"version"`
}

// Current reports whether p still lives in the household.
func (p *Person) Current() bool { return p.MovedOutOn.IsZero() && p.DeceasedOn.IsZero() }

// Need is one item of a household's needs list.
type Need struct {
	ID          int64     `json:"id"`
	HouseholdID int64     `json:"household_id"`
	PersonID    int64     `json:"person_id,omitempty"`
	Kind        string    `json:"kind"`
	Note        string    `json:"note"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Measure is one measure of a household plan (一户一策, R6).
type Measure struct {
	ID          int64     `json:"id"`
	HouseholdID int64     `json:"household_id"`
	Kind        string    `json:"kind"`
	Description string    `json:"description"`
	OwnerID     int64     `json:"owner_id,omitempty"`
	OwnerName   string    `json:"owner_name,omitempty"`
	Frequency   string    `json:"frequency"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Visitor is a team member assigned to a household.
type Visitor struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// Actor is who makes a change; it goes into the ledger.
type Actor struct {
	ID   int64
	Name string
}
