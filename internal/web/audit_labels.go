package web

import (
	"strings"

	"wanhu/internal/audit"
)

// The audit page shows an entry's action, role and object in words
// ("诉求 #7", "办结"), with the code the log stores beside them for IT.

// auditActionLabel names action in l: its own label ("audit.action.<code>"),
// else that of its group (the part before the first dot), else the code.
// A generic "write" is named by its route (detail) when the route is one
// auditWriteRoutes knows: entries recorded before the domains named their
// changes, and changes no domain names yet.
func auditActionLabel(l *Locale, action, detail string) string {
	if action == "write" {
		if code, ok := auditWriteRoutes[routeOf(detail)]; ok {
			return l.T("audit.action." + code)
		}
	}
	if l.Has("audit.action." + action) {
		return l.T("audit.action." + action)
	}
	if group, _, ok := strings.Cut(action, "."); ok && l.Has("audit.action."+group) {
		return l.T("audit.action." + group)
	}
	return action
}

// routeOf is the route of a "write" entry's detail ("POST
// /households/{id}/needs"; the API's "PATCH /api/v1/needs/{id}" counts as
// "PATCH /needs/{id}"), or "" for another detail.
func routeOf(detail string) string {
	method, path, ok := strings.Cut(detail, " ")
	if !ok || !strings.HasPrefix(path, "/") {
		return ""
	}
	return method + " " + strings.TrimPrefix(path, "/api/v1") // api.Prefix
}

// auditWriteRoutes are the routes of the web and the API whose "write"
// entries the page names, by the action that names them now.
var auditWriteRoutes = map[string]string{
	"POST /households":                        "household.create",
	"POST /households/{id}":                   "household.update",
	"PATCH /households/{id}":                  "household.update",
	"POST /households/{id}/colour":            "household.colour",
	"PUT /households/{id}/colour-override":    "household.colour",
	"DELETE /households/{id}/colour-override": "household.colour",
	"POST /households/{id}/visitors":          "household.visitors",
	"PUT /households/{id}/visitors":           "household.visitors",
	"POST /households/{id}/members":           "person.add",
	"POST /persons/{id}":                      "person.update",
	"PATCH /persons/{id}":                     "person.update",
	"POST /persons/{id}/events":               "person.event",
	"POST /households/{id}/needs":             "need.add",
	"POST /needs/{id}":                        "need.update",
	"PATCH /needs/{id}":                       "need.update",
	"POST /households/{id}/plan":              "plan.add",
	"POST /plan/{id}":                         "plan.update",
	"PATCH /plan/{id}":                        "plan.update",
	"POST /households/{id}/visits":            "visit.record",
	"POST /visits":                            "visit.record",
	"POST /visits/sync":                       "visit.record",
	"POST /requests":                          "request.submit",
	"POST /requests/{id}/{action}":            "request",
	"POST /requests/{id}/accept":              "request.accept",
	"POST /requests/{id}/decline":             "request.decline",
	"POST /requests/{id}/merge":               "request.merge",
	"POST /requests/{id}/progress":            "request.progress",
	"POST /requests/{id}/hand-back":           "request.hand_back",
	"POST /requests/{id}/extension":           "request.extension",
	"POST /requests/{id}/extension/approve":   "request.extension_approve",
	"POST /requests/{id}/extension/refuse":    "request.extension_refuse",
	"POST /requests/{id}/resolve":             "request.resolve",
	"POST /requests/{id}/callback":            "request.callback",
	"POST /logout":                            "logout",
	"POST /auth/logout":                       "logout",
	"POST /account/password":                  "user.password_change",
	"POST /settings/org/import/apply":         "import.structure",
	"POST /import/{id}/confirm":               "import.households",
	"POST /imports/{id}/confirm":              "import.households",
}

// auditRoleLabel names the roles of an entry ("grid_leader,auditor") in l.
func auditRoleLabel(l *Locale, roles string) string {
	if roles == "" {
		return ""
	}
	parts := strings.Split(roles, ",")
	for i, r := range parts {
		switch {
		case l.Has("users.role." + r):
			parts[i] = l.T("users.role." + r)
		case l.Has("audit.role." + r):
			parts[i] = l.T("audit.role." + r)
		}
	}
	return strings.Join(parts, l.T("audit.role_sep"))
}

// auditObjectLabel names an entry's object in l: "household:42" as
// "户档 #42" ("audit.object.<kind>" filled with the id), "audit_log" as
// "审计日志"; an object it does not know stays as stored.
func auditObjectLabel(l *Locale, object string) string {
	kind, id, ok := strings.Cut(object, ":")
	if ok && id != "" && l.Has("audit.object."+kind) {
		return l.T("audit.object."+kind, id)
	}
	if !ok && l.Has("audit.kind."+object) {
		return l.T("audit.kind." + object)
	}
	return object
}

// auditActionOption is one choice of the page's action filter.
type auditActionOption struct {
	Value, Label string
	Member       bool // an action of the group above it, shown indented
	Selected     bool
}

// auditActionOptions are the choices of the action filter: each group of
// audit.Actions ("all of …") and its actions, and the action of the search
// when it is none of them, so that the form shows what it searched.
func auditActionOptions(l *Locale, current string) []auditActionOption {
	var out []auditActionOption
	found := current == ""
	add := func(o auditActionOption) {
		o.Selected = o.Value == current
		found = found || o.Selected
		out = append(out, o)
	}
	for _, g := range audit.Actions {
		label := auditActionLabel(l, g.Prefix, "")
		if len(g.Actions) > 0 {
			label = l.T("audit.action_group", label)
		}
		add(auditActionOption{Value: g.Prefix, Label: label})
		for _, a := range g.Actions {
			add(auditActionOption{Value: a, Label: auditActionLabel(l, a, ""), Member: true})
		}
	}
	if !found {
		label := auditActionLabel(l, current, "")
		if label != current {
			label += " · " + current
		}
		out = append(out, auditActionOption{Value: current, Label: label, Selected: true})
	}
	return out
}
