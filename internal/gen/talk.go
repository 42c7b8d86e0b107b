package gen

import (
	"context"
	"fmt"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/mediation"
	"wanhu/internal/org"
	"wanhu/internal/request"
	"wanhu/internal/store"
)

// arrivals are the urgent requests of the story whose arrival on site is
// recorded, by their text: how long after the call someone was there. The
// article: a living-alone old man's heating pipe leaked before dawn, and
// staff and a plumber were there within 10 minutes.
var arrivals = map[string]struct {
	after time.Duration
	who   string
}{
	"独居老人乔大爷家凌晨暖气漏水":    {9 * mins, "社区干部和水暖工"},
	"一化小区化粪池堵塞，污水漫到楼门口": {25 * mins, "网格员和物业"},
	"夜间巡查发现井盖松动":        {6 * mins, "值班人员和物业"},
}

// arrive records the arrival on site of demo request d, if the story has
// one, after its acceptance.
func arrive(ctx context.Context, rs *request.Store, r *request.Request, d demoRequest) error {
	a, ok := arrivals[d.text]
	if !ok {
		return nil
	}
	at := r.SubmittedAt.Add(a.after)
	_, err := rs.Apply(ctx, household.Actor{Name: "社区值班人员"}, r.ID, request.Change{Action: request.Arrive, ArrivedAt: &at, Note: a.who})
	return err
}

// secretary is who listens in Dongxing's talk room (晓霞谈心室).
const secretary = "冯晓霞"

// talkWords are what residents said in the secretary's recent sessions
// without a request coming of it.
var talkWords = []string{"养老金资格认证不会在手机上弄", "想报名社区老年大学的书法班", "孙子上小学的事想问问政策", "楼道里的自行车太多，想请大家挪一挪"}

