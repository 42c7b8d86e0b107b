package household_test

import (
	"context"
	"reflect"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestTagsOrder: Tags lists every tag with its fields, in the order of
// sort and then of code, whatever order they were added in or their sort
// says, on both
// engines alike (one JSON row sorted in Go).
func TestTagsOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		before, err := household.Tags(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		added := []household.Tag{
			{Code: "z_first", AppliesTo: "household", NameZH: "甲", NameEN: "First"},
			{Code: "b_last", AppliesTo: "person", NameZH: "乙", NameEN: "Last", KeyPerson: true},
			{Code: "a_last", AppliesTo: "person", NameZH: "丙", NameEN: "Also last"},
		}
		for _, tg := range added {
			if err := household.CreateTag(ctx, db, tg); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.ExecContext(ctx, `UPDATE tags SET sort = CASE code WHEN 'z_first' THEN -5 ELSE 100000 END
			WHERE code IN ('z_first', 'b_last', 'a_last')`); err != nil {
			t.Fatal(err)
		}
		got, err := household.Tags(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(before)+3 {
			t.Fatalf("%d tags, want %d", len(got), len(before)+3)
		}
		if first, last := got[0], got[len(got)-2:]; first.Code != "z_first" || first.NameZH != "甲" || first.AppliesTo != "household" || first.KeyPerson ||
			!reflect.DeepEqual([]string{last[0].Code, last[1].Code}, []string{"a_last", "b_last"}) || !last[1].KeyPerson || last[0].KeyPerson || last[1].NameEN != "Last" {
			t.Errorf("tags %+v", got)
		}
		for i := 1; i < len(got)-2; i++ {
			if got[i].Code != before[i-1].Code {
				t.Errorf("tag %d %s, want %s", i, got[i].Code, before[i-1].Code)
			}
		}
	})
}
