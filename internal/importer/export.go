package importer

import (
	"context"
	"fmt"
	"io"
	"strings"

	"wanhu/internal/audit"
	"wanhu/internal/export"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// Export writes every household in scope, a row per member (current and
// former; a row without a person for a household without members), in
// the layout Run reads: its headers are ExportHeaders, each
// recognised as its field, and its values are read back as they were
// written. So a file exported and imported again changes nothing, and
// one edited in Excel brings exactly its edits. ID and phone numbers are
// written in full, for the import to find households and members by them:
// the export goes through household.Store.ExportFull, which writes entry
// e to the audit log ("export.households", with the counts) and refuses a
// scope that may not reveal. format is export.CSV or export.XLSX.
func Export(ctx context.Context, db *store.DB, scope org.Scope, log *audit.Log, e audit.Entry, format export.Format, w io.Writer) (households, persons int, err error) {
	cols := exportColumns()
	var tw export.Writer
	switch format {
	case export.CSV:
		tw, err = export.NewCSV(w, cols)
	case export.XLSX:
		tw, err = export.NewXLSX(w, "住户", cols)
	default:
		return 0, 0, fmt.Errorf("export: %q is not csv or xlsx", format)
	}
	if err != nil {
		return 0, 0, err
	}
	grids, err := org.Grids(ctx, db)
	if err != nil {
		return 0, 0, err
	}
	gridOf := map[int64]org.Grid{}
	for _, g := range grids {
		gridOf[g.ID] = g
	}
	all, err := household.Tags(ctx, db)
	if err != nil {
		return 0, 0, err
	}
	tagName := map[string]string{}
	for _, t := range all {
		if !t.Derived {
			tagName[t.Code] = t.NameZH
		}
	}
	households, persons, err = household.NewStore(db).In(scope).ExportFull(ctx, log, e, func(h *household.Household) error {
		if len(h.Members) == 0 { // a vacant flat, a shop: a row without a person
			return tw.Row(exportRow(h, &household.Person{}, gridOf[h.GridID], tagName)...)
		}
		for i := range h.Members {
			if err := tw.Row(exportRow(h, &h.Members[i], gridOf[h.GridID], tagName)...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return households, persons, err
	}
	return households, persons, tw.Close()
}

// exportColumns are the columns of ExportHeaders with their widths.
func exportColumns() []export.Column {
	wide := map[string]float64{"地址": 30, "身份证号": 21, "联系电话": 14, "家庭电话": 14, "备注": 24, "健康状况": 20, "商铺名称": 16}
	var cols []export.Column
	for _, h := range ExportHeaders() {
		cols = append(cols, export.Column{Header: h, Width: wide[h]})
	}
	return cols
}

// exportRow is the row of member p of household h, in the order of
// ExportHeaders.
func exportRow(h *household.Household, p *household.Person, g org.Grid, tagName map[string]string) []any {
	names := func(codes []string) string {
		var out []string
		for _, c := range codes {
			if n, ok := tagName[c]; ok {
				out = append(out, n)
			}
		}
		return strings.Join(out, "、")
	}
	var times []string
	for _, t := range h.ContactTimes {
		times = append(times, contactTimes.label(t))
	}
	grade := any(nil)
	if p.DisabilityGrade != 0 {
		grade = p.DisabilityGrade
	}
	row := map[Field]any{
		HouseholdNo: h.ID, Community: g.CommunityName, Grid: g.Name, Compound: h.CompoundName, Building: h.BuildingName,
		Unit: h.Unit, Floor: h.Floor, Room: h.Room, Address: h.Address, Kind: kinds.label(string(h.Kind)),
		ShopName: h.ShopName, BusinessType: h.BusinessType, Occupancy: occupancies.label(h.Occupancy), HouseholdPhone: h.Phone,
		ContactTimes: strings.Join(times, "、"), ContactNote: h.ContactNote, Language: languages.label(h.Language),
		Notes: h.Notes, HouseholdTags: names(h.Tags),

		Name: p.Name, IDNumber: p.IDNumber, Gender: genders.label(string(p.Gender)), BirthDate: p.BirthDate.String(),
		Ethnicity: p.Ethnicity, Residence: residences.label(p.Residence), Relation: relations.label(p.Relation),
		Phone: p.Phone, Employment: employments.label(p.Employment), School: schools.label(p.School),
		DisabilityType: disabilities.label(p.DisabilityType), DisabilityGrade: grade, HealthNotes: p.HealthNotes,
		Dibao: dibaos.label(p.Dibao), MovedInOn: p.MovedInOn.String(), MovedOutOn: p.MovedOutOn.String(),
		DeceasedOn: p.DeceasedOn.String(), Tags: names(p.Tags),
	}
	var out []any
	for _, f := range fields {
		if f.exported {
			out = append(out, row[f.field])
		}
	}
	return out
}
