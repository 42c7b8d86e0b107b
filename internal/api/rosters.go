package api

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/calendar"
	"wanhu/internal/export"
	"wanhu/internal/household"
)

// wantsCSV reports whether r asks for a CSV download (format=csv or
// Accept: text/csv).
func wantsCSV(r *http.Request) bool {
	return r.URL.Query().Get("format") == "csv" || strings.Contains(r.Header.Get("Accept"), "text/csv")
}

// rosterFilter reads the grid, tag and page parameters of a roster. A CSV
// export takes every row.
func (h *handler) rosterFilter(r *http.Request, withTag bool) (household.RosterFilter, error) {
	if wantsCSV(r) {
		if err := allow(r, access.Export); err != nil {
			return household.RosterFilter{}, err
		}
	}
	q := &query{r: r}
	f := household.RosterFilter{GridID: q.id("grid")}
	q.oneOf("format", []string{"json", "csv"})
	if withTag {
		f.Tag = q.str("tag")
	}
	f.Page, f.PerPage = q.page()
	if wantsCSV(r) {
		f.Page, f.PerPage = 1, -1
	}
	if q.err == nil && f.Tag != "" {
		q.err = h.checkTag(r, "tag", f.Tag)
	}
	return f, q.err
}

// keyPersons is the key-person roster (重点人群), as JSON or CSV.
func (h *handler) keyPersons(w http.ResponseWriter, r *http.Request) {
	f, err := h.rosterFilter(r, true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	scope, err := h.listScope(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ks, total, err := h.filesIn(scope).KeyPersons(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !wantsCSV(r) {
		h.writeJSON(w, r, http.StatusOK, listOf(ks, total))
		return
	}
	names, err := h.tagNames(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rows := [][]string{{"姓名", "性别", "出生日期", "年龄", "标签", "网格", "地址", "户颜色", "户编号"}}
	for _, k := range ks {
		rows = append(rows, []string{k.Name, genderZH[k.Gender], k.BirthDate.String(), strconv.Itoa(k.Age),
			tagList(k.Tags, names), k.GridName, k.Address, colourZH[k.Colour], strconv.FormatInt(k.HouseholdID, 10)})
	}
	h.writeCSV(w, r, "重点人群名单", "key-persons", rows)
}

// specialDifficulty is the roster of special-difficulty households
// (特殊困难家庭), as JSON or CSV, phones masked.
func (h *handler) specialDifficulty(w http.ResponseWriter, r *http.Request) {
	f, err := h.rosterFilter(r, false)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	scope, err := h.listScope(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hs, total, err := h.filesIn(scope).SpecialDifficulty(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !wantsCSV(r) {
		h.writeJSON(w, r, http.StatusOK, listOf(hs, total))
		return
	}
	rows := [][]string{{"户编号", "网格", "地址", "户主", "人数", "户颜色", "颜色原因", "联系电话"}}
	for _, x := range hs {
		var why []string
		for _, rs := range x.ColourReasons {
			why = append(why, rs.NameZH)
		}
		rows = append(rows, []string{strconv.FormatInt(x.ID, 10), x.GridName, x.Address, x.Householder,
			strconv.Itoa(x.MemberCount), colourZH[x.Colour], strings.Join(why, "；"), x.Phone})
	}
	h.writeCSV(w, r, "特殊困难家庭名单", "special-difficulty-households", rows)
}

// writeCSV sends rows as a UTF-8 CSV download with a byte-order mark, so
// Excel reads the Chinese correctly, named name-YYYY-MM-DD.csv (ascii-…
// for clients that do not read RFC 5987 names: see export.Disposition).
func (h *handler) writeCSV(w http.ResponseWriter, r *http.Request, name, ascii string, rows [][]string) {
	day := calendar.DayOf(h.now()).String()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", export.Disposition(name+"-"+day+".csv", ascii+"-"+day+".csv"))
	w.Write([]byte("\uFEFF"))
	cw := csv.NewWriter(w)
	cw.WriteAll(rows)
	if err := cw.Error(); err != nil {
		h.log.Error("api csv export failed", "route", r.Pattern, "error", err)
	}
}

// tagNames maps tag codes to their Chinese names.
func (h *handler) tagNames(r *http.Request) (map[string]string, error) {
	ts, err := household.Tags(r.Context(), h.d.DB)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[t.Code] = t.NameZH
	}
	return m, nil
}

func tagList(codes []string, names map[string]string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = c
		if n, ok := names[c]; ok {
			out[i] = n
		}
	}
	return strings.Join(out, "、")
}

var (
	genderZH = map[household.Gender]string{household.Male: "男", household.Female: "女"}
	colourZH = map[household.Colour]string{household.Red: "红", household.Yellow: "黄", household.Green: "绿"}
)
