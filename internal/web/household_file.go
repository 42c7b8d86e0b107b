package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/household"
	"wanhu/internal/mediation"
	"wanhu/internal/org"
	"wanhu/internal/proactive"
	"wanhu/internal/round"
	"wanhu/internal/visit"
)

// fileView is the household file (一户一档).
type fileView struct {
	Page
	H            *household.Household
	Shop         bool       // commercial or mixed: fire-safety checks apply
	ShopChecks   []roundRow // its fire-safety checks, the latest first
	Community    string
	Phone        string
	Badge        Badge
	Reasons      []string
	Overridden   bool
	Kind         string
	Occupancy    string
	ContactTimes string
	Language     string
	Interpreter  bool
	Tags         []string
	Current      memberTable
	Former       memberTable
	Needs        []needView
	Measures     []measureView
	Ledger       []ledgerView
	NeedKinds    []Option
	NeedStatuses []Option
	MeasureKinds []Option
	Frequencies  []Option
	MeasureState []Option
	Owners       []Option
	Colours      []Option
	Error        string
	Printed      string
	// What the viewer's roles allow on this page.
	CanEdit, CanNeeds, CanReveal, CanAssign bool
	// Schedule is when the household is next due a visit (for users who
	// record visits).
	Schedule *visit.Schedule
	// Tasks are the household's proactive tasks (未诉先办), for users who
	// record visits; nil for others.
	Tasks *taskBlock
	// VisitID is the client id of the quick visit buttons: a double tap
	// sends it twice and records one visit.
	VisitID string
	// Visitors are the team members assigned to visit; Team the choices.
	Visitors []string
	Team     []Option
	// Talks are the household's talk-room visits and mediation cases.
	Talks *mediation.OfHousehold
	// Benefits are the household's benefit cases and the form to apply.
	Benefits *benefitBlock
	// Programmes are the programmes and activities the household joined.
	Programmes *householdProgrammes
	// team is the household's community's team, read for those who assign
	// or edit (the benefit block's helpers reuse it).
	team []org.TeamMember
	// blocks tells which of the household's lists have rows: the others
	// are not read.
	blocks household.FileBlocks
	// helper is the team member read with the blocks (blocks.Member), or 0.
	helper int64
}

// memberTable is a table of members; Edit adds the edit links, Reveal the
// audited "show the full ID number" form.
type memberTable struct {
	L      *Locale
	Rows   []memberView
	Edit   bool
	Reveal bool
	CSRF   string
}

// needView is one need with its status choices.
type needView struct {
	ID       int64
	Kind     string
	Note     string
	Status   string
	Statuses []Option
}

// measureView is one measure of the plan with its edit choices.
type measureView struct {
	ID          int64
	Kind        string
	Description string
	Owner       string
	Frequency   string
	Status      string
	Kinds       []Option
	Frequencies []Option
	States      []Option
	Owners      []Option
}

// householdFile shows one household's file.
func (h *handler) householdFile(w http.ResponseWriter, r *http.Request) {
	v, err := h.fileOf(r, "household.title")
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if v.Talks, err = h.talks(r).ForHouseholdKnown(r.Context(), v.H.ID, v.blocks.TalkVisits, v.blocks.Mediation); err != nil {
		h.showError(w, r, err)
		return
	}
	if v.Programmes, err = h.programmesOfHousehold(r, v.L, v.H.ID, v.blocks); err != nil {
		h.showError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "household", v)
}

// loadHousehold reads the household of the route's {id}, if the user may see it.
func (h *handler) loadHousehold(r *http.Request) (*household.Household, error) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	hh, err := h.files(r).HouseholdByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return hh, nil
}

