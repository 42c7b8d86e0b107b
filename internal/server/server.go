// Package server assembles the HTTP face of Wanhu: the web pages, the JSON
// API, health checks and the middleware every request goes through.
package server

import (
	"log/slog"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/household"
	"wanhu/internal/importjob"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

// Deps are what the handlers need; the web and API packages take the same.
type Deps struct {
	DB         *store.DB
	Households *household.Store
	Auth       *auth.Store
	Audit      *audit.Log
	Log        *slog.Logger
	// PublicURL is the address residents reach the server at
	// ("https://wanhu.example.org"), for links printed on paper; empty to
	// take it from each request.
	PublicURL string
	// Photos limit the photos decoded at once, across every request.
	Photos *visit.PhotoSlots
	// Imports are the household import jobs and this server's runner of
	// them (started by serve).
	Imports *importjob.Jobs
	// ErrText says what is wrong in a field error in a language ("zh-CN",
	// "en"), from the web's catalogue, for what the API writes for people
	// (the comments of an import's highlighted copy); nil: its message.
	ErrText func(lang string, fe *apperr.FieldError) string
	// Metrics are the server's Prometheus metrics at /metrics; nil for
	// none (no token configured).
	Metrics *Metrics
	// Now is the clock of both faces; nil is time.Now. Tests set it to
	// serve pages and answers at a fixed time.
	Now func() time.Time
}

// Clock returns d.Now, or time.Now when it is nil.
func (d Deps) Clock() func() time.Time {
	if d.Now == nil {
		return time.Now
	}
	return d.Now
}

// NewDeps builds the domain stores on db.
func NewDeps(db *store.DB, log *slog.Logger) Deps {
	return Deps{DB: db, Households: household.NewStore(db), Auth: auth.NewStore(db), Audit: audit.New(db), Log: log,
		Photos: visit.NewPhotoSlots(visit.DefaultPhotoDecoders, visit.PhotoWait), Imports: importjob.New(db, log)}
}
