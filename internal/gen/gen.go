// Package gen generates deterministic demo data: the Dongxing community of
// the seed article (东兴社区, 4,470 households, 7 grids, 3 compounds, 254 key
// persons, 134 special-difficulty households, a 26-person visiting team) and,
// for larger runs, more communities of 西宁市 in the same proportions, up to a
// whole city of a million households.
//
// The same Options give the same data: every random choice comes from one
// PCG seeded with Options.Seed, drawn in a fixed order, and ids are assigned
// here rather than by the database.
package gen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

// Dongxing's figures from the seed article.
const (
	DongxingHouseholds        = 4470
	DongxingKeyPersons        = 254
	DongxingSpecialDifficulty = 134
	gridsPerCommunity         = 7
)

// Options say what to generate.
type Options struct {
	Households int                   // default 4470 (Dongxing)
	Seed       int64                 // default 1
	Today      calendar.Date         // reference day for ages and ID numbers; zero = calendar.Today()
	Progress   func(done, total int) // called about every 1% of households (may be nil)
	// Stage, if set, is called as each step after the households begins,
	// with what it does ("Making the requests"), for a progress line.
	Stage func(what string)
	// CommunitySize is about how many households each community after
	// Dongxing has (each has seven grids); default DongxingHouseholds.
	CommunitySize int
}

// Summary counts what Generate made.
type Summary struct {
	Communities, Grids, Compounds, Buildings, Households, Persons, KeyPersons, SpecialDifficulty, TeamMembers, LedgerEvents int
	// CommunityID is the id of the first community (东兴社区).
	CommunityID int64
	// Week is what was made of Dongxing's current week: plans and visits.
	Week WeekSummary
}

