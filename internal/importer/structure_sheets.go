package importer

import (
	"fmt"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/pii"
)

// The columns of a structure workbook's sheets, besides those they share
// with the household import (Grid, Compound, Building, Unit, Name, Phone,
// Language, Notes).
const (
	GridNumber      Field = "grid_number"
	GridName        Field = "grid_name"
	GridLeader      Field = "grid_leader"
	GridLeaderPhone Field = "grid_leader_phone"
	RoomRange       Field = "room_range"
	TeamRole        Field = "role"
	WeChat          Field = "wechat"
	Skills          Field = "skills"
	Availability    Field = "availability"
	Department      Field = "department"
	Parent          Field = "parent"
)

// sheetKind is a kind of sheet of a structure workbook: the headers of
// its columns, and the columns it cannot do without.
type sheetKind struct {
	name    string
	headers map[Field][]string
	valid   func(*table) bool
	lookup  func(string) (Field, bool)
}

// structureKinds are the kinds of sheet, in the order their rows are
// applied when a sheet could be read as two.
var structureKinds = []*sheetKind{
	{name: "grids", headers: map[Field][]string{
		Grid:            {"网格", "所属网格", "网格号/名称"},
		GridNumber:      {"网格编号", "网格号", "网格序号", "编号"},
		GridName:        {"网格名称", "网格名"},
		GridLeader:      {"网格长", "网格长姓名", "网格负责人", "负责人"},
		GridLeaderPhone: {"网格长电话", "网格长联系电话", "网格长手机", "负责人电话", "联系电话", "电话", "手机"},
		Compound:        {"小区", "小区名称", "所在小区", "院落", "小区院落", "小区/院落"},
		Building:        {"楼栋", "楼号", "楼栋号", "栋", "栋号", "楼", "幢", "楼幢", "楼号栋", "覆盖楼栋", "包含楼栋", "所辖楼栋", "负责楼栋"},
		Unit:            {"单元", "单元号"},
		RoomRange:       {"房号范围", "房间范围", "门牌范围", "户室范围", "房号", "房间号", "覆盖房号"},
		Notes:           {"备注"},
	}, valid: func(t *table) bool {
		return (t.has(Grid) || t.has(GridNumber) || t.has(GridName)) &&
			(t.has(Compound) || t.has(Building) || t.has(GridLeader) || t.has(RoomRange))
	}},
	{name: "team", headers: map[Field][]string{
		Name:         {"姓名", "名字", "队员姓名", "成员姓名", "人员姓名"},
		TeamRole:     {"身份", "角色", "职务", "岗位", "人员身份", "队伍身份", "队员身份", "角色/身份"},
		Grid:         {"网格", "所属网格", "网格编号", "网格名称", "负责网格", "所在网格"},
		Phone:        {"电话", "联系电话", "手机", "手机号", "手机号码", "联系方式", "电话号码", "工作电话"},
		WeChat:       {"微信", "微信号"},
		Language:     {"语言", "沟通语言", "会讲语言", "会讲的语言", "使用语言", "少数民族语言"},
		Skills:       {"特长", "技能", "特长/技能", "专长", "特长技能"},
		Availability: {"可走访时间", "走访时间", "空闲时间", "可走访时段", "方便走访时间"},
		Notes:        {"备注"},
	}, valid: func(t *table) bool { return t.has(Name) && t.has(TeamRole) }},
	{name: "departments", headers: map[Field][]string{
		Department: {"部门名称", "部门", "单位名称", "单位", "部门/单位", "部门单位"},
		Parent:     {"上级", "上级单位", "所属", "隶属", "上级部门", "所属区/街道", "区/街道"},
		Phone:      {"电话", "联系电话", "办公电话", "值班电话"},
		Notes:      {"备注"},
	}, valid: func(t *table) bool { return t.has(Department) }},
}

func init() {
	for _, k := range structureKinds {
		byHeader := map[string]Field{}
		for f, hs := range k.headers {
			for _, h := range hs {
				byHeader[normHeader(h)] = f
			}
		}
		k.lookup = func(h string) (Field, bool) {
			f, ok := byHeader[normHeader(h)]
			return f, ok && normHeader(h) != ""
		}
	}
}

