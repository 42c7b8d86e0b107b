// Package api is the JSON face of Wanhu under /api/v1: thin handlers that
// decode a request, call the domain packages and encode the answer. Every
// route is listed in routes below, and openapi.json describes each of them
// (a test keeps the two in step).
package api

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/importjob"
	"wanhu/internal/server"
)

// Prefix is where the API lives.
const Prefix = "/api/v1"

// handler holds what the API handlers need.
type handler struct {
	d   server.Deps
	log *slog.Logger
	now func() time.Time
}

// route is one line of the route table. Public routes need no bearer
// token; h.only names the right a route needs (access decides), checked
// before the handler reads anything of the request.
type route struct {
	method, path string
	fn           http.HandlerFunc
	public       bool
}

// routes is the route table of the API: the one place that says which
// handler answers which method and path.
func (h *handler) routes() []route {
	return []route{
		{"POST", "/auth/login", h.login, true},
		{"GET", "/openapi.json", h.openAPI, true},
		{"POST", "/auth/logout", h.logout, false},
		{"GET", "/me", h.me, false},
		{"GET", "/tokens", h.tokens, false},
		{"POST", "/tokens", h.createToken, false},
		{"DELETE", "/tokens/{id}", h.deleteToken, false},

		{"GET", "/grids", h.grids, false},
		{"GET", "/grids/{id}", h.grid, false},
		{"GET", "/compounds", h.compounds, false},
		{"GET", "/team", h.team, false},
		{"POST", "/team", h.only(access.PlanVisits, h.createTeamMember), false},
		{"GET", "/team/{id}", h.teamMember, false},
		{"PATCH", "/team/{id}", h.only(access.PlanVisits, h.updateTeamMember), false},
		{"GET", "/org-units", h.orgUnits, false},
		{"POST", "/org-units", h.only(access.ManageOrg, h.createOrgUnit), false},
		{"GET", "/org-units/{id}", h.orgUnit, false},
		{"PATCH", "/org-units/{id}", h.only(access.ManageOrg, h.updateOrgUnit), false},
		{"POST", "/org-units/{id}/retire", h.only(access.ManageOrg, h.retireOrgUnit), false},
		{"POST", "/compounds", h.only(access.ManageOrg, h.createCompound), false},
		{"PATCH", "/compounds/{id}", h.only(access.ManageOrg, h.updateCompound), false},
		{"POST", "/compounds/{id}/retire", h.only(access.ManageOrg, h.retireCompound), false},
		{"POST", "/compounds/{id}/buildings", h.only(access.ManageOrg, h.createBuilding), false},
		{"PATCH", "/buildings/{id}", h.only(access.ManageOrg, h.updateBuilding), false},
		{"POST", "/buildings/{id}/retire", h.only(access.ManageOrg, h.retireBuilding), false},
		{"POST", "/imports/structure", h.only(access.ManageOrg, h.importStructure), false},
		{"GET", "/tags", h.tags, false},
		{"POST", "/tags", h.only(access.Configure, h.createTag), false},
		{"GET", "/colour-rules", h.colourRules, false},
		{"PUT", "/colour-rules", h.only(access.Configure, h.setColourRules), false},

		{"GET", "/households", h.households, false},
		{"POST", "/households", h.only(access.EditHouseholds, h.createHousehold), false},
		{"GET", "/households/{id}", h.household, false},
		{"PATCH", "/households/{id}", h.only(access.EditHouseholds, h.updateHousehold), false},
		{"PUT", "/households/{id}/colour-override", h.only(access.EditHouseholds, h.setColourOverride), false},
		{"DELETE", "/households/{id}/colour-override", h.only(access.EditHouseholds, h.clearColourOverride), false},
		{"GET", "/households/{id}/ledger", h.householdLedger, false},
		{"POST", "/households/{id}/members", h.only(access.EditHouseholds, h.addMember), false},
		{"POST", "/households/{id}/needs", h.only(access.RecordNeeds, h.addNeed), false},
		{"POST", "/households/{id}/plan", h.only(access.EditHouseholds, h.addMeasure), false},

		{"GET", "/persons/{id}", h.person, false},
		{"PATCH", "/persons/{id}", h.only(access.EditHouseholds, h.updatePerson), false},
		{"POST", "/persons/{id}/events", h.only(access.RecordNeeds, h.personEvent), false},
		{"POST", "/persons/{id}/reveal", h.revealPerson, false},
		{"POST", "/households/{id}/reveal", h.revealHousehold, false},
		{"PUT", "/households/{id}/visitors", h.only(access.AssignVisitors, h.setVisitors), false},
		{"PATCH", "/needs/{id}", h.only(access.RecordNeeds, h.updateNeed), false},
		{"PATCH", "/plan/{id}", h.only(access.EditHouseholds, h.updateMeasure), false},

		{"POST", "/visits", h.only(access.RecordVisits, h.createVisit), false},
		{"GET", "/visits/due", h.only(access.RecordVisits, h.visitsDue), false},
		{"GET", "/visits/{id}/photos", h.visitPhotos, false},
		{"POST", "/visits/{id}/photos", h.only(access.RecordVisits, h.addVisitPhoto), false},
		{"GET", "/visits/{id}/photos/{photo}", h.visitPhoto, false},
		{"GET", "/visits/coverage", h.only(access.PlanVisits, h.coverage), false},
		{"GET", "/visits/progress", h.only(access.PlanVisits, h.progress), false},
		{"GET", "/visits/by-visitor", h.only(access.PlanVisits, h.visitsByVisitor), false},
		{"GET", "/visits/never", h.only(access.PlanVisits, h.neverVisited), false},
		{"GET", "/visit-policy", h.visitPolicy, false},
		{"PUT", "/visit-policy", h.only(access.Configure, h.setVisitPolicy), false},
		{"GET", "/calendar/{year}", h.calendarGet, false},
		{"PUT", "/calendar/{year}", h.only(access.Configure, h.calendarPut), false},
		{"GET", "/visits/follow-ups", h.only(access.PlanVisits, h.followUps), false},
		{"GET", "/households/{id}/visits", h.householdVisits, false},
		{"POST", "/plans", h.only(access.PlanVisits, h.createPlan), false},
		{"GET", "/plans", h.only(access.PlanVisits, h.plan), false},
		{"PATCH", "/plans/{id}/items/{household_id}", h.only(access.PlanVisits, h.movePlanItem), false},
		{"POST", "/plans/{id}/swap", h.only(access.PlanVisits, h.swapPlanVisitors), false},
		{"GET", "/grids/{id}/slots", h.slots, false},
		{"POST", "/appointments", h.createAppointment, false},
		{"GET", "/appointments", h.appointments, false},
		{"POST", "/appointments/{id}/missed", h.missedAppointment, false},
		{"POST", "/appointments/{id}/cancel", h.cancelAppointment, false},

		{"GET", "/tasks", h.only(access.RecordVisits, h.taskList), false},
		{"POST", "/tasks/{id}/done", h.only(access.RecordVisits, h.taskDone), false},
		{"POST", "/tasks/{id}/dismiss", h.only(access.RecordVisits, h.taskDismiss), false},
		{"POST", "/tasks/{id}/request", h.only(access.SubmitRequests, h.taskRequest), false},
		{"GET", "/round-templates", h.roundTemplates, false},
		{"POST", "/rounds", h.only(access.RecordVisits, h.createRound), false},
		{"GET", "/rounds", h.only(access.ReadHouseholds, h.roundList), false},
		{"GET", "/rounds/{id}", h.only(access.ReadHouseholds, h.oneRound), false},
		{"POST", "/rounds/{id}/start", h.only(access.RecordVisits, h.startRound), false},
		{"POST", "/rounds/{id}/results", h.only(access.RecordVisits, h.roundResults), false},
		{"GET", "/hazards", h.only(access.ReadHouseholds, h.hazards), false},

		{"GET", "/request-categories", h.requestCategories, false},
		{"POST", "/requests", h.only(access.SubmitRequests, h.createRequest), false},
		{"GET", "/requests", h.requestList, false},
		{"GET", "/requests/{id}", h.oneRequest, false},
		{"POST", "/requests/{id}/accept", h.acceptRequest, false},
		{"POST", "/requests/{id}/decline", h.declineRequest, false},
		{"POST", "/requests/{id}/merge", h.mergeRequest, false},
		{"POST", "/requests/{id}/progress", h.progressRequest, false},
		{"POST", "/requests/{id}/hand-back", h.handBackRequest, false},
		{"POST", "/requests/{id}/extension", h.extendRequest, false},
		{"POST", "/requests/{id}/extension/approve", h.approveExtension, false},
		{"POST", "/requests/{id}/extension/refuse", h.refuseExtension, false},
		{"POST", "/requests/{id}/resolve", h.resolveRequest, false},
		{"POST", "/requests/{id}/callback", h.callbackRequest, false},
		{"POST", "/requests/{id}/arrive", h.arriveRequest, false},
		{"GET", "/talk-sessions", h.only(access.ReadHouseholds, h.talkSessions), false},
		{"POST", "/talk-sessions", h.only(access.RecordTalks, h.createTalkSession), false},
		{"GET", "/talk-sessions/{id}", h.only(access.ReadHouseholds, h.talkSession), false},
		{"PATCH", "/talk-sessions/{id}", h.updateTalkSession, false},
		{"POST", "/talk-sessions/{id}/visitors", h.addTalkVisitor, false},
		{"GET", "/mediation-cases", h.only(access.ReadHouseholds, h.mediationCases), false},
		{"POST", "/mediation-cases", h.only(access.RecordTalks, h.createMediationCase), false},
		{"GET", "/mediation-cases/{id}", h.only(access.ReadHouseholds, h.mediationCase), false},
		{"PATCH", "/mediation-cases/{id}", h.updateMediationCase, false},
		{"POST", "/mediation-cases/{id}/sessions", h.addMediationSession, false},
		{"POST", "/mediation-cases/{id}/escalate", h.escalateMediationCase, false},
		{"GET", "/households/{id}/talks", h.householdTalks, false},
		{"GET", "/benefits", h.only(access.ReadHouseholds, h.benefitCases), false},
		{"POST", "/benefits", h.only(access.RecordNeeds, h.createBenefitCase), false},
		{"GET", "/benefits/{id}", h.only(access.ReadHouseholds, h.benefitCase), false},
		{"POST", "/benefits/{id}/decision", h.decideBenefitCase, false},
		{"PATCH", "/benefits/{id}", h.updateBenefitCase, false},
		{"POST", "/benefits/{id}/end", h.endBenefitCase, false},
		{"POST", "/benefits/{id}/withdraw", h.withdrawBenefitCase, false},
		{"GET", "/stats/benefits", h.benefitStats, false},
		{"GET", "/programmes", h.only(access.ReadHouseholds, h.listProgrammes), false},
		{"POST", "/programmes", h.only(access.EditHouseholds, h.createProgramme), false},
		{"GET", "/programmes/{id}", h.only(access.ReadHouseholds, h.getProgramme), false},
		{"PATCH", "/programmes/{id}", h.updateProgramme, false},
		{"GET", "/programmes/{id}/sessions", h.only(access.ReadHouseholds, h.programmeSessions), false},
		{"POST", "/programmes/{id}/sessions", h.addProgrammeSession, false},
		{"PATCH", "/programmes/{id}/sessions/{session}", h.updateProgrammeSession, false},
		{"DELETE", "/programmes/{id}/sessions/{session}", h.deleteProgrammeSession, false},
		{"PUT", "/programmes/{id}/sessions/{session}/attendance", h.setProgrammeAttendance, false},
		{"GET", "/programmes/{id}/enrolments", h.only(access.ReadHouseholds, h.programmeEnrolments), false},
		{"POST", "/programmes/{id}/enrolments", h.enrol, false},
		{"POST", "/programmes/{id}/enrolments/{enrolment}/withdraw", h.withdrawEnrolment, false},
		{"PUT", "/programmes/{id}/enrolments/{enrolment}/interests", h.setEnrolmentInterests, false},
		{"GET", "/programmes/{id}/candidates", h.only(access.ReadHouseholds, h.programmeCandidates), false},
		{"GET", "/programmes/{id}/teachers", h.only(access.ReadHouseholds, h.programmeTeachers), false},
		{"GET", "/stats/programmes", h.only(access.ReadHouseholds, h.programmeStats), false},
		{"GET", "/activities", h.only(access.ReadHouseholds, h.listActivities), false},
		{"POST", "/activities", h.only(access.EditHouseholds, h.createActivity), false},
		{"GET", "/activities/{id}", h.only(access.ReadHouseholds, h.getActivity), false},
		{"PATCH", "/activities/{id}", h.updateActivity, false},
		{"GET", "/activities/{id}/signups", h.only(access.ReadHouseholds, h.activitySignups), false},
		{"POST", "/activities/{id}/signups", h.signUpHousehold, false},
		{"POST", "/activities/{id}/signups/{signup}/attendance", h.markSignupAttended, false},
		{"GET", "/households/{id}/programmes", h.only(access.ReadHouseholds, h.getHouseholdProgrammes), false},
		{"GET", "/stats/requests", h.requestStats, false},
		{"GET", "/stats/population", h.population, false},
		{"GET", "/stats/households", h.householdStats, false},
		{"GET", "/stats/survey", h.only(access.PlanVisits, h.surveyStats), false},
		{"GET", "/stats/bad-reviews", h.badReviews, false},
		{"GET", "/scorecards", h.scorecards, false},
		{"GET", "/scorecards/{id}", h.scorecard, false},
		{"GET", "/scorecard-weights", h.scorecardWeights, false},
		{"PUT", "/scorecard-weights", h.only(access.Configure, h.setScorecardWeights), false},
		{"GET", "/feedback", h.feedbackList, false},
		{"POST", "/feedback", h.only(access.AcceptRequests, h.recordFeedback), false},
		{"GET", "/feedback/{id}", h.feedbackOne, false},
		{"POST", "/feedback/{id}/handle", h.only(access.AcceptRequests, h.handleComplaint), false},
		{"GET", "/public/requests/{code}/people", h.publicPeople, true},
		{"POST", "/public/requests/{code}/feedback", h.publicFeedback, true},
		{"GET", "/team/{id}/training", h.training, false},
		{"POST", "/team/{id}/training", h.addTraining, false},
		{"DELETE", "/training/{id}", h.deleteTraining, false},
		{"GET", "/staff-hours", h.staffHours, false},
		{"GET", "/team/{id}/hours", h.memberHours, false},
		{"POST", "/team/{id}/hours", h.addHours, false},
		{"GET", "/scorecard-targets", h.scorecardTargets, false},
		{"PUT", "/scorecard-targets", h.only(access.Configure, h.setScorecardTargets), false},
		{"GET", "/training-courses", h.courses, false},
		{"POST", "/training-courses", h.createCourse, false},
		{"GET", "/training-courses/{id}", h.getCourse, false},
		{"PUT", "/training-courses/{id}", h.updateCourse, false},
		{"DELETE", "/training-courses/{id}", h.deleteCourse, false},
		{"POST", "/training-courses/{id}/sessions", h.addSession, false},
		{"PUT", "/training-courses/{id}/sessions/{session}", h.updateSession, false},
		{"DELETE", "/training-courses/{id}/sessions/{session}", h.deleteSession, false},
		{"POST", "/training-courses/{id}/attendance", h.attend, false},
		{"GET", "/stats/ledger", h.ledgerTrend, false},
		{"GET", "/stats/visits", h.visitStats, false},
		{"GET", "/survey-questions", h.surveyQuestions, false},
		{"POST", "/survey-questions", h.only(access.Configure, h.createSurveyQuestion), false},
		{"PATCH", "/survey-questions/{code}", h.only(access.Configure, h.updateSurveyQuestion), false},

		{"GET", "/ledger", h.ledger, false},
		{"GET", "/rosters/key-persons", h.keyPersons, false},
		{"GET", "/rosters/special-difficulty-households", h.specialDifficulty, false},
		{"GET", "/rosters", h.only(access.ReadHouseholds, h.rosterIndex), false},
		{"GET", "/rosters/{name}", h.only(access.ReadHouseholds, h.roster), false},
		{"GET", "/saved-rosters", h.only(access.ReadHouseholds, h.savedRosters), false},
		{"POST", "/saved-rosters", h.only(access.ReadHouseholds, h.saveRoster), false},
		{"DELETE", "/saved-rosters/{id}", h.only(access.ReadHouseholds, h.deleteSavedRoster), false},

		{"GET", "/audit", h.auditLog, false},
		{"GET", "/audit.csv", h.auditCSV, false},

		{"GET", "/notifications", h.only(access.Configure, h.notifications), false},
		{"POST", "/notifications/{id}/retry", h.only(access.Configure, h.retryNotification), false},

		{"POST", "/imports", h.only(access.Import, h.createImport), false},
		{"GET", "/imports/{id}", h.importJob, false},
		{"POST", "/imports/{id}/confirm", h.confirmImport, false},
		{"GET", "/imports/{id}/report.xlsx", h.importReport, false},
		{"GET", "/households/export", h.only(access.Import, h.exportHouseholds), false},
	}
}

