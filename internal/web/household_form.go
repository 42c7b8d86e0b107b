package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"wanhu/internal/household"
	"wanhu/internal/org"
)

// householdValues are the form values of a stored household. The phone is
// left empty (and shown masked as a placeholder).
func householdValues(h *household.Household) url.Values {
	v := url.Values{}
	v.Set("version", strconv.Itoa(h.Version))
	if h.BuildingID != 0 {
		v.Set("building_id", strconv.FormatInt(h.BuildingID, 10))
	} else {
		v.Set("address", h.Address)
	}
	v.Set("grid_id", strconv.FormatInt(h.GridID, 10))
	v.Set("unit", h.Unit)
	if h.Floor != 0 {
		v.Set("floor", strconv.Itoa(h.Floor))
	}
	v.Set("room", h.Room)
	v.Set("kind", string(h.Kind))
	v.Set("shop_name", h.ShopName)
	v.Set("business_type", h.BusinessType)
	v.Set("occupancy", h.Occupancy)
	v["contact_times"] = h.ContactTimes
	v.Set("contact_note", h.ContactNote)
	v.Set("language", h.Language)
	v.Set("notes", h.Notes)
	v["tags"] = h.Tags
	return v
}

// parseHousehold reads a household form. An empty phone keeps old's phone
// (the input shows it masked); old is nil for a new household.
func parseHousehold(v url.Values, old *household.Household) (household.Household, error) {
	var h household.Household
	var err error
	if h.BuildingID, err = id64(v, "building_id"); err != nil {
		return h, err
	}
	if h.GridID, err = id64(v, "grid_id"); err != nil {
		return h, err
	}
	if h.Floor, err = intField(v, "floor"); err != nil {
		return h, err
	}
	if h.BuildingID == 0 {
		h.Address = v.Get("address")
	}
	h.Unit, h.Room = v.Get("unit"), v.Get("room")
	h.Kind = household.Kind(v.Get("kind"))
	h.ShopName, h.BusinessType = v.Get("shop_name"), v.Get("business_type")
	h.Occupancy, h.Phone = v.Get("occupancy"), strings.TrimSpace(v.Get("phone"))
	h.ContactTimes = append([]string{}, v["contact_times"]...)
	h.ContactNote, h.Language, h.Notes = v.Get("contact_note"), v.Get("language"), v.Get("notes")
	h.Tags = append([]string{}, v["tags"]...)
	if old != nil {
		h.ID = old.ID
		if h.Phone == "" {
			h.Phone = old.Phone
		}
		if h.Version, err = intField(v, "version"); err != nil {
			return h, err
		}
	}
	return h, nil
}

// placeLimit is the most buildings (and grids) a household form lists at
// once: a scope with more (a street's or the city's administrator) chooses
// the grid first, and the community first when it also has more grids,
// so the form's size does not grow with the city.
const placeLimit = 300

// placeChoices are the buildings and grids a household can be placed in.
// In a small scope they are all of them; in a large one (narrow) the
// buildings are those of the chosen grid, and with communities, the grids
// those of the chosen community.
type placeChoices struct {
	buildings   []Option
	grids       []Option
	communities []Option
	community   string
	narrow      bool
}

