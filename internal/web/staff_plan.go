package web

import (
	"net/http"

	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/staff"
)

// planTraining flags, on a visit plan, the visitors who have not passed
// the pre-job training (R20), with a warning each, and marks them among
// the members a household may be moved to: a member is flagged before
// being put into a plan. The visit package does not know about training;
// the page asks staff.WithoutPreJob.
func (h *handler) planTraining(r *http.Request, v *planPage, team []org.TeamMember, today calendar.Date) error {
	var ids []int64
	for _, pv := range v.Visitors {
		ids = append(ids, pv.TeamMemberID)
	}
	for _, m := range team {
		ids = append(ids, m.ID)
	}
	flag, err := staff.WithoutPreJob(r.Context(), h.db, ids, today)
	if err != nil {
		return err
	}
	for i := range v.Visitors {
		if flag[v.Visitors[i].TeamMemberID] {
			v.Visitors[i].Untrained = true
			v.NoPreJob = append(v.NoPreJob, v.L.T("training.untrained_in_plan", v.Visitors[i].User))
		}
	}
	for i, m := range team {
		if i < len(v.Movers) && flag[m.ID] {
			v.Movers[i].Label += " · " + v.L.T("training.untrained")
		}
	}
	return nil
}