// dongxingTalks writes the talk room's log of community: a session on
// each day a story request came from the talk room, with that request (the
// stray dogs referred to 城管 among them) linked rather than made again;
// the secretary's two hours of the last working days with what residents
// said; and a mediation case between two households of 东府嘉和小区,
// upstairs and downstairs, settled with an agreement.
func (g *generator) dongxingTalks(ctx context.Context, db *store.DB, communityID int64) error {
	var clock time.Time
	files := household.NewStore(db)
	rs := request.NewStore(db, files)
	s := mediation.NewStore(db, files, rs)
	s.SetClock(func() time.Time { return clock })
	host := household.Actor{Name: secretary}
	rows, err := db.QueryContext(ctx, `SELECT r.id, r.submitted_at, COALESCE(r.household_id, 0), r.description FROM requests r
		JOIN org_units g ON g.id = r.grid_id WHERE r.channel = 'talk_room' AND r.category <> 'ev_charging' AND g.parent_id = ? ORDER BY r.submitted_at`, communityID)
	if err != nil {
		return err
	}
	type talked struct {
		id, household int64
		at            time.Time
		said          string
	}
	var story []talked
	for rows.Next() {
		var t talked
		if err := rows.Scan(&t.id, &t.at, &t.household, &t.said); err != nil {
			rows.Close()
			return err
		}
		story = append(story, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range story {
		at := t.at.In(calendar.China)
		starts := "09:00"
		if at.Hour() >= 12 {
			starts = "15:00"
		}
		ends := map[string]string{"09:00": "11:00", "15:00": "17:00"}[starts]
		clock = at
		sess, err := s.CreateSession(ctx, host, mediation.SessionInput{CommunityID: communityID, Day: calendar.DayOf(at).String(), Starts: starts, Ends: ends, Host: secretary})
		if err != nil {
			return fmt.Errorf("demo talk session: %w", err)
		}
		if _, err := s.AddVisitor(ctx, host, sess.ID, mediation.VisitorInput{HouseholdID: t.household, Said: t.said, RequestID: t.id}); err != nil {
			return fmt.Errorf("demo talk visitor: %w", err)
		}
	}
	hs, err := demoHouseholds(ctx, db, communityID, "", 2*len(talkWords))
	if err != nil {
		return err
	}
	day := g.today.Time()
	for i := range talkWords { // the weekdays before today, one session each
		day = day.AddDate(0, 0, -1)
		for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			day = day.AddDate(0, 0, -1)
		}
		clock = time.Date(day.Year(), day.Month(), day.Day(), 11, 0, 0, 0, calendar.China)
		sess, err := s.CreateSession(ctx, host, mediation.SessionInput{CommunityID: communityID, Day: calendar.DayOf(clock).String(), Starts: "09:00", Ends: "11:00", Host: secretary})
		if err != nil {
			return fmt.Errorf("demo talk session: %w", err)
		}
		if _, err := s.AddVisitor(ctx, host, sess.ID, mediation.VisitorInput{HouseholdID: hs[i], Said: talkWords[i]}); err != nil {
			return fmt.Errorf("demo talk visitor: %w", err)
		}
	}
	return g.dongxingMediation(ctx, db, s, communityID, &clock)
}

// dongxingMediation writes the mediation case of 东府嘉和小区: water from
// upstairs seeping into the flat below, settled by a building head and a
// party member with an agreement, followed up a week later.
func (g *generator) dongxingMediation(ctx context.Context, db *store.DB, s *mediation.Store, communityID int64, clock *time.Time) error {
	hs, err := demoHouseholds(ctx, db, communityID, "东府嘉和小区", 2)
	if err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, `SELECT id FROM team_members WHERE community_id = ? AND active AND (skills LIKE ? OR role = ?) ORDER BY id LIMIT 2`,
		communityID, "%调解%", string(org.RolePartyMember))
	if err != nil {
		return err
	}
	var mediators []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		mediators = append(mediators, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	opened := g.today.Time().AddDate(0, 0, -20)
	*clock = time.Date(opened.Year(), opened.Month(), opened.Day(), 16, 0, 0, 0, calendar.China)
	host := household.Actor{Name: secretary}
	in := mediation.CaseInput{CommunityID: communityID, Title: "楼上卫生间漏水渗到楼下，两家起争执",
		Summary: "楼下住户反映天花板渗水发霉，多次找楼上未果，双方在楼道争吵。", HouseholdIDs: hs, MediatorIDs: mediators}
	c, err := s.CreateCase(ctx, host, in)
	if err != nil {
		return fmt.Errorf("demo mediation case: %w", err)
	}
	*clock = clock.Add(26 * time.Hour)
	if c, err = s.AddMeeting(ctx, host, c.ID, mediation.MeetingInput{Note: "楼栋长和党员调解员上门查看渗水，请两户到谈心室坐下来谈，楼上同意请人检修防水。"}); err != nil {
		return fmt.Errorf("demo mediation session: %w", err)
	}
	in.Version, in.OpenedOn, in.Outcome = c.Version, c.OpenedOn, mediation.Agreed
	in.Agreement = "楼上住户三日内请人修好卫生间防水，并承担楼下天花板修补费用；两家握手言和。"
	in.FollowUpOn = calendar.DayOf(clock.AddDate(0, 0, 7)).String()
	if _, err := s.UpdateCase(ctx, c.ID, in); err != nil {
		return fmt.Errorf("demo mediation agreement: %w", err)
	}
	return nil
}

// demoHouseholds returns the first n households of community (of the
// compound, when named), in order, for the talk room and mediation.
func demoHouseholds(ctx context.Context, db *store.DB, communityID int64, compound string, n int) ([]int64, error) {
	return store.IDs(ctx, db, `SELECT h.id FROM households h JOIN compounds c ON c.id = h.compound_id
		WHERE c.community_id = ? AND (c.name = ? OR ? = '') ORDER BY h.building_id, h.id LIMIT ?`, communityID, compound, compound, n)
}