// Generate fills an empty migrated database (it fails if households already
// exist) and returns what it made. Each community is generated in memory and
// written in one transaction while the next one is being generated, so
// memory stays bounded whatever the size. Dongxing gets requests, a
// survey, its team's training and the current week: each grid's plan of
// the ISO week of Today and its visits of the days before Today.
func Generate(ctx context.Context, db *store.DB, o Options) (Summary, error) {
	if o.Households <= 0 {
		o.Households = DongxingHouseholds
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Today.IsZero() {
		o.Today = calendar.Today()
	}
	if o.CommunitySize <= 0 {
		o.CommunitySize = DongxingHouseholds
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM households`).Scan(&n); err != nil {
		return Summary{}, err
	}
	if n > 0 {
		return Summary{}, fmt.Errorf("generate: the database already has %d households; start from an empty one", n)
	}
	g, err := newGenerator(ctx, db, o)
	if err != nil {
		return Summary{}, err
	}
	sum, err := g.generate(ctx, db)
	if err != nil {
		return sum, err
	}
	for _, s := range []struct {
		what string
		run  func() error
	}{
		{"Making the requests", func() error { return g.dongxingRequests(ctx, db, sum.CommunityID) }},
		{"Making the talk room's log and a mediation case", func() error { return g.dongxingTalks(ctx, db, sum.CommunityID) }},
		{"Making the survey answers", func() error { return g.dongxingSurvey(ctx, db, sum.CommunityID) }},
		{"Making the training records", func() error { return g.dongxingTraining(ctx, db, sum.CommunityID) }},
		{"Making this week's visit plans and visits (" + visit.WeekOf(o.Today).String() + ")", func() (err error) {
			sum.Week, err = g.dongxingWeek(ctx, db, sum.CommunityID)
			return err
		}},
		{"Calling the living-alone elderly the week's route has not reached", func() error { return g.dongxingAloneElderly(ctx, db, sum.CommunityID) }},
		{"Putting the late volunteer into this week's plan", func() error { return g.dongxingLateVolunteer(ctx, db, sum.CommunityID) }},
		{"Recording the residents' thanks and a complaint", func() error { return g.dongxingFeedback(ctx, db, sum.CommunityID) }},
		{"Making the four-thirty class, the check-ups and the neighbourhood festival", func() error { return g.dongxingProgrammes(ctx, db, sum.CommunityID) }},
	} {
		if o.Stage != nil {
			o.Stage(s.what)
		}
		if err := s.run(); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// generate writes the communities, their households and their histories,
// with the secondary indexes of a big SQLite city dropped meanwhile and
// built again at the end.
func (g *generator) generate(ctx context.Context, db *store.DB) (sum Summary, err error) {
	o := g.o
	var creates []string
	if db.Dialect() == store.SQLite && o.Households >= bulkIndexThreshold {
		creates, err = dropIndexes(ctx, db)
		if err != nil {
			return Summary{}, err
		}
		defer func() {
			if ierr := createIndexes(context.WithoutCancel(ctx), db, creates); ierr != nil && err == nil {
				err = ierr
			}
		}()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *community, 1)
	go func() {
		defer close(batches)
		for ci, size := range communitySizes(o.Households, o.CommunitySize) {
			c := g.community(ci, size)
			g.checkups(c)
			c.seal(db.Keys())
			select {
			case batches <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	done := 0
	step := max(o.Households/100, 1)
	for c := range batches {
		if err := writeCommunity(ctx, db, c); err != nil {
			cancel()
			for range batches { // let the generator finish
			}
			return sum, err
		}
		c.addTo(&sum)
		if o.Progress != nil && (done+len(c.households))/step != done/step {
			o.Progress(done+len(c.households), o.Households)
		}
		done += len(c.households)
	}
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	if db.Dialect() == store.Postgres {
		if err := resetSequences(ctx, db); err != nil {
			return sum, err
		}
		if o.Households >= bulkIndexThreshold {
			// Autovacuum would come later: until then the planner guesses
			// the sizes of the new rows and picks slow plans (a name
			// search took 500 ms instead of 11 ms), and the visibility map
			// is empty, so index-only scans read the table.
			for _, t := range bulkTables {
				if _, err := db.ExecContext(ctx, `VACUUM ANALYZE `+t); err != nil {
					return sum, err
				}
			}
		}
		if o.Households >= analyzeThreshold {
			if err := analyzeOthers(ctx, db); err != nil {
				return sum, err
			}
		}
	}
	if creates != nil && o.Stage != nil {
		o.Stage("Rebuilding the indexes")
	}
	return sum, nil
}

// communitySizes splits n households into communities: Dongxing first with
// its 4,470, then as many communities of about size households as the rest
// needs.
func communitySizes(n, size int) []int {
	if n <= DongxingHouseholds {
		return []int{n}
	}
	out := []int{DongxingHouseholds}
	rest := n - DongxingHouseholds
	k := (rest + size - 1) / size
	for i := range k {
		out = append(out, rest*(i+1)/k-rest*i/k)
	}
	return out
}

// share returns community ci's part of a city-wide total that is
// proportional to households (total per DongxingHouseholds): the rounded
// cumulative target minus what earlier communities got, so the parts add up
// exactly.
func share(per, before, size int) int {
	round := func(h int) int { return (h*per*2 + DongxingHouseholds) / (2 * DongxingHouseholds) }
	return round(before+size) - round(before)
}

// ids holds the next id of each table.
type ids struct {
	org, team, compound, building, household, person, need, measure, ledger, visit int64
}

// next returns the id *p and advances it.
func next(p *int64) int64 {
	id := *p
	*p++
	return id
}

// generator holds the state carried from one community to the next.
type generator struct {
	o        Options
	r        *rand.Rand
	today    calendar.Date
	now      time.Time // 10:00 in Xining on Today, in UTC
	ids      ids
	idnums   *idAllocator
	city     int64
	district map[string]unitRow // by name
	streets  map[string]unitRow // by name
	before   int                // households in earlier communities
	policy   visit.Policy
	// gridIDs, on an empty database, gives the first community's grids the
	// ids 1–7, so that in the demo a grid's id is its number.
	gridIDs bool
}

func newGenerator(ctx context.Context, db *store.DB, o Options) (*generator, error) {
	g := &generator{
		o:        o,
		r:        rand.New(rand.NewPCG(uint64(o.Seed), 0x5741_4e48_55)), // "WANHU"
		today:    o.Today,
		now:      o.Today.Time().Add(2 * time.Hour), // 10:00 CST
		idnums:   newIDAllocator(),
		district: map[string]unitRow{},
		streets:  map[string]unitRow{},
	}
	for _, t := range []struct {
		table string
		p     *int64
	}{{"org_units", &g.ids.org}, {"team_members", &g.ids.team}, {"compounds", &g.ids.compound}, {"buildings", &g.ids.building},
		{"households", &g.ids.household}, {"persons", &g.ids.person}, {"needs", &g.ids.need}, {"plan_measures", &g.ids.measure},
		{"ledger_events", &g.ids.ledger}, {"visits", &g.ids.visit}} {
		if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM `+t.table).Scan(t.p); err != nil {
			return nil, err
		}
	}
	var err error
	if g.policy, err = visit.LoadPolicy(ctx, db); err != nil {
		return nil, err
	}
	if g.ids.org == 1 {
		g.gridIDs, g.ids.org = true, gridsPerCommunity+1
	}
	return g, nil
}

// resetSequences moves PostgreSQL's identity sequences past the ids assigned
// here, so later inserts get fresh ids.
func resetSequences(ctx context.Context, db *store.DB) error {
	var errs []error
	for _, t := range []string{"org_units", "team_members", "compounds", "buildings", "households", "persons", "needs", "plan_measures", "ledger_events", "visits"} {
		_, err := db.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM `+t+`), false)`)
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
