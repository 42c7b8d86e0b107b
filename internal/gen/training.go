package gen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/staff"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

// preJobCourse is the course every member of the demo team took before
// their first visit (岗前培训, R20): policy, mediation, service manners and
// the app, with a short test; onJobCourses are the courses of the year
// (在岗培训) run as sessions with attendance, and handCourses those entered
// by hand as before courses had sessions.
const preJobCourse = "网格员岗前培训：入户走访与信息采集"

var onJobCourses = []struct {
	title, topic string
	month, day   int
	hours        float64
}{
	{"在岗培训：惠民政策解读", "policy", 3, 20, 3},
	{"在岗培训：邻里矛盾调解", "mediation", 6, 12, 4},
	{"在岗培训：万户系统使用与个人信息保护", "app", 9, 18, 2},
}

var handCourses = []struct {
	name  string
	hours float64
}{
	{"重点人群走访与心理疏导", 4},
	{"安全隐患排查与消防常识", 3},
	{"民族政策与双语服务", 4},
}

// lateVolunteer is the index, among the demo team's volunteers, of the
// one who joined late and has not taken the pre-job course: the visit
// plan flags them (see dongxingLateVolunteer).
const lateVolunteer = 2

// zhuomaHours are the hours 卓玛 translated, entered by hand each month.
var zhuomaHours = []string{"藏语翻译：陪同入户走访", "藏语翻译：社区议事会", "藏语翻译：接诉即办电话回访"}

// partyService is what the working party member reported for (报到服务).
var partyService = []string{"在职党员报到服务：社区少儿美术课", "在职党员报到服务：楼道文化墙绘制", "在职党员报到服务：周末值守党群服务中心"}

// partyUnit is the working party member's employer, which asks for their
// service record.
const partyUnit = "城东区税务局"

// dongxingTraining records the training of Dongxing's visiting team: the
// pre-job course, held in two sessions before the pilot's visits, with a
// test every member but the late volunteer passed; this year's on-the-job
// courses (policy, mediation, the app) with their sessions before Today
// and about two members in three attending; a course or two entered by
// hand; and the hours of service entered by hand: 卓玛's translating and
// a working party member's reported service, whose unit is recorded.
func (g *generator) dongxingTraining(ctx context.Context, db *store.DB, communityID int64) error {
	r := rand.New(rand.NewPCG(uint64(g.o.Seed), 0x5452_4149_4e)) // "TRAIN"
	team, err := org.AllTeamMembers(ctx, db)
	if err != nil {
		return err
	}
	var mine []org.TeamMember
	for _, m := range team {
		if m.CommunityID == communityID {
			mine = append(mine, m)
		}
	}
	yearStart := calendar.Date{Y: g.today.Y, M: 1, D: 1}
	pre := staff.Course{CommunityID: communityID, Title: preJobCourse, Kind: staff.PreJob, Topic: "policy", PassMark: 60}
	if err := staff.CreateCourse(ctx, db, &pre, 0, g.now); err != nil {
		return err
	}
	var preSessions []staff.Session
	for _, y := range []int{2, 1} { // the pilot's team first, then who joined the year after
		s := staff.Session{CourseID: pre.ID, Day: calendar.Date{Y: yearStart.Y - y, M: time.March, D: 15}, Hours: 16, Place: "社区党群服务中心", Teacher: "社区党委书记"}
		if err := staff.AddSession(ctx, db, &s, g.now); err != nil {
			return err
		}
		preSessions = append(preSessions, s)
	}
	var courses []staff.Course
	var sessions []staff.Session
	for _, c := range onJobCourses {
		day := calendar.Date{Y: yearStart.Y, M: time.Month(c.month), D: c.day}
		if day.After(g.today) {
			continue
		}
		co := staff.Course{CommunityID: communityID, Title: c.title, Kind: staff.OnJob, Topic: c.topic, PassMark: 60}
		if err := staff.CreateCourse(ctx, db, &co, 0, g.now); err != nil {
			return err
		}
		s := staff.Session{CourseID: co.ID, Day: day, Hours: c.hours, Place: "社区党群服务中心"}
		if err := staff.AddSession(ctx, db, &s, g.now); err != nil {
			return err
		}
		courses, sessions = append(courses, co), append(sessions, s)
	}
	daysThisYear := g.today.Time().Sub(yearStart.Time()).Hours()/24 + 1
	volunteers := 0
	for i, m := range mine {
		late := false
		if m.Role == org.RoleVolunteer {
			late = volunteers == lateVolunteer
			volunteers++
		}
		if !late {
			score := 62 + r.IntN(37)
			if _, err := staff.Attend(ctx, db, preSessions[i%2].ID, m.ID, &score, 0, g.now); err != nil {
				return fmt.Errorf("demo pre-job training of member %d: %w", m.ID, err)
			}
		}
		for _, s := range sessions {
			if late || r.IntN(3) == 0 {
				continue
			}
			score := 55 + r.IntN(45)
			if _, err := staff.Attend(ctx, db, s.ID, m.ID, &score, 0, g.now); err != nil {
				return fmt.Errorf("demo training of member %d: %w", m.ID, err)
			}
		}
		if late {
			continue
		}
		for _, c := range r.Perm(len(handCourses))[:r.IntN(2)] {
			on := calendar.DateOf(yearStart.Time().AddDate(0, 0, r.IntN(int(daysThisYear))))
			t := staff.TrainingRecord{TeamMemberID: m.ID, Course: handCourses[c].name, Kind: staff.OnJob, CompletedOn: on,
				Hours: handCourses[c].hours, Note: "区委党校"}
			if err := staff.AddTraining(ctx, db, &t, g.now); err != nil {
				return fmt.Errorf("demo training of member %d: %w", m.ID, err)
			}
		}
	}
	return g.dongxingService(ctx, db, r, mine)
}

