package importer

import (
	"context"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
)

// value returns the household's value of f: the head row's, else the
// first row's that has one, with the row it came from.
func value(g *group, head *record, f Field) (string, *record) {
	if v := head.raw(f); cleanText(v) != "" {
		return v, head
	}
	for _, rec := range g.rows {
		if v := rec.raw(f); cleanText(v) != "" {
			return v, rec
		}
	}
	return "", head
}

// householdFields reads the household's own fields (not its place) and
// marks those the sheet gives.
func (r *run) householdFields(g *group, head *record, given map[string]bool) household.Household {
	t := head.t
	var h household.Household
	text := func(f Field, name string, dst *string) {
		if t.has(f) {
			v, _ := value(g, head, f)
			*dst, given[name] = cleanText(v), true
		}
	}
	enum := func(f Field, e *enum, dst *string) {
		if !t.has(f) {
			return
		}
		given[e.field] = true
		v, rec := value(g, head, f)
		s, err := e.read(v)
		if err != nil {
			r.cellError(rec, f, err)
		}
		*dst = s
	}
	text(ShopName, "shop_name", &h.ShopName)
	text(BusinessType, "business_type", &h.BusinessType)
	enum(Occupancy, occupancies, &h.Occupancy)
	if t.has(HouseholdPhone) {
		given["phone"] = true
		v, rec := value(g, head, HouseholdPhone)
		var err error
		if h.Phone, err = readPhone("phone", v); err != nil {
			r.cellError(rec, HouseholdPhone, err)
		}
	}
	if t.has(ContactTimes) {
		given["contact_times"] = true
		v, rec := value(g, head, ContactTimes)
		h.ContactTimes = []string{}
		for _, w := range strings.FieldsFunc(cleanCode(v), func(c rune) bool { return strings.ContainsRune("、,，;； /", c) }) {
			ct, err := contactTimes.read(w)
			if err != nil {
				r.cellError(rec, ContactTimes, err)
			} else if !contains(h.ContactTimes, ct) {
				h.ContactTimes = append(h.ContactTimes, ct)
			}
		}
	}
	text(ContactNote, "contact_note", &h.ContactNote)
	enum(Language, languages, &h.Language)
	text(Notes, "notes", &h.Notes)
	if t.has(HouseholdTags) {
		given["tags"] = true
		_, rec := value(g, head, HouseholdTags)
		h.Tags = r.tagList(rec, HouseholdTags, "household")
	}
	r.kind(g, head, &h, given)
	if t.has(Floor) {
		given["floor"] = true
		v, rec := value(g, head, Floor)
		var err error
		if h.Floor, err = readInt("floor", v, "层", "楼", "F", "f"); err != nil {
			r.cellError(rec, Floor, err)
		}
	}
	if t.has(Unit) {
		given["unit"] = true
		v, _ := value(g, head, Unit)
		h.Unit = strings.TrimSuffix(cleanDigits(v), "单元")
	}
	if t.has(Room) {
		given["room"] = true
		v, _ := value(g, head, Room)
		h.Room = strings.TrimSuffix(strings.TrimSuffix(cleanDigits(v), "室"), "号")
	}
	r.conflicts(g, head)
	return h
}

// kind reads the kind of premises: the 类型 column, else a shop (商铺名称
// filled) is commercial and one marked 商住 mixed.
func (r *run) kind(g *group, head *record, h *household.Household, given map[string]bool) {
	t := head.t
	if !t.has(Kind) && !t.has(Mixed) && !t.has(ShopName) {
		return
	}
	given["kind"] = true
	h.Kind = household.Residential
	if h.ShopName != "" {
		h.Kind = household.Commercial
	}
	if t.has(Mixed) {
		v, rec := value(g, head, Mixed)
		mixed, err := readYesNo("mixed", v)
		if err != nil {
			r.cellError(rec, Mixed, err)
		}
		if mixed {
			h.Kind = household.Mixed
		}
	}
	if v, rec := value(g, head, Kind); t.has(Kind) && cleanText(v) != "" {
		k, err := kinds.read(v)
		if err != nil {
			r.cellError(rec, Kind, err)
		}
		h.Kind = household.Kind(k)
	}
}

// conflicts reports the rows of a household that name another place
// than its head row.
func (r *run) conflicts(g *group, head *record) {
	for _, f := range []Field{Community, Grid, Compound, Building, Unit, Room, Address} {
		want := strings.ReplaceAll(cleanCode(head.raw(f)), " ", "")
		for _, rec := range g.rows {
			v := strings.ReplaceAll(cleanCode(rec.raw(f)), " ", "")
			if v != "" && want != "" && v != want {
				r.problem(r.at(rec, []Field{f}, "place_conflict", "this row of the household names another place (%s) than its first row", head.t.label(head.t.index(f))))
				break
			}
		}
	}
}

// place finds (or creates) the household's community, grid, compound and
// building. A household in a building takes the building's grid; one
// outside a compound needs its grid and address.
func (r *run) place(ctx context.Context, g *group, head *record, h *household.Household, given map[string]bool) error {
	t := head.t
	community := r.community
	if v, _ := value(g, head, Community); t.has(Community) && cleanText(v) != "" {
		c, err := r.places.community(v)
		if err != nil {
			return err
		}
		community = c.ID
	}
	if community == 0 {
		return apperr.Field("community", "community_required", "which community? give --community or a 社区 column")
	}
	var gridID int64
	if v, _ := value(g, head, Grid); t.has(Grid) && cleanText(v) != "" {
		var err error
		if gridID, err = r.places.grid(community, v); err != nil {
			return err
		}
	}
	compound, _ := value(g, head, Compound)
	building, _ := value(g, head, Building)
	address, _ := value(g, head, Address)
	if !t.has(Building) && !t.has(Address) && r.src.serial() {
		building = t.sheet // a sheet per building, named after it
		if cleanText(compound) == "" && len(r.places.compounds[community]) == 1 {
			compound = r.places.compounds[community][0].Name
		}
	}
	switch {
	case cleanText(compound) != "" || cleanText(building) != "":
		id, grid, err := r.places.building(ctx, community, compound, building, gridID)
		if err != nil {
			return err
		}
		if gridID != 0 && grid != gridID {
			return apperr.Field("grid_id", "grid_mismatch", "building %s is in another grid than this row says", cleanCode(building))
		}
		h.BuildingID, h.GridID = id, grid
		given["building_id"] = true
	case cleanText(address) != "":
		if gridID == 0 {
			return apperr.Field("grid_id", "grid_required", "a household outside a compound needs its grid (网格)")
		}
		h.GridID, h.Address = gridID, cleanText(address)
		given["building_id"], given["grid_id"], given["address"] = true, true, true
	default:
		return apperr.Field("address", "address_required", "give 小区 and 楼栋, or 地址")
	}
	return nil
}
