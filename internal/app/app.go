// Package app wires the faces of Wanhu into one HTTP handler: health
// checks, the JSON API and the web pages, behind the common middleware.
package app

import (
	"cmp"
	"log/slog"
	"net/http"

	"wanhu/internal/api"
	"wanhu/internal/open311"
	"wanhu/internal/server"
	"wanhu/internal/web"
)

// Handler returns the whole HTTP application.
func Handler(d server.Deps) http.Handler {
	mux := http.NewServeMux()
	d.Log = server.ContextLog(cmp.Or(d.Log, slog.Default()))
	if d.ErrText == nil {
		d.ErrText = web.ErrText
	}
	server.Health(mux, d)
	d.Metrics.Register(mux)
	api.Register(mux, d)
	open311.Register(mux, d)
	web.Register(mux, d)
	return server.Secure(server.Logged(d.Log, d.Metrics.Measure(mux)))
}
