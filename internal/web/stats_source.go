package web

import (
	"net/http"

	"wanhu/internal/stats"
)

// The statistics snapshot on the pages (issue 15): a street, a district
// or the city is summed from the snapshot, and the page says as of when,
// with a link to count live; a grid or a community is counted live.

// statsSourceNote is the line that says where a page's counts come from,
// with a link to the other way of counting.
type statsSourceNote struct {
	Text     string
	Link     string
	LinkText string
}

// statsLive reports whether the page asks to count live (?live=1).
func statsLive(r *http.Request) bool {
	v := r.URL.Query().Get("live")
	return v == "1" || v == "true"
}

// statsOptions are the options of a count for the page: from the snapshot
// unless ?live=1; dayAsked says that ?on= was given.
func statsOptions(r *http.Request, dayAsked bool) []stats.Option {
	if statsLive(r) {
		return []stats.Option{stats.Live()}
	}
	return []stats.Option{stats.FromSnapshot(dayAsked)}
}

// statsSourceOf words src for the page: the snapshot's time and a link
// to live counts; live counts of a scope the snapshot serves and a link
// back; or nothing for a grid or a community, always counted live.
func statsSourceOf(r *http.Request, l *Locale, src stats.Source) *statsSourceNote {
	q := r.URL.Query()
	q.Del("format")
	link := func(live bool) string {
		q.Del("live")
		if live {
			q.Set("live", "1")
		}
		return r.URL.Path + "?" + q.Encode()
	}
	switch {
	case src.AsOf != nil:
		return &statsSourceNote{Text: l.T("stats.snapshot.as_of", l.Time(*src.AsOf)), Link: link(true), LinkText: l.T("stats.snapshot.live")}
	case !src.SnapshotScope:
		return nil
	case statsLive(r):
		return &statsSourceNote{Text: l.T("stats.snapshot.counted_live"), Link: link(false), LinkText: l.T("stats.snapshot.back")}
	}
	return &statsSourceNote{Text: l.T("stats.snapshot.none")}
}
