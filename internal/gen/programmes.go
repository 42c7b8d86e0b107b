package gen

import (
	"context"
	"fmt"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/programme"
	"wanhu/internal/store"
)

// FourThirtyChildren is how many children the demo's four-thirty class
// (四点半课堂) has: the article's "30多名孩子".
const FourThirtyChildren = 34

// fourThirtyWeeks is how many weeks of sessions the class has had.
const fourThirtyWeeks = 8

// dongxingProgrammes writes the programmes and activities of issue 17: the
// four-thirty class, whose children were asked at home what they need and
// like (homework help, drawing, singing), taught once a week by the two
// working party members who are an art teacher and a music teacher in
// turn; the free check-ups of the elderly, served by the volunteer who
// helps the elderly; and the neighbourhood festival of ethnic unity
// (民族团结邻里节) the residents asked for, open for sign-up in four days,
// with a few households signed up from their cards' QR page.
func (g *generator) dongxingProgrammes(ctx context.Context, db *store.DB, communityID int64) error {
	clock := g.today.Midnight().Add(12 * time.Hour)
	files := household.NewStore(db)
	files.SetClock(func() time.Time { return clock })
	s := programme.NewStore(db, files)
	s.SetClock(func() time.Time { return clock })
	team, err := org.CommunityTeam(ctx, db, communityID)
	if err != nil {
		return err
	}
	var art, music, helper, worker int64
	for _, m := range team {
		switch {
		case m.Role == org.RolePartyMember && art == 0 && programme.Interests[0].Teaches(m.Skills):
			art = m.ID
		case m.Role == org.RolePartyMember && music == 0 && programme.Interests[1].Teaches(m.Skills):
			music = m.ID
		case m.Role == org.RoleVolunteer && helper == 0 && len(m.Skills) > 0 && m.Skills[0] == "助老服务":
			helper = m.ID
		case m.Role == org.RoleGridWorker && worker == 0:
			worker = m.ID
		}
	}
	if art == 0 || music == 0 {
		return fmt.Errorf("demo programmes: the party members who teach art and music are missing")
	}
	staff := household.Actor{Name: "东兴社区"}
	class, err := s.CreateProgramme(ctx, staff, programme.ProgrammeInput{CommunityID: communityID, Name: "四点半课堂", Kind: programme.FourThirty,
		Roster: "four_thirty", Capacity: 40, Place: "东兴社区党群服务中心",
		Description: "放学后的作业辅导、画画和唱歌，由在职党员中的美术老师、音乐老师定期授课。"})
	if err != nil {
		return err
	}
	// The four_thirty roster's people: children 6–12 (the generator does
	// not import the rosters; see internal/programme/candidates).
	cands, err := communityPeople(ctx, db, communityID, g.today.AddYears(-13), g.today.AddYears(-6))
	if err != nil {
		return err
	}
	enrolledOn := g.today.Midnight().AddDate(0, 0, -7*fourThirtyWeeks-3)
	var enrolments []int64
	for i := 0; i < len(cands) && len(enrolments) < FourThirtyChildren; i += max(len(cands)/FourThirtyChildren, 1) {
		// Most need homework help; many like drawing or singing.
		interests := []string{}
		if chance(g.r, 0.7) {
			interests = append(interests, "homework")
		}
		if chance(g.r, 0.5) {
			interests = append(interests, "drawing")
		}
		if chance(g.r, 0.45) || len(interests) == 0 {
			interests = append(interests, "singing")
		}
		e, err := s.Enrol(ctx, staff, class.ID, programme.EnrolInput{PersonID: cands[i], Interests: interests, Source: "roster",
			EnrolledOn: calendar.DayOf(enrolledOn).String()})
		if err != nil {
			return fmt.Errorf("demo programmes: enrol %d: %w", cands[i], err)
		}
		enrolments = append(enrolments, e.ID)
	}
	// Weekly on Wednesdays 16:30–18:00, the art and the music teacher in
	// turn, over the last weeks.
	wed := g.today.Midnight()
	for wed.Weekday() != time.Wednesday {
		wed = wed.AddDate(0, 0, -1)
	}
	if !wed.Before(g.today.Midnight()) {
		wed = wed.AddDate(0, 0, -7)
	}
	for w := fourThirtyWeeks - 1; w >= 0; w-- {
		start := wed.AddDate(0, 0, -7*w).Add(16*time.Hour + 30*time.Minute)
		teacher, topic := art, "画画：我的社区"
		if w%2 == 1 {
			teacher, topic = music, "唱歌：民族团结一家亲"
		}
		x, err := s.AddSession(ctx, staff, class.ID, programme.SessionInput{StartsAt: start, EndsAt: start.Add(90 * time.Minute),
			Topic: topic, StaffIDs: []int64{teacher}})
		if err != nil {
			return err
		}
		var present []int64
		for _, e := range enrolments {
			if chance(g.r, 0.88) {
				present = append(present, e)
			}
		}
		if _, err := s.SetAttendance(ctx, class.ID, x.ID, present); err != nil {
			return err
		}
	}

	// The free check-ups of the elderly: forty enrolled, two check-up days.
	checkup, err := s.CreateProgramme(ctx, staff, programme.ProgrammeInput{CommunityID: communityID, Name: "老年人免费体检", Kind: programme.Checkup,
		Roster: "elderly_checkup", Place: "社区卫生服务站", Description: "65岁以上老人每年一次免费体检，行动不便的由志愿者陪同。"})
	if err != nil {
		return err
	}
	if cands, err = communityPeople(ctx, db, communityID, calendar.Date{}, g.today.AddYears(-65)); err != nil {
		return err
	}
	enrolments = enrolments[:0]
	for i := 0; i < len(cands) && len(enrolments) < 40; i += max(len(cands)/40, 1) {
		e, err := s.Enrol(ctx, staff, checkup.ID, programme.EnrolInput{PersonID: cands[i], Source: "roster",
			EnrolledOn: calendar.DayOf(enrolledOn).String()})
		if err != nil {
			return err
		}
		enrolments = append(enrolments, e.ID)
	}
	var served []int64
	if helper != 0 {
		served = []int64{helper}
	}
	for i, daysAgo := range []int{21, 7} {
		start := g.today.Midnight().AddDate(0, 0, -daysAgo).Add(8*time.Hour + 30*time.Minute)
		x, err := s.AddSession(ctx, staff, checkup.ID, programme.SessionInput{StartsAt: start, EndsAt: start.Add(3 * time.Hour), StaffIDs: served})
		if err != nil {
			return err
		}
		var present []int64
		for j, e := range enrolments {
			if j%2 == i {
				present = append(present, e)
			}
		}
		if _, err := s.SetAttendance(ctx, checkup.ID, x.ID, present); err != nil {
			return err
		}
	}

	// The neighbourhood festival of ethnic unity, in four days.
	start := g.today.Midnight().AddDate(0, 0, 4).Add(15 * time.Hour)
	var festivalStaff []int64
	for _, id := range []int64{worker, helper} {
		if id != 0 {
			festivalStaff = append(festivalStaff, id)
		}
	}
	fest, err := s.CreateActivity(ctx, staff, programme.ActivityInput{CommunityID: communityID, Title: "民族团结邻里节", Kind: "ethnic_unity",
		Description: "各族居民一起包饺子、跳锅庄、唱花儿，居民点名要办的民族团结活动。", StartsAt: start, EndsAt: start.Add(150 * time.Minute),
		Place: "东兴社区文化广场", Capacity: 200, PerHousehold: 3, StaffIDs: festivalStaff})
	if err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, `SELECT h.id FROM households h JOIN org_units g ON g.id = h.grid_id
		WHERE g.parent_id = ? AND h.kind = 'residential' ORDER BY h.id LIMIT 5`, communityID)
	if err != nil {
		return err
	}
	var hs []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		hs = append(hs, id)
	}
	rows.Close()
	for i, h := range hs {
		if _, err := s.SignUp(ctx, household.Actor{Name: "resident"}, fest.ID, programme.SignupInput{HouseholdID: h, People: 1 + i%3,
			Via: programme.ViaQR}); err != nil {
			return err
		}
	}
	return nil
}

// communityPeopleSQL selects the current people of a community born in a
// range, in id order. CROSS JOIN makes SQLite go from the community's
// grids to their households and people (by the indexes on grid and
// household): in the join order it chose, it read the people of the whole
// city born in the range (15 s of CPU in a city of a million; 0.03 s now).
const communityPeopleSQL = `SELECT p.id FROM org_units g CROSS JOIN households h CROSS JOIN persons p
	WHERE h.grid_id = g.id AND p.household_id = h.id AND g.parent_id = ?
	AND p.active AND p.moved_out_on IS NULL AND p.deceased_on IS NULL AND p.birth_date > ? AND p.birth_date <= ?
	ORDER BY p.id`

// communityPeople returns the current people of community born after
// bornAfter (the zero Date: any time) and on or before bornBy.
func communityPeople(ctx context.Context, db *store.DB, communityID int64, bornAfter, bornBy calendar.Date) ([]int64, error) {
	after := "0000-00-00"
	if !bornAfter.IsZero() {
		after = bornAfter.String()
	}
	rows, err := db.QueryContext(ctx, communityPeopleSQL, communityID, after, bornBy.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
