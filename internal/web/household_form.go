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

// placeChoices are the buildings and grids a household can be placed in.
type placeChoices struct {
	buildings []Option
	grids     []Option
}

// places lists the buildings and grids the signed-in user may place a
// household in.
func (h *handler) places(r *http.Request) (placeChoices, error) {
	var pc placeChoices
	ctx := r.Context()
	gs, err := h.files(r).GridChoices(ctx)
	if err != nil {
		return pc, err
	}
	visible := map[int64]bool{}
	label := gridLabels(gs)
	for _, g := range gs {
		visible[g.ID] = true
		pc.grids = append(pc.grids, Option{Value: strconv.FormatInt(g.ID, 10), Label: label(g)})
	}
	cs, err := org.Compounds(ctx, h.db)
	if err != nil {
		return pc, err
	}
	for _, c := range cs {
		for _, b := range c.Buildings {
			if visible[b.GridID] {
				pc.buildings = append(pc.buildings, Option{Value: strconv.FormatInt(b.ID, 10), Label: c.Name + " " + b.Name})
			}
		}
	}
	return pc, nil
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
	f.add("building_id", "select", pick(pc.buildings, f.v.Get("building_id"), f.l.T("form.no_building"))).Hint = f.l.T("form.building_hint")
	f.text("unit")
	f.input("floor", "number")
	f.text("room")
	f.text("address").Hint = f.l.T("form.address_hint")
	f.add("grid_id", "select", pick(pc.grids, f.v.Get("grid_id"), "—"))
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
