package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/org"
)

// The team pages: whoever plans visits sees the team of the grids they
// see, and adds and changes the members they manage (org.Scope): a
// grid leader those of their own grids, an admin the whole community's,
// helpers without a grid included. A member taken out of the team
// (inactive) keeps their history but gets no more plan items.

// teamRow is one member in the list.
type teamRow struct {
	ID           int64
	Name         string
	Role         string
	Languages    string
	Availability string
	Skills       string
	Active       bool
	Account      string
	Editable     bool
	Untrained    bool   // no pre-job training passed (staff.WithoutPreJob)
	Hours        string // hours of service of the last three months, by month
}

// teamGroup is the members of one grid, or a community's helpers.
type teamGroup struct {
	Name string
	Rows []teamRow
}

// teamView is the list page.
type teamView struct {
	Page
	Groups []teamGroup
	CanAdd bool
	Pager  pager
}

// teamPerPage bounds the team page: a city has thousands of members.
const teamPerPage = 200

// teamList shows the team grouped by grid, inactive members included.
func (h *handler) teamList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := teamView{Page: h.page(r, "team.title", "team")}
	grids, err := h.files(r).GridChoices(ctx)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	all, err := org.AllTeamMembers(ctx, h.db)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	users, err := h.auth.Users(ctx)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	account := map[int64]string{}
	for _, u := range users {
		if u.TeamMemberID != 0 {
			account[u.TeamMemberID] = u.Username
		}
	}
	names := map[int64]string{}
	for _, g := range grids {
		names[g.ID] = g.Name
	}
	scope := access.Scope(v.User)
	members, pager := pageOf("/team", r.URL.Query(), org.TeamOfGrids(all, grids), teamPerPage)
	v.Pager = pager
	manages := map[[2]int64]bool{} // by community and grid: one unit read each
	index := map[string]int{}
	for _, m := range members {
		group := names[m.GridID]
		if m.GridID == 0 {
			group = v.L.T("team.helpers")
		}
		place := [2]int64{m.CommunityID, m.GridID}
		editable, ok := manages[place]
		if !ok {
			if editable, err = scope.Manages(ctx, h.db, m.CommunityID, m.GridID); err != nil {
				h.showError(w, r, err)
				return
			}
			manages[place] = editable
		}
		i, ok := index[group]
		if !ok {
			i, index[group] = len(v.Groups), len(v.Groups)
			v.Groups = append(v.Groups, teamGroup{Name: group})
		}
		v.Groups[i].Rows = append(v.Groups[i].Rows, teamRow{ID: m.ID, Name: m.Name, Role: v.L.T("role." + string(m.Role)),
			Languages:    strings.Join(labelsOf(v.L, "language", m.Languages), "、"),
			Availability: strings.Join(labelsOf(v.L, "team.availability", m.Availability), "、"),
			Skills:       strings.Join(m.Skills, "、"), Active: m.Active, Account: account[m.ID], Editable: editable})
	}
	if err := h.teamTraining(r, &v); err != nil {
		h.showError(w, r, err)
		return
	}
	v.CanAdd = len(h.teamPlaces(r, v.L)) > 0
	h.render(w, r, http.StatusOK, "team", v)
}

// labelsOf translates each of values under key.
func labelsOf(l *Locale, key string, values []string) []string {
	out := make([]string, len(values))
	for i, s := range values {
		out[i] = l.T(key + "." + s)
	}
	return out
}

// teamPlaces lists where the user may place a member, for the grid select:
// each grid they manage ("12") and, for an admin, each community they
// manage as a whole ("c3": a helper without a grid).
func (h *handler) teamPlaces(r *http.Request, l *Locale) []Option {
	ctx := r.Context()
	grids, err := org.GridChoicesWhere(ctx, h.db, "")
	if err != nil {
		return nil
	}
	scope := access.Scope(user(r))
	var opts []Option
	seen := map[int64]bool{}
	for _, g := range grids {
		if !seen[g.CommunityID] {
			seen[g.CommunityID] = true
			if ok, _ := scope.Manages(ctx, h.db, g.CommunityID, 0); ok {
				opts = append(opts, Option{Value: fmt.Sprintf("c%d", g.CommunityID), Label: g.CommunityName + " · " + l.T("team.helpers")})
			}
		}
		if ok, _ := scope.Manages(ctx, h.db, g.CommunityID, g.ID); ok {
			opts = append(opts, Option{Value: strconv.FormatInt(g.ID, 10), Label: g.CommunityName + " · " + g.Name})
		}
	}
	return opts
}

