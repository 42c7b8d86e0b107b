package importer

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/audit"
	"wanhu/internal/export"
	"wanhu/internal/gen"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// exported writes the households of db to a file in format and returns
// its path.
func exported(t *testing.T, db *store.DB, format export.Format) string {
	t.Helper()
	path := tempFile(t, "住户."+string(format))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, _, err := Export(context.Background(), db, org.Everything, audit.New(db), audit.Entry{Username: "test"}, format, f); err != nil {
		t.Fatal(err)
	}
	return path
}

// ledgerSince returns the ledger events after id last as "type field",
// sorted, colour changes left out.
func ledgerSince(t *testing.T, db *store.DB, last int) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT type, field FROM ledger_events WHERE id > ? AND type <> 'colour_changed' ORDER BY id`, last)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var typ, field string
		if err := rows.Scan(&typ, &field); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.TrimSpace(typ+" "+field))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// TestRoundTrip exports the demo and imports it again: nothing changes,
// from xlsx or CSV. Edited in a spreadsheet, exactly the edits arrive, as
// ledger events; a member left out is offered as moved out, not removed.
func TestRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := gen.Generate(ctx, db, gen.Options{Households: 300}); err != nil {
			t.Fatal(err)
		}
		events := count(t, db, `SELECT MAX(id) FROM ledger_events`)
		for _, format := range []export.Format{export.XLSX, export.CSV} {
			rep := imported(t, db, exported(t, db, format), Options{})
			noErrors(t, rep)
			if rep.Households != 300 || rep.Unchanged != 300 || !rep.Applied || len(rep.MovedOutOffered) != 0 {
				t.Fatalf("%s: export, import: %+v", format, rep)
			}
			if got := ledgerSince(t, db, events); len(got) != 0 {
				t.Fatalf("%s: export, import wrote %v", format, got)
			}
		}

		path := exported(t, db, export.XLSX)
		edit := editExport(t, path)
		rep := imported(t, db, path, Options{})
		noErrors(t, rep)
		if rep.Updated != 1 || rep.Unchanged != 299 || len(rep.MovedOutOffered) != 1 || rep.MovedOutOffered[0].Name != edit.left {
			t.Fatalf("edited: %+v", rep)
		}
		want := []string{"dibao_approved dibao", "field_changed notes", "field_changed phone", "moved_in"}
		if got := ledgerSince(t, db, events); !slices.Equal(got, want) {
			t.Fatalf("the edits wrote %v, want %v", got, want)
		}
		if count(t, db, fmt.Sprintf(`SELECT COUNT(*) FROM persons WHERE id = %d AND active`, rep.MovedOutOffered[0].PersonID)) != 1 {
			t.Fatal("the member left out of the file was removed")
		}
		again := imported(t, db, path, Options{})
		if again.Unchanged != 300 || len(ledgerSince(t, db, events)) != len(want) {
			t.Fatalf("the edited file again: %+v", again)
		}
	})
}

// edits says what editExport changed.
type edits struct{ left string }

// editExport edits an exported workbook as a clerk would in Excel: in one
// household the householder's phone, a member's dibao (none → 低保) and
// the notes change and a grandchild is added; in another a member's row
// is deleted.
func editExport(t *testing.T, path string) edits {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("住户")
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	get := func(r []string, h string) string { return cell(r, col[h]) }
	byHousehold := map[string][]int{}
	var order []string
	for i := 1; i < len(rows); i++ {
		no := get(rows[i], "户号")
		if _, ok := byHousehold[no]; !ok {
			order = append(order, no)
		}
		byHousehold[no] = append(byHousehold[no], i)
	}
	current := func(i int) bool {
		return get(rows[i], "迁出日期") == "" && get(rows[i], "死亡日期") == "" && get(rows[i], "姓名") != ""
	}
	var a, b string
	for _, no := range order {
		rs := byHousehold[no]
		if len(rs) < 2 || slices.IndexFunc(rs, func(i int) bool { return !current(i) }) >= 0 {
			continue
		}
		ok := get(rows[rs[0]], "与户主关系") == "户主" && get(rows[rs[1]], "低保") == "无" && get(rows[rs[0]], "联系电话") != "13800001111"
		if a == "" && ok {
			a = no
		} else if b == "" && get(rows[rs[len(rs)-1]], "与户主关系") != "户主" {
			b = no
		}
	}
	if a == "" || b == "" {
		t.Fatal("no household fit to edit")
	}
	pad := func(r []string) []string {
		return append(r, make([]string, max(len(rows[0])-len(r), 0))...)
	}
	ra := byHousehold[a]
	for _, i := range ra {
		rows[i] = pad(rows[i])
		rows[i][col["备注"]] = "已核实，改为新电话"
	}
	rows[ra[0]][col["联系电话"]] = "13800001111"
	rows[ra[1]][col["低保"]] = "低保"
	kid := slices.Clone(rows[ra[0]])
	for h, i := range col {
		if !fieldByHeaderOf(h).householdLevel() {
			kid[i] = ""
		}
	}
	kid[col["姓名"]], kid[col["与户主关系"]], kid[col["出生日期"]], kid[col["性别"]] = "王小妹", "孙辈", "2019-03-04", "女"
	rb := byHousehold[b]
	left := get(rows[rb[len(rb)-1]], "姓名")
	var out [][]string
	for i, r := range rows {
		if i == rb[len(rb)-1] {
			continue
		}
		out = append(out, r)
		if i == ra[len(ra)-1] {
			out = append(out, kid)
		}
	}
	nf := excelize.NewFile()
	defer nf.Close()
	for i, r := range out {
		cells := make([]any, len(r))
		for j, c := range r {
			cells[j] = c
		}
		if err := nf.SetSheetRow("Sheet1", cellName(0, i+1), &cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := nf.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return edits{left: left}
}

// fieldByHeaderOf returns the field of an exported header.
func fieldByHeaderOf(h string) Field { return fieldByHeader[normHeader(h)] }
