package web

import (
	"net/http"

	"wanhu/internal/access"
	"wanhu/internal/server"
)

// Register adds every page of the web app to mux, and the page that
// answers any other address (404, or 405 for a page asked with another
// method) outside the API's.
func Register(mux *http.ServeMux, d server.Deps) {
	newHandler(d).register(mux)
}

// register adds the pages and the page of unknown addresses to mux.
func (h *handler) register(mux *http.ServeMux) {
	h.routes(mux)
	mux.Handle("/", h.unknown())
}

// Routes lists the web app's route patterns ("GET /households/{id}"), for
// the test that walks every route as every role (internal/app).
func Routes() []string {
	var p patterns
	newHandler(server.Deps{}).routes(&p)
	return p
}

// router is what the route table registers on: an http.ServeMux, or the
// patterns Routes lists.
type router interface {
	Handle(pattern string, h http.Handler)
	HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request))
}

// patterns records the patterns of a route table.
type patterns []string

func (p *patterns) Handle(pattern string, _ http.Handler) { *p = append(*p, pattern) }
func (p *patterns) HandleFunc(pattern string, _ func(http.ResponseWriter, *http.Request)) {
	*p = append(*p, pattern)
}

// routes is the route table of the web app.
func (h *handler) routes(mux router) {
	mux.Handle("GET /static/", assets())
	mux.HandleFunc("GET /lang", h.setLang)
	mux.HandleFunc("GET /sw.js", serviceWorker)
	mux.HandleFunc("GET /offline", h.offlinePage)
	mux.HandleFunc("GET /login", h.loginForm)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("POST /login/code", h.loginCode)
	mux.HandleFunc("GET /a/{token}", h.apptPage)
	mux.HandleFunc("POST /a/{token}", h.apptBook)
	mux.HandleFunc("GET /a/{token}/activities", h.activitiesPublic)
	mux.HandleFunc("POST /a/{token}/activities/{id}", h.activitySignUpPublic)
	mux.HandleFunc("GET /r", h.residentLookup)
	mux.HandleFunc("GET /r/new", h.residentNew)
	mux.HandleFunc("POST /r/new", h.residentSubmit)
	mux.HandleFunc("GET /r/{code}", h.residentStatus)
	mux.HandleFunc("POST /r/{code}/rate", h.residentRate)
	mux.HandleFunc("POST /r/{code}/thanks", h.residentThanks)

	page := func(pattern string, fn http.HandlerFunc) { mux.Handle(pattern, h.signedIn(h.audited(fn))) }
	// only lets fn run for users whose roles allow a (403 otherwise; which
	// records they reach is the scope's business).
	only := func(a access.Action, fn http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !can(r, a) {
				h.forbidden(w, r)
				return
			}
			fn(w, r)
		}
	}
	edit := func(fn http.HandlerFunc) http.HandlerFunc { return only(access.EditHouseholds, fn) }
	page("POST /logout", h.logout)
	page("GET /{$}", h.home)
	page("GET /households", only(access.ReadHouseholds, h.householdList))
	page("GET /households/new", edit(h.householdNew))
	page("POST /households", edit(h.householdCreate))
	page("GET /households/{id}", h.householdFile)
	page("GET /households/{id}/edit", edit(h.householdEdit))
	page("POST /households/{id}", edit(h.householdUpdate))
	page("GET /households/{id}/members/new", edit(h.memberNew))
	page("POST /households/{id}/members", edit(h.memberCreate))
	page("GET /persons/{id}/edit", edit(h.personEdit))
	page("POST /persons/{id}", edit(h.personUpdate))
	page("POST /persons/{id}/events", only(access.RecordNeeds, h.personEvent))
	page("POST /households/{id}/needs", only(access.RecordNeeds, h.needAdd))
	page("POST /needs/{id}", only(access.RecordNeeds, h.needUpdate))
	page("POST /households/{id}/plan", edit(h.measureAdd))
	page("POST /plan/{id}", edit(h.measureUpdate))
	page("POST /households/{id}/benefits", only(access.RecordNeeds, h.benefitApply))
	page("GET /benefits", only(access.ReadHouseholds, h.benefitList))
	page("POST /benefits/{id}/decision", edit(h.benefitDecide))
	page("POST /benefits/{id}", only(access.RecordNeeds, h.benefitEdit))
	page("POST /benefits/{id}/end", edit(h.benefitEnd))
	page("POST /benefits/{id}/withdraw", only(access.RecordNeeds, h.benefitWithdraw))
	page("POST /households/{id}/colour", edit(h.colourOverride))
	page("POST /persons/{id}/reveal", only(access.Reveal, h.revealPerson))
	page("POST /households/{id}/reveal", only(access.Reveal, h.revealHousehold))
	page("POST /households/{id}/visitors", only(access.AssignVisitors, h.setVisitors))
	page("GET /households/{id}/visits", only(access.RecordVisits, h.householdVisits))
	page("POST /households/{id}/visits", only(access.RecordVisits, h.visitRecord))
	page("GET /visits/{id}/photos/{photo}", only(access.RecordVisits, h.visitPhoto))
	page("POST /households/{id}/appointments", only(access.RecordVisits, h.apptStaffBook))
	page("POST /appointments/{id}/{action}", only(access.RecordVisits, h.apptStaffClose))
	page("GET /visits/due", only(access.RecordVisits, h.visitsDue))
	page("GET /visits/policy", h.visitPolicy)
	page("POST /visits/policy", only(access.Configure, h.visitPolicySave))
	page("GET /requests", h.readsRequests(h.requestQueue))
	page("GET /requests/new", only(access.SubmitRequests, h.requestNew))
	page("POST /requests", only(access.SubmitRequests, h.requestCreate))
	page("GET /requests/board", h.readsRequests(h.requestBoard))
	page("GET /requests/{id}", h.readsRequests(h.requestShow))
	page("POST /requests/{id}/{action}", h.readsRequests(h.requestAct))
	page("GET /talk", only(access.ReadHouseholds, h.talkShow))
	page("POST /talk", only(access.RecordTalks, h.talkCreate))
	page("GET /talk/{id}", only(access.ReadHouseholds, h.talkSessionShow))
	page("POST /talk/{id}/visitors", only(access.RecordTalks, h.talkVisitorAdd))
	page("GET /mediation", only(access.ReadHouseholds, h.mediationShow))
	page("POST /mediation", only(access.RecordTalks, h.mediationCreate))
	page("GET /mediation/{id}", only(access.ReadHouseholds, h.mediationCaseShow))
	page("POST /mediation/{id}/{action}", only(access.RecordTalks, h.mediationCaseAct))
	page("GET /programmes", only(access.ReadHouseholds, h.programmesShow))
	page("POST /programmes", only(access.EditHouseholds, h.programmeCreate))
	page("GET /programmes/stats", only(access.ReadHouseholds, h.programmeStats))
	page("GET /programmes/{id}", only(access.ReadHouseholds, h.programmeShow))
	page("GET /programmes/{id}/export", only(access.Export, h.programmeExport))
	page("POST /programmes/{id}/{action}", only(access.EditHouseholds, h.programmeAct))
	page("GET /activities/{id}", only(access.ReadHouseholds, h.activityShow))
	page("POST /activities/{id}/{action}", only(access.EditHouseholds, h.activityAct))
	page("GET /rounds", only(access.ReadHouseholds, h.roundsList))
	page("POST /rounds", only(access.RecordVisits, h.roundCreate))
	page("GET /rounds/{id}", only(access.ReadHouseholds, h.roundShow))
	page("POST /rounds/{id}/start", only(access.RecordVisits, h.roundStart))
	page("POST /rounds/{id}/results", only(access.RecordVisits, h.roundRecord))
	page("POST /rounds/{id}/sync", only(access.RecordVisits, h.roundSync))
	page("GET /rounds/{id}/photos/{photo}", only(access.ReadHouseholds, h.roundPhoto))
	page("GET /hazards", only(access.ReadHouseholds, h.hazards))
	page("GET /compounds/{id}/plan", only(access.ReadHouseholds, h.compoundPlan))
	page("GET /settings", h.settingsShow)
	page("GET /survey", h.surveyShow)
	page("POST /survey", only(access.Configure, h.surveyAdd))
	page("POST /survey/{code}", only(access.Configure, h.surveyUpdate))
	page("GET /staff", h.staffList)
	page("GET /staff/bad-reviews", h.staffBadReviews)
	page("GET /staff/weights", h.staffWeights)
	page("POST /staff/weights", only(access.Configure, h.staffWeightsSave))
	page("GET /staff/{id}", h.staffShow)
	page("GET /feedback", h.feedbackList)
	page("POST /feedback", only(access.AcceptRequests, h.feedbackRecord))
	page("POST /feedback/{id}/handle", only(access.AcceptRequests, h.feedbackHandle))
	page("POST /staff/{id}/training", only(access.PlanVisits, h.staffTrainingAdd))
	page("POST /staff/training/{id}/delete", only(access.PlanVisits, h.staffTrainingDelete))
	page("GET /staff/targets", h.staffTargets)
	page("POST /staff/targets", only(access.Configure, h.staffTargetsSave))
	page("GET /staff/hours", h.staffHours)
	page("POST /staff/{id}/hours", only(access.PlanVisits, h.staffHoursAdd))
	page("POST /staff/hours/{id}/delete", only(access.PlanVisits, h.staffHoursDelete))
	page("GET /staff/{id}/service", h.staffService)
	page("GET /training", h.staffCourses)
	page("POST /training", only(access.PlanVisits, h.staffCourseCreate))
	page("GET /training/{id}", h.staffCourse)
	page("POST /training/{id}", only(access.PlanVisits, h.staffCourseUpdate))
	page("POST /training/{id}/delete", only(access.PlanVisits, h.staffCourseDelete))
	page("POST /training/{id}/sessions", only(access.PlanVisits, h.staffSessionAdd))
	page("POST /training/{id}/sessions/{session}", only(access.PlanVisits, h.staffSessionUpdate))
	page("POST /training/{id}/sessions/{session}/delete", only(access.PlanVisits, h.staffSessionDelete))
	page("POST /training/{id}/attendance", only(access.PlanVisits, h.staffAttend))
	page("POST /training/{id}/attendance/{record}/delete", only(access.PlanVisits, h.staffAttendanceDelete))
	page("GET /calendar", h.calendarShow)
	page("POST /calendar", only(access.Configure, h.calendarSave))
	page("GET /today", only(access.RecordVisits, h.today))
	page("GET /tasks", only(access.RecordVisits, h.taskList))
	page("POST /tasks/{id}/{action}", only(access.RecordVisits, h.taskAct))
	page("GET /settings/proactive", only(access.Configure, h.proactiveSettings))
	page("POST /settings/proactive", only(access.Configure, h.proactiveSave))
	page("POST /visits/sync", only(access.RecordVisits, h.visitSync))
	page("GET /visits/progress", only(access.PlanVisits, h.visitProgress))
	page("GET /visits/coverage", only(access.PlanVisits, h.visitCoverage))
	page("GET /plans", only(access.PlanVisits, h.plans))
	page("POST /plans", only(access.PlanVisits, h.planGenerate))
	page("POST /plans/{id}/items/{household_id}", only(access.PlanVisits, h.planMove))
	page("POST /plans/{id}/swap", only(access.PlanVisits, h.planSwap))
	page("GET /team", only(access.PlanVisits, h.teamList))
	page("GET /team/new", only(access.PlanVisits, h.teamNew))
	page("POST /team", only(access.PlanVisits, h.teamCreate))
	page("GET /team/{id}", only(access.PlanVisits, h.teamEdit))
	page("POST /team/{id}", only(access.PlanVisits, h.teamUpdate))
	page("GET /households/{id}/ledger", h.householdLedger)
	page("GET /households/{id}/print", h.householdPrint)
	page("GET /households/{id}/card", only(access.RecordVisits, h.householdCard))
	page("GET /cards", only(access.RecordVisits, h.cards))
	page("GET /ledger", h.ledger)
	page("GET /rosters/key-persons", oldRoster("key_persons", ""))
	page("GET /rosters/key-persons.csv", oldRoster("key_persons", "csv"))
	page("GET /rosters/special-difficulty", oldRoster("special_difficulty", ""))
	page("GET /rosters/special-difficulty.csv", oldRoster("special_difficulty", "csv"))
	page("GET /rosters", only(access.ReadHouseholds, h.rosterIndex))
	page("GET /rosters/{name}", only(access.ReadHouseholds, h.rosterList))
	page("POST /rosters/saved", only(access.ReadHouseholds, h.rosterSave))
	page("GET /rosters/saved/{id}", only(access.ReadHouseholds, h.rosterOpen))
	page("POST /rosters/saved/{id}/delete", only(access.ReadHouseholds, h.rosterDelete))
	page("GET /stats", h.statsOnly(h.statsOverview))
	page("GET /stats/population", h.statsOnly(h.statsPopulation))
	page("GET /stats/households", h.statsOnly(h.statsHouseholds))
	page("GET /stats/ledger", h.statsOnly(h.statsLedger))
	page("GET /stats/services", h.statsOnly(h.statsServices))
	page("GET /stats/benefits", h.statsOnly(h.statsBenefits))
	page("GET /notifications", only(access.Configure, h.notifications))
	page("POST /notifications/{id}/retry", only(access.Configure, h.notificationRetry))
	page("GET /audit", h.auditLog)
	page("GET /audit.csv", h.auditCSV)
	page("GET /users", h.adminOnly(h.userList))
	page("POST /users", h.adminOnly(h.userCreate))
	page("GET /users/{username}", h.adminOnly(h.userPage))
	page("POST /users/{username}/{action}", h.adminOnly(h.userAction))
	page("POST /login-locks", h.adminOnly(h.addrUnlock))
	page("GET /account/totp", h.totpPage)
	page("POST /account/totp/{action}", h.totpAction)
	page("GET /account/password", h.passwordPage)
	page("POST /account/password", h.passwordChange)
	page("GET /settings/totp", h.adminOnly(h.totpRolesPage))
	page("POST /settings/totp", h.adminOnly(h.totpRolesSave))
	page("GET /account/tokens", h.tokensPage)
	page("POST /account/tokens", h.tokenCreate)
	page("POST /account/tokens/{id}/delete", h.tokenDelete)
	mux.HandleFunc("GET /setup", h.setupShow)
	mux.HandleFunc("POST /setup", h.setupSave)
	manageOrg := func(fn http.HandlerFunc) http.HandlerFunc { return only(access.ManageOrg, fn) }
	page("GET /settings/org", manageOrg(h.orgList))
	page("POST /settings/org", manageOrg(h.orgCreate))
	page("GET /settings/org/{id}", manageOrg(h.orgUnitShow))
	page("POST /settings/org/{id}", manageOrg(h.orgUpdate))
	page("POST /settings/org/{id}/retire", manageOrg(h.orgRetire))
	page("POST /settings/org/import", manageOrg(h.orgImportCheck))
	page("POST /settings/org/import/apply", manageOrg(h.orgImportApply))
	page("GET /settings/places", manageOrg(h.placesList))
	page("POST /settings/places", manageOrg(h.placeCreate))
	page("GET /settings/places/{id}", manageOrg(h.placeShow))
	page("POST /settings/places/{id}", manageOrg(h.placeUpdate))
	page("POST /settings/places/{id}/retire", manageOrg(h.placeRetire))
	page("POST /settings/places/{id}/buildings", manageOrg(h.buildingCreate))
	page("POST /settings/buildings/{id}", manageOrg(h.buildingUpdate))
	page("POST /settings/buildings/{id}/retire", manageOrg(h.buildingRetire))
	imports := func(fn http.HandlerFunc) http.HandlerFunc { return only(access.Import, fn) }
	page("GET /households/export", imports(h.householdExport))
	page("GET /import", imports(h.importList))
	page("POST /import", imports(h.importUpload))
	page("GET /import/{id}", imports(h.importJob))
	page("GET /import/{id}/status", imports(h.importJobStatus))
	page("POST /import/{id}/check", imports(h.importCheck))
	page("POST /import/{id}/confirm", imports(h.importConfirm))
	page("POST /import/{id}/cancel", imports(h.importCancel))
	page("GET /import/{id}/report.xlsx", imports(h.importReport))
}
