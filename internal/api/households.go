package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/export"
	"wanhu/internal/household"
	"wanhu/internal/roster"
)

// householdFilter reads the list filters of r.
func (h *handler) householdFilter(r *http.Request) (household.Filter, error) {
	q := &query{r: r}
	f := household.Filter{
		GridID:     q.id("grid"),
		CompoundID: q.id("compound"),
		BuildingID: q.id("building"),
		Colour:     household.Colour(q.oneOf("colour", household.Colours)),
		Kind:       household.Kind(q.oneOf("kind", household.Kinds)),
		Tag:        q.str("tag"),
		Q:          q.str("q"),
	}
	f.Page, f.PerPage = q.page()
	if q.err == nil && f.Tag != "" {
		q.err = h.checkTag(r, "tag", f.Tag)
	}
	return f, q.err
}

// households lists households, masked, with filters and pages; with
// format=csv or xlsx (or an Accept header naming them) every household
// the filters select, as a download.
func (h *handler) households(w http.ResponseWriter, r *http.Request) {
	format, err := export.FormatOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, err := h.householdFilter(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	scope, err := h.listScope(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	files := h.filesIn(scope)
	if format != export.JSON {
		if err := h.householdsDownload(w, r, files, f, format); err != nil {
			h.fail(w, r, err)
		}
		return
	}
	p, err := files.ListPage(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, householdList{listOf(p.Households, p.Total), p.More})
}

// householdList is a list of households, whose total may be a lower
// bound (household.Page's More).
type householdList struct {
	list[household.Household]
	TotalMore bool `json:"total_more,omitempty"`
}

// household returns one household file.
func (h *handler) household(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hh, err := h.files(r).HouseholdByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, fileView(hh))
}

// createHousehold creates a household with its members.
func (h *handler) createHousehold(w http.ResponseWriter, r *http.Request) {
	var in householdInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	nh, members, err := in.household()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hh, err := h.files(r).CreateHousehold(r.Context(), actor(r), nh, members)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/households/%d", Prefix, hh.ID))
	h.writeJSON(w, r, http.StatusCreated, fileView(hh))
}

// updateHousehold applies a patch to a household at the version it names.
func (h *handler) updateHousehold(w http.ResponseWriter, r *http.Request) {
	var in householdPatch
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if in.Version == nil {
		h.fail(w, r, fieldRequired("version"))
		return
	}
	hh, err := h.files(r).HouseholdByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in.apply(hh)
	if _, err := h.files(r).UpdateHousehold(r.Context(), actor(r), *hh); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			err = h.staleHousehold(r, id)
		}
		h.fail(w, r, err)
		return
	}
	hh, err = h.files(r).HouseholdByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, fileView(hh))
}

// staleHousehold is the conflict of an edit of household id, with its
// current version.
func (h *handler) staleHousehold(r *http.Request, id int64) error {
	cur, err := h.files(r).HouseholdByID(r.Context(), id)
	if err != nil {
		return err
	}
	return &apperr.Stale{Current: cur.Version}
}

// checkTag returns a FieldError naming param unless tag is configured.
func (h *handler) checkTag(r *http.Request, param, tag string) error {
	ts, err := household.Tags(r.Context(), h.d.DB)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.Code == tag {
			return nil
		}
	}
	return apperr.Field(param, "tag_unknown", "unknown tag %q", tag)
}

// householdColumns are the columns of the households download: the fields
// of the JSON list, in Chinese.
var householdColumns = []export.Column{{Header: "户编号", Width: 8}, {Header: "网格"}, {Header: "小区"}, {Header: "楼栋", Width: 8},
	{Header: "单元", Width: 6}, {Header: "楼层", Width: 6}, {Header: "房号", Width: 8}, {Header: "地址", Width: 30}, {Header: "类型", Width: 8},
	{Header: "店名"}, {Header: "经营类别"}, {Header: "居住情况", Width: 8}, {Header: "联系电话", Width: 14}, {Header: "联系时段"},
	{Header: "联系备注", Width: 20}, {Header: "语言", Width: 8}, {Header: "备注", Width: 24}, {Header: "标签", Width: 24},
	{Header: "户主", Width: 10}, {Header: "人数", Width: 6}, {Header: "户颜色", Width: 8}, {Header: "颜色原因", Width: 24},
	{Header: "人工调整颜色", Width: 8}, {Header: "调整原因", Width: 20}}

// householdsDownload sends every household of files f selects as a CSV or xlsx
// file, masked as the JSON list is, read a page at a time
// (household.Store.Each), after the audit entry of the export. It needs
// access.Export, like every download of the API.
func (h *handler) householdsDownload(w http.ResponseWriter, r *http.Request, files *household.Store, f household.Filter, format export.Format) error {
	if err := allow(r, access.Export); err != nil {
		return err
	}
	n, err := files.Count(r.Context(), f)
	if err != nil {
		return err
	}
	labels, err := roster.Chinese(r.Context(), h.d.DB)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	q.Del("format")
	q.Del("page")
	q.Del("per_page")
	detail := strings.TrimSpace(fmt.Sprintf("%s %d rows %s", format, n, q.Encode()))
	return h.auditing().Export(w, r, audit.Download{Object: "households", Detail: detail, Format: format,
		Name: "住户名单", ASCIIName: "households", Day: calendar.DayOf(h.now()).String(), Columns: householdColumns,
		Write: func(out export.Writer) error {
			return files.Each(r.Context(), f, func(x *household.Household) error {
				return out.Row(householdRow(x, labels)...)
			})
		}})
}

// householdRow is the row of x in the households download.
func householdRow(x *household.Household, l roster.Labels) []any {
	enum := func(field, v string) any {
		if v == "" {
			return nil
		}
		return l.Enum(field, v)
	}
	times := make([]string, len(x.ContactTimes))
	for i, c := range x.ContactTimes {
		times[i] = l.Enum("contact_times", c)
	}
	tags := make([]string, len(x.Tags))
	for i, t := range x.Tags {
		tags[i] = l.Tag(t)
	}
	why := make([]string, len(x.ColourReasons))
	for i, rs := range x.ColourReasons {
		why[i] = rs.NameZH
		if rs.Person != "" {
			why[i] += "（" + rs.Person + "）"
		}
	}
	return []any{x.ID, x.GridName, x.CompoundName, x.BuildingName, x.Unit, x.Floor, x.Room, x.Address, enum("kind", string(x.Kind)),
		x.ShopName, x.BusinessType, enum("occupancy", x.Occupancy), x.Phone, strings.Join(times, "、"), x.ContactNote,
		enum("language", x.Language), x.Notes, strings.Join(tags, "、"), x.Householder, x.MemberCount, enum("colour", string(x.Colour)),
		strings.Join(why, "；"), enum("colour", string(x.ColourOverride)), x.OverrideReason}
}