// read reads every sheet of the workbook: its header decides what it
// holds (the kind under which most columns are recognised), and its rows
// are kept for the run (a structure workbook has hundreds of rows).
// Sheets that are none of the kinds (notes, households) are skipped: a
// sheet of households has the columns of a grids sheet (网格, 小区, 楼栋,
// 房号) but names people (姓名), which a grids sheet does not.
func (r *structRun) read(src source) error {
	for _, name := range src.sheets() {
		if err := r.readSheet(src, name); err != nil {
			return err
		}
	}
	return nil
}

func (r *structRun) readSheet(src source, name string) error {
	it, err := src.rows(name)
	if err != nil {
		return fmt.Errorf("sheet %s: %w", name, err)
	}
	defer it.close()
	var head [][]string
	for len(head) < headerScan {
		row, ok := it.next()
		if !ok {
			break
		}
		head = append(head, row)
	}
	var t *table
	var kind *sheetKind
	for _, k := range structureKinds {
		if c, ok := findHeader(head, k.lookup, k.valid); ok && (t == nil || len(c.byField) > len(t.byField)) {
			t, kind = c, k
		}
	}
	if t != nil && kind.name == "grids" {
		if ht, ok := detectHeader(head, nil); ok && ht.has(Name) {
			t = nil // a sheet of households (姓名 and their address), not of grids
		}
	}
	if t == nil {
		for _, row := range head {
			if !blank(row) {
				r.rep.SkippedSheets = append(r.rep.SkippedSheets, name)
				break
			}
		}
		return it.err()
	}
	t.sheet = name
	for _, c := range t.columns {
		r.rep.Columns = append(r.rep.Columns, Column{Sheet: name, Header: c.label, Field: string(c.field)})
	}
	var rows []*record
	take := func(n int, cells []string) {
		rec := &record{t: t, row: n, cells: cells}
		if !blank(cells) && rec.filled() > 0 {
			rows = append(rows, rec)
		}
	}
	for i := t.first - 1; i < len(head); i++ {
		take(i+1, head[i])
	}
	for n := len(head) + 1; ; n++ {
		row, ok := it.next()
		if !ok {
			break
		}
		take(n, row)
	}
	if err := it.err(); err != nil {
		return fmt.Errorf("sheet %s: %w", name, err)
	}
	r.rep.Sheets = append(r.rep.Sheets, SheetRead{Sheet: name, Kind: kind.name, Rows: len(rows)})
	switch kind.name {
	case "grids":
		r.gridRows = append(r.gridRows, rows...)
	case "team":
		r.teamRows = append(r.teamRows, rows...)
	default:
		r.deptRows = append(r.deptRows, rows...)
	}
	return nil
}

// at returns a problem on rec in the column of f (none when the sheet
// has no such column), with the cell's value, phones masked.
func (r *structRun) at(rec *record, f Field, code, msg string, args ...any) Problem {
	p := Problem{Sheet: rec.t.sheet, Row: rec.row, Code: code, Message: fmt.Sprintf(msg, args...), Args: args, col: -1}
	if i, ok := rec.t.byField[f]; ok {
		v := cleanText(rec.raw(f))
		if f == Phone || f == GridLeaderPhone {
			v = pii.MaskPhone(v)
		}
		p.col, p.Column, p.Value, p.Cell = i, rec.t.label(i), v, cellName(i, rec.row)
	}
	return p
}

// refuse reports err, a change the domain refused, on the column of rec
// that its field names (columns maps a FieldError's field to a column).
func (r *structRun) refuse(rec *record, err error, columns map[string]Field) {
	fe, ok := apperr.AsField(err)
	if !ok {
		fe = &apperr.FieldError{Code: "not_found", Msg: "not found"}
	}
	f := columns[fe.Field]
	p := r.at(rec, f, fe.Code, "%s", fe.Msg)
	p.Message, p.Args = fe.Msg, fe.Args
	r.problem(p)
}

// text is the cleaned text of rec's cell of f.
func (rec *record) text(f Field) string { return cleanCode(rec.raw(f)) }

// listSeparators split a cell that lists several things: 、，,；;／/ and
// line breaks (not spaces, which names hold).
var listSeparators = strings.NewReplacer("、", ",", "，", ",", "；", ",", ";", ",", "／", ",", "/", ",", "\n", ",", "\r", ",")

// splitCell splits a cell listing several things into its items.
func splitCell(s string) []string {
	var out []string
	for _, item := range strings.Split(listSeparators.Replace(cleanText(s)), ",") {
		if item = cleanCode(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
