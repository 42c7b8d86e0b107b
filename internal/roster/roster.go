// Package roster owns the service rosters (服务名册, R18): queries over
// people or households that give a list to act on — shown in pages,
// printed, exported to xlsx or CSV. The built-in rosters (the four-thirty
// class, free check-ups for the elderly, …) are defined here; custom
// rosters are filters over people or households that a user saves under a
// name (table saved_rosters).
//
// Every query is scoped by org.Scope, as the household files are.
// Ages count in completed years on the reference day with stats.BornBy,
// the cut-offs of the statistics, so a roster and a dashboard agree.
// Phone numbers are always masked: full values are for the audited
// reveal of a household file.
package roster

import (
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// Entity is what a roster lists: people or households.
type Entity string

const (
	Person    Entity = "person"
	Household Entity = "household"
)

// The names of the custom rosters: a filter over people or households.
const (
	People     = "people"
	Households = "households"
)

// Def is a roster: its name, titles and what it lists.
type Def struct {
	Name    string `json:"name"`
	TitleZH string `json:"title_zh"`
	TitleEN string `json:"title_en"`
	Entity  Entity `json:"entity"`
	// Custom is true for the filters over people and households.
	Custom bool `json:"custom"`

	params   []string // query parameters it takes besides on and grid
	guardian bool     // rows carry a guardian
	check    bool     // rows carry the last health check
	tags     string   // "key" (key-person tags), "all" or "" for none
}

// FileName is the name of the roster's downloads and of their xlsx sheet,
// as the office names such a list: 四点半课堂名单.
func (d Def) FileName() string { return d.TitleZH + "名单" }

// Builtins are the built-in rosters in display order.
var Builtins = []Def{
	{Name: "four_thirty", TitleZH: "四点半课堂", TitleEN: "Four-thirty class", Entity: Person, guardian: true},
	{Name: "elderly_checkup", TitleZH: "老年人免费体检", TitleEN: "Free check-ups for the elderly", Entity: Person, params: []string{"age_from"}, check: true},
	{Name: "living_alone_elderly", TitleZH: "独居老人", TitleEN: "Elderly living alone", Entity: Person},
	{Name: "dibao_review", TitleZH: "低保/低保边缘复核", TitleEN: "Dibao and near-dibao review", Entity: Person},
	{Name: "fire_safety", TitleZH: "消防安全巡查", TitleEN: "Fire-safety round", Entity: Household},
	{Name: "school_start", TitleZH: "入园入学", TitleEN: "Kindergarten and school starts", Entity: Person, guardian: true},
	{Name: "key_persons", TitleZH: "重点人群", TitleEN: "Key persons", Entity: Person, params: []string{"tag"}, tags: "key"},
	{Name: "special_difficulty", TitleZH: "特殊困难家庭", TitleEN: "Special-difficulty households", Entity: Household},
}

// customs are the filters over people and households.
var customs = []Def{
	{Name: People, TitleZH: "人员筛选", TitleEN: "People filter", Entity: Person, Custom: true, tags: "all",
		params: []string{"age", "compound", "building", "sex", "ethnicity", "tag", "dibao"}},
	{Name: Households, TitleZH: "户筛选", TitleEN: "Household filter", Entity: Household, Custom: true,
		params: []string{"kind", "colour", "occupancy", "tag"}},
}

// Lookup returns the roster named name, built-in or custom;
// apperr.ErrNotFound when there is none.
func Lookup(name string) (Def, error) {
	for _, d := range append(Builtins[:len(Builtins):len(Builtins)], customs...) {
		if d.Name == name {
			return d, nil
		}
	}
	return Def{}, apperr.ErrNotFound
}

// Title returns the title in language lang ("en" or Chinese).
func (d Def) Title(lang string) string {
	if lang == "en" {
		return d.TitleEN
	}
	return d.TitleZH
}

// Guardian is who looks after a child: the householder or another adult
// member of the household. Phone is masked.
type Guardian struct {
	Name     string `json:"name"`
	Relation string `json:"relation"`
	Phone    string `json:"phone"`
}

// Item is one row of a roster: a person with their household, or a
// household. Fields a roster does not fill are left out of its JSON.
type Item struct {
	PersonID int64            `json:"person_id,omitempty"`
	Name     string           `json:"name,omitempty"`
	Gender   household.Gender `json:"gender,omitempty"`
	// BirthDate is left out for a reader who may not see birth years
	// (household.Birth); Birthday ("MM-DD") and Age stand in for it.
	BirthDate calendar.Date `json:"birth_date,omitzero"`
	Birthday  string        `json:"birthday,omitempty"`
	Age       *int          `json:"age,omitempty"`
	Ethnicity string        `json:"ethnicity,omitempty"`
	Relation  string        `json:"relation,omitempty"`
	Dibao     string        `json:"dibao,omitempty"`
	// Start is "kindergarten" (入园, 3 on 31 August) or "school" (入学, 6).
	Start    string    `json:"start,omitempty"`
	Guardian *Guardian `json:"guardian,omitempty"`
	// LastCheckOn is the day of the last health check (体检) recorded.
	LastCheckOn calendar.Date `json:"last_check_on,omitzero"`

	HouseholdID  int64            `json:"household_id"`
	Address      string           `json:"address"`
	GridID       int64            `json:"grid_id"`
	GridName     string           `json:"grid_name"`
	Colour       household.Colour `json:"colour"`
	Kind         household.Kind   `json:"kind,omitempty"`
	ShopName     string           `json:"shop_name,omitempty"`
	BusinessType string           `json:"business_type,omitempty"`
	Occupancy    string           `json:"occupancy,omitempty"`
	Householder  string           `json:"householder,omitempty"`
	Members      int              `json:"member_count,omitempty"`
	Phone        string           `json:"phone,omitempty"`
	Reasons      []string         `json:"colour_reasons,omitempty"`
	Tags         []string         `json:"tags,omitempty"`
	// FireSafetyFocus marks premises tagged fire_safety_focus (消防重点).
	FireSafetyFocus bool       `json:"fire_safety_focus,omitempty"`
	LastVisitAt     *time.Time `json:"last_visit_at,omitempty"`
	// LastRoundAt is when the shop's last fire-safety check (a safety
	// round, internal/round) was done, and LastRoundFailed how many of its
	// items failed (fire_safety only).
	LastRoundAt     *time.Time    `json:"last_round_at,omitempty"`
	LastRoundFailed *int          `json:"last_round_failed,omitempty"`
	NextDueOn       calendar.Date `json:"next_due_on,omitzero"`
}

// Store reads the rosters of the households in a scope.
type Store struct {
	db    *store.DB
	scope org.Scope
	// small says the scope is small (household.SmallScope): its rows lead,
	// and a tag is looked up for each (tagged).
	small bool
}

// New returns the rosters of db as scope may see them.
func New(db *store.DB, scope org.Scope) *Store {
	return &Store{db: db, scope: scope}
}

// Params lists the query parameters roster d takes besides on and grid.
func (d Def) Params() []string { return d.params }
