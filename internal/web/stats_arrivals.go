package web

import (
	"fmt"
	"time"

	"wanhu/internal/request"
)

// arrivalTable is the urgent requests of the report, each with when
// someone arrived on site and how many minutes after its submission,
// beside its 24-hour deadline and its resolution (issue 16); a total line
// gives the arrivals recorded and the median minutes.
func arrivalTable(l *Locale, rep *request.Stats) statTable {
	t := statTable{ID: "arrivals", Title: l.T("stats.services.arrivals"), Head: []string{l.T("stats.services.submitted"),
		l.T("stats.services.arrived_at"), l.T("stats.services.arrival_minutes"), l.T("stats.services.deadline"), l.T("stats.services.resolved_at")}}
	at := func(x *time.Time) statCell {
		if x == nil {
			return statCell{Text: "—"}
		}
		s := x.Format("2006-01-02 15:04")
		return statCell{Text: s, Value: s}
	}
	for _, a := range rep.Arrivals {
		minutes := statCell{Text: "—"}
		if a.ArrivalSeconds != nil {
			minutes = statCount(int(*a.ArrivalSeconds/60), "")
		}
		submitted := a.SubmittedAt
		t.Rows = append(t.Rows, statRow{Label: fmt.Sprintf("#%d %s", a.RequestID, a.Name), Link: fmt.Sprintf("/requests/%d", a.RequestID),
			Cells: []statCell{at(&submitted), at(a.ArrivedAt), minutes, at(a.DueAt), at(a.ResolvedAt)}})
	}
	median := statCell{Text: "—"}
	if m := rep.Arrival.MedianSeconds; m != nil {
		median = statCount(int(*m/60), "")
	}
	b := fmt.Sprintf("%d/%d", rep.Arrived, rep.Urgent)
	t.Rows = append(t.Rows, statRow{Label: l.T("stats.services.arrived") + " " + b + " · " + l.T("stats.services.arrival_median"), Total: true,
		Cells: []statCell{{}, {}, median, {}, {}}})
	return t
}
