package web

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"wanhu/internal/household"
)

const rosterPerPage = 50

// rosterRow is one row of a roster (a key person or a household).
type rosterRow struct {
	HouseholdID int64
	Name        string
	Gender      string
	Age         int
	Tags        []string
	Address     string
	Grid        string
	Badge       Badge
	Members     int
	Phone       string
	Reasons     []string
}

// rosterView is a roster page with its filters.
type rosterView struct {
	Page
	Kind  string // "key-persons" or "special-difficulty"
	Grids []Option
	Tags  []Option
	Rows  []rosterRow
	Pager pager
	CSV   string
}

// rosterFilter reads the grid and tag filters.
func rosterFilter(r *http.Request, perPage int) household.RosterFilter {
	q := r.URL.Query()
	f := household.RosterFilter{Tag: q.Get("tag"), PerPage: perPage}
	f.GridID, _ = strconv.ParseInt(q.Get("grid"), 10, 64)
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Page = max(f.Page, 1)
	return f
}

func (h *handler) rosterPage(r *http.Request, title, kind, tagKind string) (*rosterView, tagNames, error) {
	v := &rosterView{Page: h.page(r, title, kind), Kind: kind}
	q := r.URL.Query()
	grids, err := h.files(r).Grids(r.Context())
	if err != nil {
		return nil, nil, err
	}
	tn, tags, err := h.tagNames(r.Context(), v.L)
	if err != nil {
		return nil, nil, err
	}
	v.Grids = gridOptions(grids, q.Get("grid"), v.L.T("filter.all_grids"))
	v.Tags = []Option{{Value: "", Label: v.L.T("filter.all_tags")}}
	for _, t := range tags {
		if t.AppliesTo == tagKind && (tagKind != "person" || t.KeyPerson) {
			v.Tags = append(v.Tags, Option{Value: t.Code, Label: tn[t.Code], Selected: t.Code == q.Get("tag")})
		}
	}
	v.CSV = "/rosters/" + kind + ".csv"
	if r.URL.RawQuery != "" {
		v.CSV += "?" + r.URL.RawQuery
	}
	return v, tn, nil
}

// keyPersons shows the key-person roster (重点人群).
func (h *handler) keyPersons(w http.ResponseWriter, r *http.Request) {
	v, tn, err := h.rosterPage(r, "roster.key_persons", "key-persons", "person")
	if err != nil {
		h.showError(w, r, err)
		return
	}
	f := rosterFilter(r, rosterPerPage)
	rows, total, err := h.files(r).KeyPersons(r.Context(), f)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	for _, k := range rows {
		v.Rows = append(v.Rows, rosterRow{HouseholdID: k.HouseholdID, Name: k.Name, Gender: v.L.Enum("gender", string(k.Gender)),
			Age: k.Age, Tags: tn.list(k.Tags), Address: k.Address, Grid: k.GridName, Badge: badge(v.L, k.Colour)})
	}
	v.Pager = newPager(r.URL.Path, r.URL.Query(), f.Page, rosterPerPage, total)
	h.render(w, r, http.StatusOK, "roster", v)
}

// specialDifficulty shows the special-difficulty households (特殊困难家庭).
func (h *handler) specialDifficulty(w http.ResponseWriter, r *http.Request) {
	v, _, err := h.rosterPage(r, "roster.special_difficulty", "special-difficulty", "household")
	if err != nil {
		h.showError(w, r, err)
		return
	}
	f := rosterFilter(r, rosterPerPage)
	list, total, err := h.specialRows(r, f)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	for _, hh := range list {
		v.Rows = append(v.Rows, rosterRow{HouseholdID: hh.ID, Name: hh.Householder, Address: hh.Address, Grid: hh.GridName,
			Badge: badge(v.L, hh.Colour), Members: hh.MemberCount, Phone: household.MaskPhone(hh.Phone), Reasons: reasons(v.L, hh.ColourReasons)})
	}
	v.Pager = newPager(r.URL.Path, r.URL.Query(), f.Page, rosterPerPage, total)
	h.render(w, r, http.StatusOK, "roster", v)
}

// specialRows lists special-difficulty households; a tag filter narrows
// them to those that also carry that tag.
func (h *handler) specialRows(r *http.Request, f household.RosterFilter) ([]household.Household, int, error) {
	if f.Tag == "" || f.Tag == household.SpecialDifficulty {
		return h.files(r).SpecialDifficulty(r.Context(), household.RosterFilter{GridID: f.GridID, Page: f.Page, PerPage: f.PerPage})
	}
	all, _, err := h.files(r).SpecialDifficulty(r.Context(), household.RosterFilter{GridID: f.GridID, PerPage: -1})
	if err != nil {
		return nil, 0, err
	}
	tagged, _, err := h.files(r).List(r.Context(), household.Filter{GridID: f.GridID, Tag: f.Tag, PerPage: -1})
	if err != nil {
		return nil, 0, err
	}
	has := map[int64]bool{}
	for _, t := range tagged {
		has[t.ID] = true
	}
	var out []household.Household
	for _, hh := range all {
		if has[hh.ID] {
			out = append(out, hh)
		}
	}
	total := len(out)
	if f.PerPage > 0 {
		lo := min((f.Page-1)*f.PerPage, total)
		out = out[lo:min(lo+f.PerPage, total)]
	}
	return out, total, nil
}

// writeCSV sends rows as a UTF-8 CSV with a byte-order mark (so Excel
// reads the Chinese) under the given file name.
func writeCSV(w http.ResponseWriter, name string, header []string, rows [][]string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write([]byte("\ufeff"))
	c := csv.NewWriter(w)
	c.Write(header)
	c.WriteAll(rows)
}

// keyPersonsCSV exports the key-person roster.
func (h *handler) keyPersonsCSV(w http.ResponseWriter, r *http.Request) {
	l := h.catalog.Locale("zh-CN")
	tn, _, err := h.tagNames(r.Context(), l)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	rows, _, err := h.files(r).KeyPersons(r.Context(), rosterFilter(r, -1))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	out := make([][]string, 0, len(rows))
	for _, k := range rows {
		out = append(out, []string{k.Name, l.Enum("gender", string(k.Gender)), strconv.Itoa(k.Age),
			strings.Join(tn.list(k.Tags), "、"), k.Address, k.GridName, l.Enum("colour", string(k.Colour))})
	}
	writeCSV(w, "key-persons.csv", []string{"姓名", "性别", "年龄", "标签", "地址", "网格", "颜色"}, out)
}

// specialDifficultyCSV exports the special-difficulty households, phones masked.
func (h *handler) specialDifficultyCSV(w http.ResponseWriter, r *http.Request) {
	l := h.catalog.Locale("zh-CN")
	list, _, err := h.specialRows(r, rosterFilter(r, -1))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	out := make([][]string, 0, len(list))
	for _, hh := range list {
		out = append(out, []string{hh.Householder, hh.Address, hh.GridName, strconv.Itoa(hh.MemberCount),
			household.MaskPhone(hh.Phone), l.Enum("colour", string(hh.Colour)), strings.Join(reasons(l, hh.ColourReasons), "；")})
	}
	writeCSV(w, "special-difficulty.csv", []string{"户主", "地址", "网格", "人数", "联系电话", "颜色", "原因"}, out)
}
