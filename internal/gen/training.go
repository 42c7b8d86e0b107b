package gen

import (
	"context"
	"fmt"
	"math/rand/v2"

	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/staff"
	"wanhu/internal/store"
)

// preJobCourse is the course every member of the demo team took before
// their first visit (岗前培训, R20); onJobCourses are the courses of the
// year (在岗培训) with their hours.
const preJobCourse = "网格员岗前培训：入户走访与信息采集"

var onJobCourses = []struct {
	name  string
	hours float64
}{
	{"个人信息保护与数据安全", 3},
	{"重点人群走访与心理疏导", 4},
	{"安全隐患排查与消防常识", 3},
	{"接诉即办工作规范", 2},
	{"民族政策与双语服务", 4},
}

// dongxingTraining records the training of Dongxing's visiting team: a
// pre-job course for every member, on a day in the year before they
// started, and for most members one to three on-the-job courses this year
// up to Today.
func (g *generator) dongxingTraining(ctx context.Context, db *store.DB, communityID int64) error {
	r := rand.New(rand.NewPCG(uint64(g.o.Seed), 0x5452_4149_4e)) // "TRAIN"
	team, err := org.AllTeamMembers(ctx, db)
	if err != nil {
		return err
	}
	yearStart := calendar.Date{Y: g.today.Y, M: 1, D: 1}
	daysThisYear := calendar.DateOf(g.today.Time()).Time().Sub(yearStart.Time()).Hours()/24 + 1
	for i, m := range team {
		if m.CommunityID != communityID {
			continue
		}
		pre := calendar.DateOf(yearStart.Time().AddDate(-1-i%2, r.IntN(12), r.IntN(28)))
		records := []staff.TrainingRecord{{TeamMemberID: m.ID, Course: preJobCourse, Kind: staff.PreJob, CompletedOn: pre, Hours: 16}}
		for _, c := range r.Perm(len(onJobCourses))[:r.IntN(4)] {
			on := calendar.DateOf(yearStart.Time().AddDate(0, 0, r.IntN(int(daysThisYear))))
			records = append(records, staff.TrainingRecord{TeamMemberID: m.ID, Course: onJobCourses[c].name, Kind: staff.OnJob,
				CompletedOn: on, Hours: onJobCourses[c].hours, Note: "社区党群服务中心"})
		}
		for _, t := range records {
			if err := staff.AddTraining(ctx, db, &t, g.now); err != nil {
				return fmt.Errorf("demo training of member %d: %w", m.ID, err)
			}
		}
	}
	return nil
}
