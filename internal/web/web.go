// Package web is the server-rendered face of Wanhu: the pages a community
// clerk uses on an office PC and a grid worker on a phone in a stairwell.
// Templates, static files and translations are embedded and loaded once.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/importjob"
	"wanhu/internal/request"
	"wanhu/internal/server"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

// handler holds what the page handlers need.
type handler struct {
	db         *store.DB
	households *household.Store
	auth       *auth.Store
	audit      *audit.Log
	log        *slog.Logger
	pages      *pages
	catalog    *Catalog
	publicURL  string // see server.Deps.PublicURL
	photos     *visit.PhotoSlots
	imports    *importjob.Jobs
	// publicReads is the limit of the public pages' reads; zero means
	// request.PublicReads (see readLimit).
	publicReads request.ReadLimit
	now         func() time.Time // see server.Deps.Now
}

// newHandler loads the templates and translations. It panics if an
// embedded file is broken, which a test catches before any release.
func newHandler(d server.Deps) *handler {
	cat, err := LoadCatalog()
	if err != nil {
		panic(err)
	}
	p, err := loadPages(cat)
	if err != nil {
		panic(err)
	}
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	imports := d.Imports
	if imports == nil && d.DB != nil {
		imports = importjob.New(d.DB, log) // jobs queue for the runner of a server
	}
	return &handler{db: d.DB, households: d.Households, auth: d.Auth, audit: d.Audit, log: log, pages: p, catalog: cat, publicURL: d.PublicURL, photos: d.Photos,
		imports: imports, now: d.Clock()}
}

// currentDay is the current day in China by the handler's clock.
func (h *handler) currentDay() calendar.Date { return calendar.DayOf(h.now()) }

// actor is the ledger's name for the signed-in user.
func actor(r *http.Request) household.Actor {
	u := auth.FromContext(r.Context()).User
	return household.Actor{ID: u.ID, Name: u.DisplayName}
}
