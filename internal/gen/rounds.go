package gen

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/request"
	"wanhu/internal/round"
	"wanhu/internal/store"
)

// demoRound is a past safety round of 东兴社区's first grid: days before
// today, its failed items (item → note), and whether the community has
// since dealt with what it found.
type demoRound struct {
	daysAgo  int
	shop     bool
	failed   map[string]string
	resolved bool
}

var demoRounds = []demoRound{
	{21, false, map[string]string{"corridor_clutter": "3单元楼道堆放纸箱", "street_light": "小区东门路灯不亮"}, true},
	{14, true, map[string]string{"extinguisher": "灭火器过期两个月"}, true},
	{7, false, map[string]string{"corridor_clutter": "3单元楼道又堆了纸箱和旧家具", "ebike_charging": "2单元有人从窗口拉线给电动车充电"}, false},
	{5, true, nil, false},
	{3, true, map[string]string{"extinguisher": "灭火器仍未更换"}, false},
}

// DemoRounds adds 东兴社区's safety rounds (安全排查, issue 16) to the demo:
// past night rounds and shop checks in the first grid, whose failed items
// made requests (the older ones since resolved), one compound building a
// repeat offender, and next Saturday's night round at 21:00 scheduled for
// the grid's worker. The demo command runs it after Generate; it makes
// requests beyond the article's 39, so Generate does not.
func DemoRounds(ctx context.Context, db *store.DB, today calendar.Date) error {
	var gridID, buildingID, shopID int64
	err := db.QueryRowContext(ctx, `SELECT g.id, b.id FROM org_units g JOIN org_units c ON c.id = g.parent_id
		JOIN buildings b ON b.grid_id = g.id WHERE g.kind = 'grid' AND c.name = '东兴社区' ORDER BY g.number, b.id LIMIT 1`).Scan(&gridID, &buildingID)
	if err != nil {
		return fmt.Errorf("demo rounds: the first grid of 东兴社区: %w", err)
	}
	// The first grid's first shop, or the community's (a small demo may
	// have none in the grid; then the shop checks are left out).
	err = db.QueryRowContext(ctx, `SELECT h.id FROM households h JOIN org_units g ON g.id = h.grid_id
		WHERE g.parent_id = (SELECT parent_id FROM org_units WHERE id = ?) AND h.kind = 'commercial'
		ORDER BY CASE WHEN h.grid_id = ? THEN 0 ELSE 1 END, h.id LIMIT 1`, gridID, gridID).Scan(&shopID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("demo rounds: a shop: %w", err)
	}
	worker, err := org.GridWorker(ctx, db, gridID)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	actor := household.Actor{Name: worker.Name}
	if actor.Name == "" {
		actor.Name = "网格员"
	}
	reqs := request.NewStore(db, household.NewStore(db))
	for _, d := range demoRounds {
		if d.shop && shopID == 0 {
			continue
		}
		at := today.Midnight().AddDate(0, 0, -d.daysAgo).Add(21 * time.Hour)
		if d.shop {
			at = at.Add(-5 * time.Hour)
		}
		s := round.NewStore(db).WithClock(func() time.Time { return at })
		in := round.Start{Template: round.NightPublic, GridID: gridID}
		if d.shop {
			in = round.Start{Template: round.ShopFire, HouseholdID: shopID}
		}
		r, err := s.Begin(ctx, actor, in)
		if err != nil {
			return fmt.Errorf("demo rounds: %w", err)
		}
		t, _ := round.TemplateByCode(in.Template)
		var items []round.ResultInput
		for _, it := range t.Items {
			note, failed := d.failed[it.Code]
			ok := !failed
			x := round.ResultInput{Item: it.Code, OK: &ok, Note: note}
			if failed && !d.shop && it.Code != "street_light" {
				x.BuildingID = buildingID
			}
			items = append(items, x)
		}
		done, err := s.Record(ctx, actor, r.ID, round.Recording{Items: items, ClientID: fmt.Sprintf("demo-round-%d", d.daysAgo)})
		if err != nil {
			return fmt.Errorf("demo rounds: %w", err)
		}
		if !d.resolved {
			continue
		}
		reqs.SetClock(func() time.Time { return at.Add(20 * time.Hour) })
		for _, id := range done.Requests {
			if _, err := reqs.Apply(ctx, actor, id, request.Change{Action: request.Resolve, Note: "已整改，复查合格"}); err != nil {
				return fmt.Errorf("demo rounds: resolving request %d: %w", id, err)
			}
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

func ptr[T any](v T) *T { return &v }
