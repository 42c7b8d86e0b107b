package household

import (
	"context"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestHouseholdSelectNamesColumns: every column of a file's statement
// (with its ledger, as the page reads it) has a short name. Unnamed, an
// expression's name is its text, which SQLite's driver copies into Go at
// every run: some 2 KB a file (issue 15).
func TestHouseholdSelectNamesColumns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, ledger := range []int{-1, 0, 5} {
			file := ledger >= 0
			rows, err := db.QueryContext(context.Background(), householdQuery(db, file, max(ledger, 0), "", 1, ""), 1)
			if err != nil {
				t.Fatal(err)
			}
			cols, err := rows.Columns()
			rows.Close()
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cols {
				if len(c) > 40 {
					t.Errorf("ledger %d: a column named by its text: %.60q…", ledger, c)
				}
			}
		}
	})
}
