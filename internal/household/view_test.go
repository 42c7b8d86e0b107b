package household_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/org"
	"wanhu/internal/pii"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestMaskedForReader is issue 11's first hole, closed in the domain: the
// store returns persons masked for its reader, a visitor never gets the
// birth year beside the masked ID number, what a reader sends back as it
// was shown changes nothing, and full values come only through the
// audited reveal.
func TestMaskedForReader(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		s, f := setup(t, db)
		const phone, hhPhone = "13912345678", "09718123456"
		idNum := householdtest.IDNumber("1987-08-02", 727)
		h, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[0].ID, Unit: "1", Room: "201", Phone: hhPhone},
			[]household.Person{{Name: "马明", IDNumber: idNum, Phone: phone, Relation: "householder", HealthNotes: "糖尿病"}})
		if err != nil {
			t.Fatal(err)
		}
		pid := h.Members[0].ID
		m := org.TeamMember{CommunityID: f.Community.ID, GridID: f.Grids[0].ID, Name: "网格员", Role: org.RoleGridWorker}
		if err := org.CreateTeamMember(ctx, db, &m); err != nil {
			t.Fatal(err)
		}
		if err := s.Assign(ctx, m.ID, h.ID); err != nil {
			t.Fatal(err)
		}
		visitor := s.In(org.Scope{MemberID: m.ID})
		leader := s.In(org.Scope{GridIDs: []int64{f.Grids[0].ID}, Reveal: true})

		// The visitor: masked numbers, no birth year, no health notes; the
		// age and the birthday stand in.
		p, err := visitor.PersonByID(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		if p.IDNumber != pii.MaskIDNumber(idNum) || p.Phone != pii.MaskPhone(phone) || !p.BirthDate.IsZero() ||
			p.Birthday != "08-02" || p.Age != 38 || p.HealthNotes != household.Hidden {
			t.Errorf("the visitor reads %+v", p)
		}
		b, _ := json.Marshal(p)
		if strings.Contains(string(b), "birth_date") || strings.Contains(string(b), "1987") || strings.Contains(string(b), "糖尿病") {
			t.Errorf("the visitor's JSON gives the birth year or health: %s", b)
		}
		file, err := visitor.HouseholdByID(ctx, h.ID)
		if err != nil || file.Phone != pii.MaskPhone(hhPhone) || file.Members[0].IDNumber != pii.MaskIDNumber(idNum) || !file.Members[0].BirthDate.IsZero() {
			t.Errorf("the visitor's file %+v (%v)", file, err)
		}
		list, _, err := visitor.List(ctx, household.Filter{})
		if err != nil || len(list) != 1 || list[0].Phone != pii.MaskPhone(hhPhone) {
			t.Errorf("the visitor's list %+v (%v)", list, err)
		}

		// The grid leader sees the birth date and health notes; numbers are
		// masked for every role.
		p, err = leader.PersonByID(ctx, pid)
		if err != nil || p.IDNumber != pii.MaskIDNumber(idNum) || p.Phone != pii.MaskPhone(phone) || p.BirthDate != mustDate("1987-08-02") || p.HealthNotes != "糖尿病" {
			t.Errorf("the leader reads %+v (%v)", p, err)
		}

		// Saving what was shown keeps the numbers: the leader renames, the
		// visitor records an event.
		p.Name = "马明远"
		if _, err := leader.UpdatePerson(ctx, clerk, *p); err != nil {
			t.Fatal(err)
		}
		if _, err := visitor.RecordEvent(ctx, clerk, pid, household.Event{Type: household.EvLostJob}); err != nil {
			t.Fatal(err)
		}
		hh, _ := leader.HouseholdByID(ctx, h.ID)
		hh.Notes = "晚上在家"
		if _, err := leader.UpdateHousehold(ctx, clerk, *hh); err != nil {
			t.Fatal(err)
		}
		log := audit.New(db)
		who := audit.Entry{Username: "leader1", Detail: "低保复核"}
		for field, want := range map[string]string{"id_number": idNum, "phone": phone, "health_notes": "糖尿病"} {
			if _, got, _, err := leader.RevealPerson(ctx, log, who, pid, field); err != nil || got != want {
				t.Errorf("after the saves, %s reveals %q (%v), want it unchanged", field, got, err)
			}
		}
		if _, got, err := leader.RevealHousehold(ctx, log, who, h.ID); err != nil || got != hhPhone {
			t.Errorf("after the save, the household's phone reveals %q (%v)", got, err)
		}
		if p, _ := s.PersonByID(ctx, pid); p.BirthDate != mustDate("1987-08-02") || p.Name != "马明远" || p.Employment != "unemployed" {
			t.Errorf("after the saves: %+v", p)
		}

		// The visitor may not reveal, and a person out of scope is not
		// there; both attempts are in the audit log as denied.
		if _, _, _, err := visitor.RevealPerson(ctx, log, audit.Entry{Username: "visitor1", Detail: "好奇"}, pid, "id_number"); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("the visitor's reveal: %v", err)
		}
		other := s.In(org.Scope{GridIDs: []int64{f.Grids[1].ID}, Reveal: true})
		if _, _, _, err := other.RevealPerson(ctx, log, audit.Entry{Username: "leader2", Detail: "看看"}, pid, "id_number"); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("another grid's leader's reveal: %v", err)
		}
		recs, _, err := log.Search(ctx, audit.Filter{Action: "reveal.id_number"})
		if err != nil {
			t.Fatal(err)
		}
		results := map[string]string{}
		for _, r := range recs {
			results[r.Username] = r.Result
		}
		if results["leader1"] != audit.OK || results["visitor1"] != audit.Denied || results["leader2"] != audit.Denied {
			t.Errorf("reveals in the audit log: %v", results)
		}

		// The ledger: a visitor sees a changed birth date without its year.
		p, _ = leader.PersonByID(ctx, pid)
		p.BirthDate, p.IDNumber = mustDate("1987-08-03"), ""
		if _, err := leader.UpdatePerson(ctx, clerk, *p); err != nil {
			t.Fatal(err)
		}
		es, _, err := visitor.Ledger(ctx, household.LedgerFilter{HouseholdID: h.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.Field == "birth_date" && (e.Before != "08-02" || e.After != "08-03") {
				t.Errorf("the visitor's ledger shows the birth date %q → %q", e.Before, e.After)
			}
			if e.Field == "health_notes" && e.After != "" && e.After != household.Hidden {
				t.Errorf("the visitor's ledger shows health notes %q", e.After)
			}
		}
	})
}
