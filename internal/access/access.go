// Package access decides what a signed-in user may do and which household
// files they may see. The web pages and the API both ask here, so the rules
// of issue 3's role table live in one place:
//
//	role           scope                          may
//	admin          an org subtree                 everything in scope, users, configuration, the structure
//	grid_leader    own grids                      read and change household files, show full values, assign visitors
//	visitor        households assigned to them    read (always masked), record needs and events
//	officer        requests referred to them      handle them; no household files
//	resident       their own requests             no household files
//	auditor        an org subtree                 the audit log only
//
// Household scope is enforced by household.Store.In(Scope(u)): what is out
// of scope looks like what does not exist.
package access

import (
	"wanhu/internal/auth"
	"wanhu/internal/org"
)

// Action is something a user may or may not do.
type Action string

const (
	ReadHouseholds Action = "households.read"   // see household files, rosters, the ledger
	EditHouseholds Action = "households.edit"   // change households, members, plans, colours
	RecordNeeds    Action = "households.needs"  // add and update needs, record typed events
	Reveal         Action = "pii.reveal"        // show a full ID or phone number (audited)
	Export         Action = "households.export" // download rosters and lists
	AssignVisitors Action = "visitors.assign"   // choose who visits which household
	Configure      Action = "config"            // tags and colour rules
	ManageUsers    Action = "users"             // accounts and their roles
	ReadAudit      Action = "audit.read"        // the audit log
	RecordVisits   Action = "visits.record"     // record visits and see the list of visits due
	PlanVisits     Action = "visits.plan"       // generate and edit the weekly visit plans of grids
	// Resident requests (issue 5), within the requests Scope reaches.
	SubmitRequests Action = "requests.submit" // register a request and read the requests in scope
	AcceptRequests Action = "requests.accept" // accept, decline, merge; approve extensions; record callbacks
	HandleRequests Action = "requests.handle" // progress notes, resolution, hand-back, asking for an extension
	// ManageOrg is changing the structure within scope (issue 12): create,
	// rename, move, renumber and retire org units, compounds and buildings.
	ManageOrg Action = "org.manage"
	// Import is bringing households in from a workbook and exporting them
	// in its layout with full ID and phone numbers (issue 12): the roles
	// that may reveal, within their scope.
	Import Action = "households.import"
	// RecordTalks is keeping the talk room's log and the mediation cases
	// (issue 16): sessions, visitors and the requests of their words,
	// cases, their sessions, outcomes and escalations. Reading them needs
	// ReadHouseholds; which ones, the scope says.
	RecordTalks Action = "talks.record"
)

// allowed lists what each role may do.
var allowed = map[auth.Role][]Action{
	auth.Admin:      {ReadHouseholds, EditHouseholds, RecordNeeds, Reveal, Export, AssignVisitors, Configure, ManageUsers, ReadAudit, RecordVisits, PlanVisits, SubmitRequests, AcceptRequests, HandleRequests, ManageOrg, Import, RecordTalks},
	auth.GridLeader: {ReadHouseholds, EditHouseholds, RecordNeeds, Reveal, Export, AssignVisitors, RecordVisits, PlanVisits, SubmitRequests, AcceptRequests, HandleRequests, Import, RecordTalks},
	auth.Visitor:    {ReadHouseholds, RecordNeeds, RecordVisits, SubmitRequests},
	auth.Officer:    {HandleRequests},
	auth.Auditor:    {ReadAudit},
}

// Can reports whether u holds a role that allows a.
func Can(u *auth.User, a Action) bool {
	if u == nil || u.Disabled {
		return false
	}
	for _, g := range u.Grants {
		for _, x := range allowed[g.Role] {
			if x == a {
				return true
			}
		}
	}
	return false
}

// Scope returns what u reaches, the union of what each grant gives: an
// administrator's org subtree, a grid leader's grids, a visitor's team
// member, an officer's departments, an administrator's or auditor's audit
// log, and whether u may see persons in full (Reveal). Each domain renders
// its own SQL condition from it. A user with no grant reaches nothing.
func Scope(u *auth.User) org.Scope {
	var s org.Scope
	if u == nil || u.Disabled {
		return s
	}
	for _, g := range u.Grants {
		switch g.Role {
		case auth.Admin:
			s.Paths = append(s.Paths, g.Path)
			s.AuditPaths = append(s.AuditPaths, g.Path)
		case auth.GridLeader:
			s.GridIDs = append(s.GridIDs, g.OrgUnitID)
		case auth.Visitor:
			s.MemberID = u.TeamMemberID
		case auth.Officer:
			s.DepartmentPaths = append(s.DepartmentPaths, g.Path)
		case auth.Auditor:
			s.AuditPaths = append(s.AuditPaths, g.Path)
		}
	}
	s.UserID, s.Reveal = u.ID, Can(u, Reveal)
	return s
}

// HomePath is the org unit a staff member registers a request with
// neither household nor grid for: that of their first administrator or
// grid leader grant ("" for none).
func HomePath(u *auth.User) string {
	for _, g := range u.Grants {
		if g.Role == auth.Admin || g.Role == auth.GridLeader {
			return g.Path
		}
	}
	return ""
}

// StatsScope is what u may count in the statistics: their scope by org
// unit (an administrator's subtree, a grid leader's grids), without a
// visitor's households, which are a list rather than a place to count; ok
// is false when that leaves nothing.
func StatsScope(u *auth.User) (s org.Scope, ok bool) {
	if !Can(u, ReadHouseholds) {
		return org.Scope{}, false
	}
	s = Scope(u).Places()
	return s, s.Any()
}

// StaffScope is whose scorecards u sees (issue 6, 考评): an administrator
// their subtree's team, a grid leader their grids' members, a visitor their
// own; request figures count the requests u may see. ok is false for a
// user without household access (officers, auditors).
func StaffScope(u *auth.User) (s org.Scope, ok bool) {
	if !Can(u, ReadHouseholds) {
		return s, false
	}
	return Scope(u), true
}
