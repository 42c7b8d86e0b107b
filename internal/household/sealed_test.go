package household_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/pii"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestSealedAtRest: the database holds no ID number or phone in clear, and
// search by either still finds the household.
func TestSealedAtRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		idNum, hhPhone, pPhone := householdtest.IDNumber("1950-03-04", 17), "0971-8765432", "13987654321"
		h, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[0].ID, Unit: "1", Room: "101", Phone: hhPhone},
			[]household.Person{{Name: "马国英", IDNumber: idNum, Phone: pPhone, Relation: "householder"}})
		if err != nil {
			t.Fatal(err)
		}
		// What the store returns is masked; the audited reveal gives the
		// values back whole.
		if h.Phone != pii.MaskPhone(hhPhone) || h.Members[0].IDNumber != pii.MaskIDNumber(idNum) || h.Members[0].Phone != pii.MaskPhone(pPhone) {
			t.Fatalf("read back %q %q %q", h.Phone, h.Members[0].IDNumber, h.Members[0].Phone)
		}
		log := audit.New(db)
		_, gotID, _, err1 := s.RevealPerson(ctx, log, audit.Entry{Username: "t", Detail: "test"}, h.Members[0].ID, "id_number")
		_, gotPhone, _, err2 := s.RevealPerson(ctx, log, audit.Entry{Username: "t", Detail: "test"}, h.Members[0].ID, "phone")
		_, gotHH, err3 := s.RevealHousehold(ctx, log, audit.Entry{Username: "t", Detail: "test"}, h.ID)
		if gotID != idNum || gotPhone != pPhone || gotHH != hhPhone || errors.Join(err1, err2, err3) != nil {
			t.Fatalf("revealed %q %q %q (%v)", gotID, gotPhone, gotHH, errors.Join(err1, err2, err3))
		}
		rows, err := db.QueryContext(ctx, `SELECT 'h', phone, COALESCE(phone_hash, '') FROM households
			UNION ALL SELECT 'p', COALESCE(id_number, '') || ' ' || phone, COALESCE(id_number_hash, '') || ' ' || COALESCE(phone_hash, '') FROM persons`)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var kind, sealed, hashes string
			if err := rows.Scan(&kind, &sealed, &hashes); err != nil {
				t.Fatal(err)
			}
			n++
			for _, clear := range []string{idNum, idNum[:10], hhPhone, "8765432", pPhone, "87654321"} {
				if strings.Contains(sealed, clear) || strings.Contains(hashes, clear) {
					t.Errorf("%s row holds %q in clear: %s", kind, clear, sealed)
				}
			}
			if !strings.HasPrefix(sealed, "v1.1.") {
				t.Errorf("%s row is not sealed: %s", kind, sealed)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if n != 2 {
			t.Fatalf("%d rows", n)
		}
		// Search: by the household's phone (with or without its dash), a
		// member's phone, an ID number in either case of its check character.
		for _, q := range []string{"09718765432", pPhone, idNum, strings.ToLower(idNum)} {
			got, total, err := s.List(ctx, household.Filter{Q: q})
			if err != nil {
				t.Fatal(err)
			}
			if total != 1 || len(got) != 1 || got[0].ID != h.ID || got[0].Phone != pii.MaskPhone(hhPhone) {
				t.Errorf("search %q: %d found", q, total)
			}
		}
		if _, total, _ := s.List(ctx, household.Filter{Q: "13900000000"}); total != 0 {
			t.Errorf("search for an unknown phone found %d", total)
		}
		// A duplicate ID number still names the household that has it.
		_, err = s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[1].ID, Unit: "2", Room: "202"},
			[]household.Person{{Name: "马小英", IDNumber: idNum, Relation: "householder"}})
		fe, ok := apperr.AsField(err)
		if !ok || fe.Code != "id_duplicate" || !strings.Contains(err.Error(), h.Address) {
			t.Fatalf("duplicate ID number: %v", err)
		}
		if strings.Contains(err.Error(), idNum) {
			t.Error("the error shows the ID number")
		}
		// A store without keys refuses to read or write them.
		db.SetKeys(nil)
		if _, err := s.HouseholdByID(ctx, h.ID); err == nil {
			t.Error("read a sealed household without keys")
		}
		if _, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[1].ID, Unit: "3", Phone: hhPhone}, nil); err == nil {
			t.Error("wrote a phone without keys")
		}
	})
}

// TestHealthNotesSealed: health notes are sealed at rest like ID numbers,
// in the persons table and in the ledger's record of their changes, and
// those an older version left in clear are sealed once at start.
func TestHealthNotesSealed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		h, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[0].ID, Unit: "1", Room: "101"},
			[]household.Person{{Name: "马国英", Gender: household.Female, BirthDate: mustDate("1950-03-04"), Relation: "householder", HealthNotes: "高血压二级"}})
		if err != nil {
			t.Fatal(err)
		}
		p := h.Members[0]
		p.HealthNotes = "高血压二级，糖尿病"
		if _, err := s.UpdatePerson(ctx, clerk, p); err != nil {
			t.Fatal(err)
		}
		clear := func() int {
			var n int
			if err := db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM persons WHERE health_notes LIKE '%高血压%')
				+ (SELECT COUNT(*) FROM ledger_events WHERE before LIKE '%高血压%' OR after LIKE '%高血压%')`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := clear(); n != 0 {
			t.Errorf("%d rows hold the health notes in clear", n)
		}
		es, _, err := s.Ledger(ctx, household.LedgerFilter{HouseholdID: h.ID})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range es {
			found = found || e.Field == "health_notes" && e.Before == "高血压二级" && e.After == "高血压二级，糖尿病"
		}
		if !found {
			t.Errorf("the ledger does not read the health notes back: %+v", es)
		}

		// A database of an older version: notes in clear, no mark.
		if _, err := db.ExecContext(ctx, `UPDATE persons SET health_notes = '旧病史：高血压'`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE ledger_events SET before = '', after = '高血压' WHERE field = 'health_notes'`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM settings WHERE key = 'health_notes_sealed'`); err != nil {
			t.Fatal(err)
		}
		n, err := household.SealHealthNotes(ctx, db, 1)
		if err != nil || n != 2 {
			t.Fatalf("sealed %d rows (%v), want 2", n, err)
		}
		if n := clear(); n != 0 {
			t.Errorf("after sealing, %d rows hold the health notes in clear", n)
		}
		if got, _ := s.PersonByID(ctx, p.ID); got.HealthNotes != "旧病史：高血压" {
			t.Errorf("read back %q", got.HealthNotes)
		}
		if n, err := household.SealHealthNotes(ctx, db, 1); err != nil || n != 0 {
			t.Errorf("a second start sealed %d rows (%v)", n, err)
		}
	})
}
