package web

import (
	"net/http"

	"wanhu/internal/access"
)

// The settings page (设置) gathers the pages that configure the community
// rather than serve its residents, so that the navigation keeps to the
// daily work. It lists only what the user may open.

// settingsPage lists the configuration pages the user may open.
type settingsPage struct {
	Page
	Links  []settingsLink
	Backup *settingsBackup // for administrators
}

// settingsLink is one configuration page: where, what it is called, what
// it is for.
type settingsLink struct {
	ID, Href, Title, About string
}

// settingsShow shows the settings the user may open; a user who may open
// none is refused.
func (h *handler) settingsShow(w http.ResponseWriter, r *http.Request) {
	v := settingsPage{Page: h.page(r, "settings.title", "settings")}
	u := user(r)
	for _, s := range []struct {
		id, href string
		show     bool
	}{
		{"users", "/users", u.Has("admin")},
		{"org", "/settings/org", can(r, access.ManageOrg)},
		{"places", "/settings/places", can(r, access.ManageOrg)},
		{"policy", "/visits/policy", can(r, access.Configure) || can(r, access.PlanVisits)},
		{"proactive", "/settings/proactive", can(r, access.Configure)},
		{"survey", "/survey", can(r, access.Configure) || can(r, access.RecordVisits)},
		{"weights", "/staff/weights", can(r, access.Configure)},
		{"calendar", "/calendar", u.Has("admin")},
		{"notifications", "/notifications", can(r, access.Configure)},
		{"tokens", "/account/tokens", true},
		{"password", "/account/password", true},
		{"totp", "/account/totp", true},
		{"totp_roles", "/settings/totp", can(r, access.ManageUsers)},
	} {
		if s.show {
			v.Links = append(v.Links, settingsLink{ID: "settings-" + s.id, Href: s.href,
				Title: v.L.T("settings." + s.id), About: v.L.T("settings." + s.id + "_about")})
		}
	}
	if u.Has("admin") {
		var err error
		if v.Backup, err = h.backupLine(r, v.L); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusOK, "settings", v)
}