// teamValues are the form values of m.
func teamValues(m org.TeamMember) url.Values {
	v := url.Values{"name": {m.Name}, "role": {string(m.Role)}, "phone": {m.Phone}, "wechat": {m.WeChat}, "unit": {m.Unit},
		"skills": {strings.Join(m.Skills, ", ")}, "languages": m.Languages, "availability": m.Availability,
		"version": {strconv.Itoa(m.Version)}, "grid_id": {strconv.FormatInt(m.GridID, 10)}}
	if m.GridID == 0 {
		v.Set("grid_id", fmt.Sprintf("c%d", m.CommunityID))
	}
	if m.Active {
		v.Set("active", "1")
	}
	return v
}

// parseTeamMember reads the team form onto m (a new member when m.ID is 0).
func parseTeamMember(v url.Values, m *org.TeamMember) error {
	place := strings.TrimSpace(v.Get("grid_id"))
	if c, ok := strings.CutPrefix(place, "c"); ok {
		id, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			return apperr.Field("grid_id", "not_found", "no such place")
		}
		m.CommunityID, m.GridID = id, 0
	} else {
		id, err := id64(v, "grid_id")
		if err != nil {
			return err
		}
		if id == 0 {
			return apperr.Field("grid_id", "required", "is required")
		}
		m.GridID = id
	}
	m.Name, m.Role, m.Phone, m.WeChat = v.Get("name"), org.Role(v.Get("role")), v.Get("phone"), v.Get("wechat")
	m.Unit = v.Get("unit")
	m.Skills = strings.FieldsFunc(v.Get("skills"), func(r rune) bool { return r == ',' || r == '，' || r == '、' })
	m.Languages, m.Availability = v["languages"], v["availability"]
	if m.ID != 0 {
		m.Active = v.Get("active") == "1"
		n, err := intField(v, "version")
		if err != nil {
			return err
		}
		m.Version = n
	}
	return nil
}

// teamForm builds the team form; old is nil for a new member.
func (h *handler) teamForm(r *http.Request, f *form, old *org.TeamMember) {
	f.text("name")
	roles := make([]string, len(org.Roles))
	for i, ro := range org.Roles {
		roles[i] = string(ro)
	}
	f.enum("role", "role", roles, false)
	places := h.teamPlaces(r, f.l)
	cur := f.v.Get("grid_id")
	for i := range places {
		places[i].Selected = places[i].Value == cur
	}
	f.add("grid_id", "select", places)
	f.input("phone", "tel").Hint = f.l.T("team.phone_hint")
	f.text("wechat")
	unit := f.text("unit")
	unit.Label, unit.Hint = f.l.T("team.unit"), f.l.T("team.unit_hint")
	f.text("skills").Hint = f.l.T("team.skills_hint")
	f.checks("languages", org.Languages, enumLabels(f.l, "language", org.Languages))
	f.checks("availability", org.Availabilities, enumLabels(f.l, "team.availability", org.Availabilities))
	if old != nil {
		f.checks("active", []string{"1"}, []string{f.l.T("team.active_hint")})
		f.add("version", "hidden", nil)
	}
}

// teamNew shows the form for a new member.
func (h *handler) teamNew(w http.ResponseWriter, r *http.Request) {
	h.showTeamForm(w, r, http.StatusOK, nil, url.Values{"role": {string(org.RoleVolunteer)}, "availability": {"weekend"}}, nil)
}