// fileOf builds the household file view for the route's {id}.
func (h *handler) fileOf(r *http.Request, title string) (*fileView, error) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	canEdit, records := can(r, access.EditHouseholds), can(r, access.RecordVisits)
	// The benefit form's helper, for who applies but does not decide, is
	// the user's own team member.
	helper := int64(0)
	if u := user(r); u != nil && u.TeamMemberID != 0 && can(r, access.RecordNeeds) && !canEdit {
		helper = u.TeamMemberID
	}
	// The household with its latest ledger events and which of its lists
	// have rows (most households have no tasks, benefit cases, talks or
	// programmes: only those with rows are read), with the helper and, for
	// those who record visits, when it is next due: one statement.
	hh, x, err := h.files(r).HouseholdFile(ctx, id, household.FileWith{Ledger: 10, Member: helper, Due: records})
	if err != nil {
		return nil, err
	}
	events := x.Ledger
	v := &fileView{Page: h.page(r, title, "households"), H: hh, blocks: x.Blocks, helper: helper}
	l := v.L
	// The names of the tags the file shows, only those: most households
	// and their members have none.
	tn, err := h.tagNamesOf(ctx, l, shownTags(hh, events))
	if err != nil {
		return nil, err
	}
	v.Phone = hh.Phone
	v.Badge, v.Reasons, v.Overridden = badge(l, hh.Colour), reasons(l, hh.ColourReasons), hh.ColourOverride != ""
	v.Kind, v.Occupancy = l.Enum("kind", string(hh.Kind)), l.Enum("occupancy", hh.Occupancy)
	v.ContactTimes = strings.Join(enumLabels(l, "contact_times", hh.ContactTimes), "、")
	v.Language = l.Enum("language", hh.Language)
	v.Interpreter = hh.Language != ""
	if hh.Language == "" {
		v.Language = l.T("language.mandarin")
	}
	v.Tags = tn.list(hh.Tags)
	v.CanEdit, v.CanNeeds, v.CanReveal = canEdit, can(r, access.RecordNeeds), can(r, access.Reveal)
	v.CanAssign = can(r, access.AssignVisitors)
	v.VisitID = newClientID()
	if records {
		v.Schedule = h.visits(r).DueSchedule(x.Due)
		var ts []proactive.Task
		if v.blocks.Tasks {
			if ts, _, err = h.tasks(r).List(ctx, proactive.Filter{HouseholdID: hh.ID, Per: 20, NoTotal: true}); err != nil {
				return nil, err
			}
		}
		b, err := h.taskBlockOf(r, v.Page, ts, r.URL.Path, false)
		if err != nil {
			return nil, err
		}
		v.Tasks = &b
	}
	v.Current = memberTable{L: l, Edit: v.CanEdit, Reveal: v.CanReveal, CSRF: v.CSRF}
	v.Former = v.Current
	for i := range hh.Members {
		m := memberOf(l, tn, &hh.Members[i])
		if hh.Members[i].Current() {
			v.Current.Rows = append(v.Current.Rows, m)
		} else {
			v.Former.Rows = append(v.Former.Rows, m)
		}
	}
	// The choices of visitors and measure owners are the household's
	// community's team, so the page does not grow with the city; only
	// those who assign or edit see them.
	var team []org.TeamMember
	if v.CanAssign || v.CanEdit {
		var community int64
		if c, err := org.CommunityOfGrid(ctx, h.db, hh.GridID); err == nil {
			v.Community, community = c.Name, c.ID
		}
		if team, err = org.CommunityTeam(ctx, h.db, community); err != nil {
			return nil, err
		}
		v.team = team
	}
	owners := []Option{{Value: "", Label: "—"}}
	listed := map[int64]bool{}
	assigned := map[int64]bool{}
	for _, vis := range hh.Visitors {
		assigned[vis.ID] = true
		v.Visitors = append(v.Visitors, vis.Name+"（"+l.Enum("role", vis.Role)+"）")
	}
	for _, t := range team {
		o := Option{Value: strconv.FormatInt(t.ID, 10), Label: t.Name + "（" + l.Enum("role", string(t.Role)) + "）"}
		owners, listed[t.ID] = append(owners, o), true
		o.Selected = assigned[t.ID]
		v.Team = append(v.Team, o)
	}
	for _, m := range hh.Measures { // an owner from elsewhere stays the measure's choice
		if m.OwnerID != 0 && !listed[m.OwnerID] && v.CanEdit {
			owners, listed[m.OwnerID] = append(owners, Option{Value: strconv.FormatInt(m.OwnerID, 10), Label: m.OwnerName}), true
		}
	}
	// The forms' choices are built only for those the page shows them to:
	// the needs' for who records needs, the plan's and the colour's for
	// who edits (household.html).
	for _, n := range hh.Needs {
		nv := needView{ID: n.ID, Kind: l.Enum("need_kind", n.Kind), Note: n.Note, Status: l.Enum("need_status", n.Status)}
		if v.CanNeeds {
			nv.Statuses = enumOptions(l, "need_status", household.NeedStatuses, n.Status, "")[1:]
		}
		v.Needs = append(v.Needs, nv)
	}
	for _, m := range hh.Measures {
		mv := measureView{ID: m.ID, Kind: l.Enum("measure_kind", m.Kind), Description: m.Description,
			Owner: m.OwnerName, Frequency: l.Enum("frequency", m.Frequency), Status: l.Enum("measure_status", m.Status)}
		if v.CanEdit {
			mv.Kinds = enumOptions(l, "measure_kind", household.MeasureKinds, m.Kind, "")[1:]
			mv.Frequencies = enumOptions(l, "frequency", household.Frequencies, m.Frequency, "")[1:]
			mv.States = enumOptions(l, "measure_status", household.MeasureStates, m.Status, "")[1:]
			mv.Owners = pick(owners[1:], strconv.FormatInt(m.OwnerID, 10), "—")
		}
		v.Measures = append(v.Measures, mv)
	}
	if v.CanNeeds {
		v.NeedKinds = enumOptions(l, "need_kind", household.NeedKinds, "", "")[1:]
		v.NeedStatuses = enumOptions(l, "need_status", household.NeedStatuses, "open", "")[1:]
	}
	if v.CanEdit {
		v.MeasureKinds = enumOptions(l, "measure_kind", household.MeasureKinds, "", "")[1:]
		v.Frequencies = enumOptions(l, "frequency", household.Frequencies, "weekly", "")[1:]
		v.MeasureState = enumOptions(l, "measure_status", household.MeasureStates, "active", "")[1:]
		v.Owners = owners
		v.Colours = enumOptions(l, "colour", household.Colours, string(hh.ColourOverride), "")[1:]
	}
	for _, e := range events {
		v.Ledger = append(v.Ledger, ledgerOf(l, tn, e))
	}
	if v.Shop = hh.Kind != household.Residential; v.Shop {
		// The shop's fire-safety checks: the household is in the user's
		// scope, and its checks are part of its file.
		checks, _, err := round.NewStore(h.db).List(ctx, round.Filter{HouseholdID: hh.ID, PerPage: 20})
		if err != nil {
			return nil, err
		}
		for _, x := range checks {
			v.ShopChecks = append(v.ShopChecks, roundRowOf(l, x))
		}
	}
	if v.Benefits, err = h.benefitBlockOf(r, v); err != nil {
		return nil, err
	}
	return v, nil
}

// shownTags returns the codes of the tags the file of hh names, each once:
// the household's, its members', and those its ledger's events added or
// removed.
func shownTags(hh *household.Household, events []household.LedgerEvent) []string {
	var codes []string
	add := func(c string) {
		if c != "" && !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	for _, c := range hh.Tags {
		add(c)
	}
	for i := range hh.Members {
		for _, c := range hh.Members[i].Tags {
			add(c)
		}
	}
	for _, e := range events {
		if e.Type == household.EvTagAdded || e.Type == household.EvTagRemoved {
			add(e.Before)
			add(e.After)
		}
	}
	return codes
}