// only lets through a user who may do a (access decides) and answers
// errForbidden to anyone else.
func (h *handler) only(a access.Action, fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !access.Can(user(r), a) {
			h.fail(w, r, errForbidden)
			return
		}
		fn(w, r)
	}
}

// Routes lists the API's route patterns ("GET /api/v1/households/{id}"),
// for the test that walks every route as every role (internal/app).
func Routes() []string {
	var out []string
	for _, rt := range newHandler(server.Deps{}).routes() {
		out = append(out, rt.method+" "+Prefix+rt.path)
	}
	return out
}

// Register registers every API route on mux under /api/v1, and answers any
// other request below /api/ in JSON: 405 for a known path with another
// method, 404 for an unknown path.
func Register(mux *http.ServeMux, d server.Deps) {
	h := newHandler(d)
	paths := http.NewServeMux() // path → allowed methods, for the 405s
	allowed := map[string][]string{}
	for _, rt := range h.routes() {
		fn := rt.fn
		if !rt.public {
			fn = h.authenticated(h.scoped(h.audited(fn)))
		}
		mux.HandleFunc(rt.method+" "+Prefix+rt.path, fn)
		if allowed[rt.path] == nil {
			paths.HandleFunc(Prefix+rt.path, http.NotFound)
		}
		allowed[rt.path] = append(allowed[rt.path], rt.method)
	}
	mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := paths.Handler(r); pattern != "" {
			w.Header().Set("Allow", strings.Join(allowed[strings.TrimPrefix(pattern, Prefix)], ", "))
			h.fail(w, r, errMethod)
			return
		}
		h.fail(w, r, errRoute)
	})
	// Any other address under /api/ (another version, a typo) answers
	// in JSON too, not with the web's page.
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) { h.fail(w, r, errRoute) })
}

func newHandler(d server.Deps) *handler {
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	if d.Imports == nil && d.DB != nil {
		d.Imports = importjob.New(d.DB, log) // jobs queue for the runner of a server
	}
	return &handler{d: d, log: log, now: d.Clock()}
}