// places lists the buildings and grids the signed-in user may place a
// household in, given the form's values v: its grid (or its building's)
// and community narrow the choices of a large scope.
func (h *handler) places(r *http.Request, v url.Values) (placeChoices, error) {
	var pc placeChoices
	ctx := r.Context()
	st := h.files(r)
	gs, err := st.GridChoices(ctx)
	if err != nil {
		return pc, err
	}
	bs, err := st.BuildingChoices(ctx, 0, placeLimit+1)
	if err != nil {
		return pc, err
	}
	label := gridLabels(gs)
	if len(bs) <= placeLimit {
		for _, g := range gs {
			pc.grids = append(pc.grids, Option{Value: strconv.FormatInt(g.ID, 10), Label: label(g)})
		}
		pc.buildings = buildingOptions(bs)
		return pc, nil
	}
	pc.narrow = true
	grid, _ := strconv.ParseInt(v.Get("grid_id"), 10, 64)
	if b, _ := strconv.ParseInt(v.Get("building_id"), 10, 64); b > 0 && grid <= 0 {
		if bb, _, err := org.BuildingByID(ctx, h.db, b); err == nil {
			grid = bb.GridID
		}
	}
	community := v.Get("community_id")
	var chosen *org.Grid
	for i, g := range gs {
		if g.ID == grid {
			chosen = &gs[i]
		}
	}
	if chosen != nil && community == "" {
		community = strconv.FormatInt(chosen.CommunityID, 10)
	}
	if len(gs) > placeLimit {
		seen := map[int64]bool{}
		for _, g := range gs {
			if !seen[g.CommunityID] {
				seen[g.CommunityID] = true
				pc.communities = append(pc.communities, Option{Value: strconv.FormatInt(g.CommunityID, 10), Label: g.CommunityName})
			}
		}
		pc.community = community
		label = func(g org.Grid) string { return g.Name }
	}
	for _, g := range gs {
		if pc.communities == nil || strconv.FormatInt(g.CommunityID, 10) == community {
			pc.grids = append(pc.grids, Option{Value: strconv.FormatInt(g.ID, 10), Label: label(g)})
		}
	}
	if chosen != nil && (pc.communities == nil || strconv.FormatInt(chosen.CommunityID, 10) == community) {
		if bs, err = st.BuildingChoices(ctx, chosen.ID, 0); err != nil {
			return pc, err
		}
		pc.buildings = buildingOptions(bs)
	}
	return pc, nil
}

// buildingOptions are the choices of buildings bs, named with their
// compound.
func buildingOptions(bs []org.BuildingChoice) []Option {
	out := make([]Option, len(bs))
	for i, b := range bs {
		out[i] = Option{Value: strconv.FormatInt(b.ID, 10), Label: b.Compound + " " + b.Name}
	}
	return out
}

// pick marks the option whose value is cur.
func pick(opts []Option, cur, blank string) []Option {
	out := []Option{{Value: "", Label: blank, Selected: cur == ""}}
	for _, o := range opts {
		o.Selected = o.Value == cur
		out = append(out, o)
	}
	return out
}

// householdFields lays out the household form.
func householdFields(f *form, pc placeChoices, tags []household.Tag, old *household.Household) {
	if old != nil {
		f.add("version", "hidden", nil)
	}
	if pc.narrow {
		// A large scope: the community and the grid first, each choice
		// showing those below it (at once with JavaScript, else with the
		// button that shows the form again).
		if pc.communities != nil {
			c := f.add("community_id", "select", pick(pc.communities, pc.community, "—"))
			c.Reload, c.Hint = f.l.T("form.show_grids"), f.l.T("form.community_hint")
		}
		g := f.add("grid_id", "select", pick(pc.grids, f.v.Get("grid_id"), "—"))
		g.Reload, g.Hint = f.l.T("form.show_buildings"), f.l.T("form.grid_first_hint")
		f.add("building_id", "select", pick(pc.buildings, f.v.Get("building_id"), f.l.T("form.no_building"))).Hint = f.l.T("form.building_hint")
	} else {
		f.add("building_id", "select", pick(pc.buildings, f.v.Get("building_id"), f.l.T("form.no_building"))).Hint = f.l.T("form.building_hint")
	}
	f.text("unit")
	f.input("floor", "number")
	f.text("room")
	f.text("address").Hint = f.l.T("form.address_hint")
	if !pc.narrow {
		f.add("grid_id", "select", pick(pc.grids, f.v.Get("grid_id"), "—"))
	}
	f.enum("kind", "kind", household.Kinds, false)
	f.text("shop_name").Hint = f.l.T("form.shop_hint")
	f.text("business_type")
	f.enum("occupancy", "occupancy", household.Occupancies, false)
	ph := f.input("phone", "tel")
	if old != nil && old.Phone != "" {
		ph.Placeholder, ph.Hint = old.Phone, f.l.T("form.keep_hint")
	}
	f.checks("contact_times", household.ContactTimes, enumLabels(f.l, "contact_times", household.ContactTimes))
	f.text("contact_note").Hint = f.l.T("form.contact_note_hint")
	f.enum("language", "language", household.Languages, true).Hint = f.l.T("form.language_hint")
	f.add("notes", "textarea", nil)
	codes, names := tagChoices(f.l, tags, "household")
	f.checks("tags", codes, names)
}
