package web

import (
	"io/fs"
	"net/http"

	"wanhu/internal/server"
)

// Register adds every page of the web app to mux.
func Register(mux *http.ServeMux, d server.Deps) {
	newHandler(d).routes(mux)
}

// routes is the route table of the web app.
func (h *handler) routes(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /lang", h.setLang)
	mux.HandleFunc("GET /login", h.loginForm)
	mux.HandleFunc("POST /login", h.login)

	page := func(pattern string, fn http.HandlerFunc) { mux.Handle(pattern, h.signedIn(fn)) }
	page("POST /logout", h.logout)
	page("GET /{$}", h.home)
	page("GET /households", h.householdList)
	page("GET /households/new", h.householdNew)
	page("POST /households", h.householdCreate)
	page("GET /households/{id}", h.householdFile)
	page("GET /households/{id}/edit", h.householdEdit)
	page("POST /households/{id}", h.householdUpdate)
	page("GET /households/{id}/members/new", h.memberNew)
	page("POST /households/{id}/members", h.memberCreate)
	page("GET /persons/{id}/edit", h.personEdit)
	page("POST /persons/{id}", h.personUpdate)
	page("POST /persons/{id}/events", h.personEvent)
	page("POST /households/{id}/needs", h.needAdd)
	page("POST /needs/{id}", h.needUpdate)
	page("POST /households/{id}/plan", h.measureAdd)
	page("POST /plan/{id}", h.measureUpdate)
	page("POST /households/{id}/colour", h.colourOverride)
	page("GET /households/{id}/ledger", h.householdLedger)
	page("GET /households/{id}/print", h.householdPrint)
	page("GET /ledger", h.ledger)
	page("GET /rosters/key-persons", h.keyPersons)
	page("GET /rosters/key-persons.csv", h.keyPersonsCSV)
	page("GET /rosters/special-difficulty", h.specialDifficulty)
	page("GET /rosters/special-difficulty.csv", h.specialDifficultyCSV)
}