// teamCreate adds a member and goes back to the list.
func (h *handler) teamCreate(w http.ResponseWriter, r *http.Request) {
	var m org.TeamMember
	if err := parseTeamMember(r.PostForm, &m); err != nil {
		h.teamFailed(w, r, nil, err)
		return
	}
	if m.GridID != 0 {
		g, err := org.GridByID(r.Context(), h.db, m.GridID)
		if errors.Is(err, apperr.ErrNotFound) {
			err = apperr.Field("grid_id", "not_found", "no such grid")
		}
		if err != nil {
			h.teamFailed(w, r, nil, err)
			return
		}
		m.CommunityID = g.CommunityID
	}
	if err := h.checkManaged(r, m); err != nil {
		h.teamFailed(w, r, nil, err)
		return
	}
	if err := org.CreateTeamMember(r.Context(), h.db, &m); err != nil {
		h.teamFailed(w, r, nil, err)
		return
	}
	seeOther(w, r, "/team")
}

// teamFailed shows the team form again with the posted values and err (a
// field's error or a conflict), or an error page. old is nil for a new
// member.
func (h *handler) teamFailed(w http.ResponseWriter, r *http.Request, old *org.TeamMember, err error) {
	if h.failed(w, r, err) {
		h.showTeamForm(w, r, status(err), old, r.PostForm, err)
	}
}

// checkManaged returns a FieldError on grid_id unless the user may have a
// member where m is.
func (h *handler) checkManaged(r *http.Request, m org.TeamMember) error {
	ok, err := access.Scope(user(r)).Manages(r.Context(), h.db, m.CommunityID, m.GridID)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Field("grid_id", "not_found", "not a grid whose team you manage")
	}
	return nil
}

// loadTeamMember returns the member of the route if the user may change it;
// any other looks like one that does not exist.
func (h *handler) loadTeamMember(r *http.Request) (*org.TeamMember, error) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	m, err := org.TeamMemberByID(r.Context(), h.db, id)
	if err != nil {
		return nil, err
	}
	ok, err := access.Scope(user(r)).Manages(r.Context(), h.db, m.CommunityID, m.GridID)
	if err != nil {
		return &m, err
	}
	if !ok {
		return &m, apperr.ErrNotFound
	}
	return &m, nil
}

// teamEdit shows the edit form of a member.
func (h *handler) teamEdit(w http.ResponseWriter, r *http.Request) {
	m, err := h.loadTeamMember(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	h.showTeamForm(w, r, http.StatusOK, m, teamValues(*m), nil)
}

// teamUpdate saves an edited member. On a conflict the form comes back with
// the user's input, the values saved in between and the new version.
func (h *handler) teamUpdate(w http.ResponseWriter, r *http.Request) {
	old, err := h.loadTeamMember(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	m := *old
	if err := parseTeamMember(r.PostForm, &m); err != nil {
		h.teamFailed(w, r, old, err)
		return
	}
	if m.GridID == 0 && m.CommunityID != old.CommunityID {
		h.teamFailed(w, r, old, apperr.Field("grid_id", "not_found", "a member stays in their community"))
		return
	}
	if err := h.checkManaged(r, m); err != nil {
		h.teamFailed(w, r, old, err)
		return
	}
	if err := org.UpdateTeamMember(r.Context(), h.db, &m); err != nil {
		h.teamFailed(w, r, old, err)
		return
	}
	seeOther(w, r, "/team")
}

// showTeamForm renders the team form with values v and err next to its
// field. old is nil for a new member.
func (h *handler) showTeamForm(w http.ResponseWriter, r *http.Request, code int, old *org.TeamMember, v url.Values, err error) {
	fv := FormView{Page: h.page(r, "team.new", "team"), Action: "/team", Back: "/team"}
	if old != nil {
		fv.Title = fv.L.T("team.edit")
		fv.Action = fmt.Sprintf("/team/%d", old.ID)
		if errors.Is(err, apperr.ErrConflict) {
			if cur, cerr := org.TeamMemberByID(r.Context(), h.db, old.ID); cerr == nil {
				now := newForm(fv.L, teamValues(cur), nil)
				h.teamForm(r, now, &cur)
				fv.Conflict = summary(now)
				v.Set("version", strconv.Itoa(cur.Version))
			}
			fv.Error = fv.L.T("form.conflict")
		}
	}
	fv.Heading = fv.Title
	fv.Form = newForm(fv.L, v, err)
	h.teamForm(r, fv.Form, old)
	fv.Unplaced = unplaced(fv.L, err, fv.Form)
	if fv.Error == "" && err != nil {
		fv.Error = fv.L.T("form.fix")
	}
	h.render(w, r, code, "form", fv)
}