// dongxingService enters the demo's hours of service by hand: 卓玛's
// translating, two or three times a month, and the first working party
// member's reported service, twice a month, with their unit.
func (g *generator) dongxingService(ctx context.Context, db *store.DB, r *rand.Rand, team []org.TeamMember) error {
	var zhuoma, party *org.TeamMember
	for i := range team {
		switch {
		case team[i].Name == "卓玛" && zhuoma == nil:
			zhuoma = &team[i]
		case team[i].Role == org.RolePartyMember && party == nil:
			party = &team[i]
		}
	}
	if party != nil {
		party.Unit = partyUnit
		if err := org.UpdateTeamMember(ctx, db, party); err != nil {
			return err
		}
	}
	for _, who := range []struct {
		m     *org.TeamMember
		what  []string
		times int
	}{{zhuoma, zhuomaHours, 3}, {party, partyService, 2}} {
		if who.m == nil {
			continue
		}
		for month := time.January; month <= g.today.M; month++ {
			for k := range who.times {
				day := calendar.Date{Y: g.today.Y, M: month, D: 3 + k*9 + r.IntN(5)}
				if day.After(g.today) {
					break
				}
				e := staff.ServiceEntry{TeamMemberID: who.m.ID, Day: day, Hours: float64(2 + r.IntN(5)), What: who.what[k%len(who.what)],
					RecordedByName: "社区党委"}
				if err := staff.AddService(ctx, db, &e, g.now); err != nil {
					return fmt.Errorf("demo hours of member %d: %w", who.m.ID, err)
				}
			}
		}
	}
	return nil
}

// dongxingLateVolunteer puts the volunteer who joined late into this
// week's plan of the first grid, if the plan did not give them a
// household: the grid leader adds a household to their list, and the plan
// page flags that they have not taken the pre-job course.
func (g *generator) dongxingLateVolunteer(ctx context.Context, db *store.DB, communityID int64) error {
	var id int64
	err := db.QueryRowContext(ctx, `SELECT id FROM team_members WHERE community_id = ? AND role = 'volunteer' ORDER BY id LIMIT 1 OFFSET ?`,
		communityID, lateVolunteer).Scan(&id)
	if err != nil {
		return err
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM plan_items WHERE team_member_id = ?`, id).Scan(&n); err != nil || n > 0 {
		return err
	}
	grids, err := communityGrids(ctx, db, communityID)
	if err != nil || len(grids) == 0 {
		return err
	}
	week := visit.WeekOf(g.today)
	vs := visit.NewStore(db, household.NewStore(db))
	p, err := vs.Plan(ctx, grids[0].id, week)
	if err != nil {
		return err
	}
	monday := week.Monday().Midnight().UTC()
	for _, pv := range p.Visitors {
		for _, it := range pv.Households {
			if it.Colour == household.Red { // one that needs its usual visitor
				continue
			}
			var visited int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM visits WHERE household_id = ? AND at >= ?`, it.HouseholdID, monday).Scan(&visited); err != nil {
				return err
			}
			if visited == 0 { // not yet visited this week: the move changes no visit done
				_, err := vs.MovePlanItem(ctx, p.ID, it.HouseholdID, id)
				return err
			}
		}
	}
	return nil
}
