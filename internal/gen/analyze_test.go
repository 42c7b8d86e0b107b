package gen_test

import (
	"context"
	"testing"

	"wanhu/internal/gen"
	"wanhu/internal/store/storetest"
)

// TestPostgresTablesAnalyzed checks that a city made on PostgreSQL leaves
// the planner statistics of its small tables too (the org tree, the
// buildings), not only of the big ones: without them PostgreSQL takes the
// city's grids for one or two rows and picks plans that read each
// household once per grid. reltuples is -1 for a table never analyzed.
func TestPostgresTablesAnalyzed(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	defer gen.SetAnalyzeThreshold(0)()
	if _, err := gen.Generate(ctx, db, gen.Options{Households: 200, Today: articleDay}); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"org_units", "buildings", "compounds", "team_members"} {
		var tuples float64
		if err := db.QueryRowContext(ctx, `SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = current_schema() AND c.relname = ?`, table).Scan(&tuples); err != nil {
			t.Fatal(err)
		}
		if tuples < 1 {
			t.Errorf("%s: reltuples %v, not analyzed", table, tuples)
		}
	}
}
