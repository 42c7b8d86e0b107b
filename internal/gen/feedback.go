package gen

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/feedback"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// The article's thanks (issue 17): 李奶奶's words to the visitors who found
// her lamp broken and her tap leaking, 刘奶奶's daughter who came to the
// community to thank the visitor who found her mother's blood pressure
// high, and the volunteer 卓玛 who translated; and one complaint about
// attitude, looked into and closed.

// daysAgo is n days before the demo's today at hour (China time), but
// never before 2 January of today's year, so it falls in the default
// period of the scorecards.
func (g *generator) daysAgo(n, hour int) time.Time {
	floor := time.Date(g.today.Y, 1, 2, hour, 0, 0, 0, calendar.China)
	at := time.Date(g.today.Y, time.Month(g.today.M), g.today.D, hour, 0, 0, 0, calendar.China).AddDate(0, 0, -n)
	if at.Before(floor) {
		at = floor
	}
	if now := g.now; at.After(now) {
		at = now.Add(-time.Hour)
	}
	return at.UTC()
}

// dongxingFeedback records the story's thanks and the complaint in
// community communityID.
func (g *generator) dongxingFeedback(ctx context.Context, db *store.DB, communityID int64) error {
	office := household.Actor{Name: secretary}
	// visitorOf is the grid worker of the grid of the person named name,
	// with the latest visit of their household (0 when none).
	visitorOf := func(name string) (member, visit int64, err error) {
		err = db.QueryRowContext(ctx, `SELECT m.id, COALESCE((SELECT MAX(v.id) FROM visits v WHERE v.household_id = h.id), 0)
			FROM persons p JOIN households h ON h.id = p.household_id JOIN team_members m ON m.grid_id = h.grid_id AND m.role = ?
			WHERE p.name = ? AND m.community_id = ? ORDER BY m.id LIMIT 1`, org.RoleGridWorker, name, communityID).Scan(&member, &visit)
		if errors.Is(err, sql.ErrNoRows) { // a demo too small for the story's people: the first grid's worker
			err = db.QueryRowContext(ctx, `SELECT MIN(id) FROM team_members WHERE community_id = ? AND role = ?`,
				communityID, org.RoleGridWorker).Scan(&member)
		}
		return member, visit, err
	}
	named := func(role org.Role, name string) (int64, error) {
		var id int64
		q := `SELECT MIN(id) FROM team_members WHERE community_id = ? AND role = ?`
		args := []any{communityID, role}
		if name != "" {
			q, args = q+` AND name LIKE ?`, append(args, name)
		}
		err := db.QueryRowContext(ctx, q, args...).Scan(&id)
		return id, err
	}
	li, liVisit, err := visitorOf("李秀英")
	if err != nil {
		return err
	}
	liu, _, err := visitorOf("刘桂兰")
	if err != nil {
		return err
	}
	zhuoma, err := named(org.RoleVolunteer, "卓玛")
	if err != nil {
		return err
	}
	property, err := named(org.RolePropertyStaff, "张%")
	if err != nil {
		return err
	}
	at := func(n, hour int) *time.Time { t := g.daysAgo(n, hour); return &t }
	thanks := []feedback.Input{
		{Kind: feedback.Praise, MemberID: li, FromName: "李奶奶", Body: "要是你们不来，我都不知道该咋办", Source: feedback.FromOffice, At: at(40, 10)},
		{Kind: feedback.Praise, MemberID: liu, FromName: "刘奶奶的女儿", Body: "要是你们没发现，我妈可能就危险了。专程来社区道谢", Source: feedback.FromOffice, At: at(25, 15)},
		{Kind: feedback.Praise, MemberID: zhuoma, FromName: "藏族居民", Body: "卓玛帮着翻译，我们才把心里话说出来，希望多搞民族团结活动", Source: feedback.FromOffice, At: at(18, 11)},
	}
	if liVisit != 0 { // her words were said on the visit that found her lamp and tap
		thanks[0].Source, thanks[0].VisitID, thanks[0].At = feedback.FromVisit, liVisit, nil
		var v time.Time
		if err := db.QueryRowContext(ctx, `SELECT at FROM visits WHERE id = ?`, liVisit).Scan(&v); err != nil {
			return err
		}
		thanks[0].At = &v
	}
	for _, in := range thanks {
		if _, err := feedback.Add(ctx, db, office, in, g.now); err != nil {
			return fmt.Errorf("demo thanks from %s: %w", in.FromName, err)
		}
	}
	var clock time.Time
	s := feedback.NewStore(db)
	s.SetClock(func() time.Time { return clock })
	complaint, err := feedback.Add(ctx, db, office, feedback.Input{Kind: feedback.Complaint, MemberID: property, FromName: "一化小区居民",
		Body: "上门修水管时说话不耐烦，态度生硬", Source: feedback.FromOffice, At: at(30, 9)}, g.now)
	if err != nil {
		return fmt.Errorf("demo complaint: %w", err)
	}
	for _, step := range []struct {
		days    int
		status  string
		outcome string
	}{
		{29, feedback.LookedInto, "已找本人和物业公司核实情况"},
		{27, feedback.Closed, "物业约谈本人并向居民当面道歉，居民表示谅解；物业组织服务礼仪培训"},
	} {
		clock = g.daysAgo(step.days, 16)
		if _, err := s.Handle(ctx, office, complaint, feedback.Handling{Status: step.status, Outcome: step.outcome}); err != nil {
			return fmt.Errorf("demo complaint: %w", err)
		}
	}
	return nil
}
