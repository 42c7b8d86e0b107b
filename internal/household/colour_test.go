package household_test

import (
	"context"
	"testing"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

func TestDefaultColourRules(t *testing.T) {
	today := mustDate("2026-06-01")
	born := func(age int) calendar.Date { return mustDate("2026-01-01").AddYears(-age) }
	p := func(age int, mod func(*household.Person)) household.Person {
		x := household.Person{Name: "x", BirthDate: born(age), Tags: []string{}}
		if mod != nil {
			mod(&x)
		}
		return x
	}
	tag := func(t string) func(*household.Person) {
		return func(p *household.Person) { p.Tags = append(p.Tags, t) }
	}
	cases := []struct {
		name    string
		members []household.Person
		colour  household.Colour
		reason  string
	}{
		{"empty (a vacant flat)", nil, household.Green, "ordinary"},
		{"ordinary family", []household.Person{p(40, nil), p(38, nil), p(10, nil)}, household.Green, "ordinary"},
		{"living alone elderly", []household.Person{p(78, tag("living_alone_elderly"))}, household.Red, "living_alone_elderly"},
		{"grade 2 disability", []household.Person{p(30, func(p *household.Person) { p.DisabilityType, p.DisabilityGrade = "physical", 2 })}, household.Red, "severe_disability"},
		{"grade 3 disability", []household.Person{p(30, func(p *household.Person) { p.DisabilityType, p.DisabilityGrade = "hearing", 3 })}, household.Yellow, "other_disability"},
		{"serious illness", []household.Person{p(50, tag("serious_illness"))}, household.Red, "serious_illness"},
		{"dibao with a child", []household.Person{p(35, func(p *household.Person) { p.Dibao = "dibao" }), p(17, nil)}, household.Red, "dibao_dependant"},
		{"dibao, adults only", []household.Person{p(35, func(p *household.Person) { p.Dibao = "dibao" }), p(18, nil)}, household.Green, "ordinary"},
		{"dibao with a parent of 60", []household.Person{p(35, func(p *household.Person) { p.Dibao = "dibao" }), p(60, nil)}, household.Red, "dibao_dependant"},
		{"unemployed member", []household.Person{p(45, func(p *household.Person) { p.Employment = "unemployed" })}, household.Yellow, "unemployed"},
		{"near dibao", []household.Person{p(45, func(p *household.Person) { p.Dibao = "near_dibao" })}, household.Yellow, "near_dibao"},
		{"couple both 80", []household.Person{p(80, nil), p(81, nil)}, household.Yellow, "elderly_couple_80"},
		{"couple 80 and 79", []household.Person{p(80, nil), p(79, nil)}, household.Green, "ordinary"},
		{"couple 80+ with a carer", []household.Person{p(85, nil), p(82, nil), p(50, nil)}, household.Green, "ordinary"},
		{"moved out members don't count", []household.Person{p(78, tag("living_alone_elderly")), p(40, func(p *household.Person) { p.MovedOutOn = mustDate("2026-01-01") })}, household.Red, "living_alone_elderly"},
		{"dead members don't count", []household.Person{p(40, nil), p(90, func(p *household.Person) { p.DeceasedOn = mustDate("2026-01-01"); p.Tags = []string{"serious_illness"} })}, household.Green, "ordinary"},
	}
	for _, c := range cases {
		colour, reasons := household.Evaluate(household.DefaultRules, nil, c.members, today)
		if colour != c.colour || len(reasons) == 0 || reasons[0].Code != c.reason {
			t.Errorf("%s: %s %+v, want %s for %s", c.name, colour, reasons, c.colour, c.reason)
		}
	}
	// Several reasons of the winning colour are all given.
	_, reasons := household.Evaluate(household.DefaultRules, nil, []household.Person{p(78, tag("living_alone_elderly")), p(50, tag("serious_illness"))}, today)
	if len(reasons) != 2 {
		t.Errorf("two red reasons, got %+v", reasons)
	}
}

func TestValidateRules(t *testing.T) {
	bad := [][]household.Rule{
		{{Colour: household.Green, Code: "x", When: household.Cond{Members: 1}}},
		{{Colour: household.Red, Code: "", When: household.Cond{Members: 1}}},
		{{Colour: household.Red, Code: "x", When: household.Cond{Members: 1}}, {Colour: household.Yellow, Code: "x", When: household.Cond{Members: 2}}},
		{{Colour: household.Red, Code: "x"}},
	}
	for i, rules := range bad {
		if household.ValidateRules(rules) == nil {
			t.Errorf("bad rule set %d accepted", i)
		}
	}
	if err := household.ValidateRules(household.DefaultRules); err != nil {
		t.Errorf("default rules: %v", err)
	}
}

// TestConfiguredRules replaces the rules and checks that every household is
// recoloured and the change is in the ledger.
func TestConfiguredRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		h, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[0].ID, Room: "101"},
			[]household.Person{{Name: "老兵", Gender: household.Male, BirthDate: mustDate("1950-01-01"), Tags: []string{"veteran"}}})
		if err != nil || h.Colour != household.Green {
			t.Fatalf("%v %s", err, h.Colour)
		}
		rules := append([]household.Rule{{Colour: household.Yellow, Code: "veteran", NameZH: "退役军人", NameEN: "Veteran",
			When: household.Cond{AnyMember: &household.Match{Tag: "veteran"}}}}, household.DefaultRules...)
		if err := s.SetRules(ctx, clerk, rules); err != nil {
			t.Fatal(err)
		}
		h, _ = s.HouseholdByID(ctx, h.ID)
		if h.Colour != household.Yellow || h.ColourReasons[0].Code != "veteran" {
			t.Errorf("after new rules: %s %+v", h.Colour, h.ColourReasons)
		}
		evs, _, _ := s.Ledger(ctx, household.LedgerFilter{HouseholdID: h.ID, Type: household.EvColourChanged})
		if len(evs) != 1 || evs[0].Before != "green" || evs[0].After != "yellow" {
			t.Errorf("colour change ledger %+v", evs)
		}
		if err := s.SetRules(ctx, clerk, []household.Rule{{Colour: household.Green, Code: "x", When: household.Cond{Members: 1}}}); err == nil {
			t.Error("invalid rules saved")
		}
		got, _ := s.Rules(ctx)
		if len(got) != len(rules) {
			t.Errorf("invalid rules replaced the good ones: %d rules", len(got))
		}
	})
}
