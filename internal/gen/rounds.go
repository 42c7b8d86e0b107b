package gen

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/round"
	"wanhu/internal/store"
)

// DemoRounds adds 东兴社区's safety rounds (安全排查, issue 16) to the demo.
// The article's story already holds what its night rounds found (a loose
// manhole cover, a blocked fire passage, a loose river railing: requests
// among its 39), so each of those becomes the night round that found it,
// its failed item linked to that request, and the demo keeps the
// article's figures. The first grid's first shop had two fire-safety
// checks, both passed, and next Saturday's night round at 21:00 is
// scheduled for the first grid's worker. The demo command runs it after
// Generate.
func DemoRounds(ctx context.Context, db *store.DB, today calendar.Date) error {
	var gridID int64
	err := db.QueryRowContext(ctx, `SELECT g.id FROM org_units g JOIN org_units c ON c.id = g.parent_id
		WHERE g.kind = 'grid' AND c.name = '东兴社区' ORDER BY g.number LIMIT 1`).Scan(&gridID)
	if err != nil {
		return fmt.Errorf("demo rounds: the first grid of 东兴社区: %w", err)
	}
	worker, err := org.GridWorker(ctx, db, gridID)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	actor := household.Actor{Name: cmp.Or(worker.Name, "网格员")}
	if err := storyRounds(ctx, db, actor); err != nil {
		return err
	}
	// The first grid's first shop, or the community's (a small demo may
	// have none in the grid; then the shop checks are left out).
	var shopID int64
	err = db.QueryRowContext(ctx, `SELECT h.id FROM households h JOIN org_units g ON g.id = h.grid_id
		WHERE g.parent_id = (SELECT parent_id FROM org_units WHERE id = ?) AND h.kind = 'commercial'
		ORDER BY CASE WHEN h.grid_id = ? THEN 0 ELSE 1 END, h.id LIMIT 1`, gridID, gridID).Scan(&shopID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("demo rounds: a shop: %w", err)
	}
	for i, daysAgo := range []int{14, 5} {
		if shopID == 0 {
			break
		}
		at := today.Midnight().AddDate(0, 0, -daysAgo).Add(16 * time.Hour)
		if err := demoRound(ctx, db, actor, at, round.Start{Template: round.ShopFire, HouseholdID: shopID}, "", 0, 0, fmt.Sprintf("demo-shop-%d", i)); err != nil {
			return err
		}
	}
	next := today.Midnight()
	for next.Weekday() != time.Saturday {
		next = next.AddDate(0, 0, 1)
	}
	s := round.NewStore(db).WithClock(func() time.Time { return today.Midnight() })
	_, err = s.Begin(ctx, household.Actor{Name: "社区值班员"}, round.Start{Template: round.NightPublic, GridID: gridID,
		ScheduledFor: ptr(next.Add(21 * time.Hour)), AssigneeMemberID: worker.ID})
	return err
}

// storyItems are the checklist items of the story's night-round findings,
// by a word of their description.
var storyItems = []struct{ word, item string }{{"井盖", "manhole_cover"}, {"护栏", "river_railing"}, {"消防通道", "corridor_clutter"}}

// storyRounds makes the night round of each of the story's requests that
// a round found (category safety, "巡查" or "排查" in its description), in
// its grid, recorded at its submission with the request linked.
func storyRounds(ctx context.Context, db *store.DB, actor household.Actor) error {
	rows, err := db.QueryContext(ctx, `SELECT r.id, r.grid_id, COALESCE(r.building_id, 0), r.submitted_at, r.description FROM requests r
		JOIN org_units g ON g.id = r.grid_id JOIN org_units c ON c.id = g.parent_id
		WHERE c.name = '东兴社区' AND r.category = 'safety' AND (r.description LIKE '%巡查%' OR r.description LIKE '%排查%') ORDER BY r.id`)
	if err != nil {
		return err
	}
	type found struct {
		id, grid, building int64
		at                 time.Time
		desc               string
	}
	var fs []found
	for rows.Next() {
		var f found
		if err := rows.Scan(&f.id, &f.grid, &f.building, &f.at, &f.desc); err != nil {
			rows.Close()
			return err
		}
		fs = append(fs, f)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, f := range fs {
		i := slices.IndexFunc(storyItems, func(x struct{ word, item string }) bool { return strings.Contains(f.desc, x.word) })
		if i < 0 {
			continue
		}
		err := demoRound(ctx, db, actor, f.at, round.Start{Template: round.NightPublic, GridID: f.grid}, storyItems[i].item, f.building, f.id,
			fmt.Sprintf("demo-story-%d", f.id))
		if err != nil {
			return err
		}
	}
	return nil
}

// demoRound records a round started 40 minutes before at and done at at:
// every item passed but failed, which is linked to request (at building,
// when not 0).
func demoRound(ctx context.Context, db *store.DB, actor household.Actor, at time.Time, in round.Start, failed string, building, request int64, client string) error {
	r, err := round.NewStore(db).WithClock(func() time.Time { return at.Add(-40 * time.Minute) }).Begin(ctx, actor, in)
	if err != nil {
		return fmt.Errorf("demo rounds: %w", err)
	}
	t, _ := round.TemplateByCode(in.Template)
	var items []round.ResultInput
	for _, it := range t.Items {
		ok := it.Code != failed
		x := round.ResultInput{Item: it.Code, OK: &ok}
		if !ok {
			x.BuildingID, x.RequestID = building, request
		}
		items = append(items, x)
	}
	if _, err := round.NewStore(db).WithClock(func() time.Time { return at }).Record(ctx, actor, r.ID, round.Recording{Items: items, ClientID: client}); err != nil {
		return fmt.Errorf("demo rounds: %w", err)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
