package roster

import (
	"context"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/export"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// Labels names coded values for people: Enum("gender", "male") is 男 in
// Chinese, Tag("dibao") 低保.
type Labels interface {
	Enum(field, value string) string
	Tag(code string) string
}

// Column is a column of a roster's table.
type Column struct {
	Key    string
	ZH, EN string
	Width  float64
	cell   func(it *Item, l Labels) any
	Link   bool // the cell links to the household file
}

// Header returns the column's header in language lang.
func (c Column) Header(lang string) string {
	if lang == "en" {
		return c.EN
	}
	return c.ZH
}

// Cell returns the column's value in row it: a string, an int or nil.
func (c Column) Cell(it *Item, l Labels) any { return c.cell(it, l) }

// Text returns the column's value in row it as text.
func (c Column) Text(it *Item, l Labels) string { return export.Plain(c.cell(it, l)) }

func date(d calendar.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// birthCell is the birth date, or the birthday ("MM-DD") of a person whose
// birth year the reader may not see.
func birthCell(it *Item, _ Labels) any {
	if it.BirthDate.IsZero() && it.Birthday != "" {
		return it.Birthday
	}
	return date(it.BirthDate)
}

// The columns rosters are made of.
var (
	colName      = Column{Key: "name", ZH: "姓名", EN: "Name", Width: 10, cell: func(it *Item, _ Labels) any { return it.Name }}
	colGender    = Column{Key: "gender", ZH: "性别", EN: "Sex", Width: 6, cell: func(it *Item, l Labels) any { return l.Enum("gender", string(it.Gender)) }}
	colBirth     = Column{Key: "birth_date", ZH: "出生日期", EN: "Born", Width: 12, cell: birthCell}
	colAge       = Column{Key: "age", ZH: "年龄", EN: "Age", Width: 6, cell: func(it *Item, _ Labels) any { return deref(it.Age) }}
	colEthnicity = Column{Key: "ethnicity", ZH: "民族", EN: "Ethnicity", Width: 8, cell: func(it *Item, _ Labels) any { return it.Ethnicity }}
	colDibao     = Column{Key: "dibao", ZH: "低保类别", EN: "Dibao", Width: 10, cell: func(it *Item, l Labels) any { return enum(l, "dibao", it.Dibao) }}
	colTags      = Column{Key: "tags", ZH: "标签", EN: "Tags", Width: 24, cell: func(it *Item, l Labels) any { return tagText(it.Tags, l) }}
	colGrid      = Column{Key: "grid", ZH: "网格", EN: "Grid", Width: 12, cell: func(it *Item, _ Labels) any { return it.GridName }}
	colAddress   = Column{Key: "address", ZH: "地址", EN: "Address", Width: 30, Link: true, cell: func(it *Item, _ Labels) any { return it.Address }}
	colColour    = Column{Key: "colour", ZH: "户颜色", EN: "Colour", Width: 8, cell: func(it *Item, l Labels) any { return l.Enum("colour", string(it.Colour)) }}
	colGuardian  = Column{Key: "guardian", ZH: "监护人", EN: "Guardian", Width: 10, cell: func(it *Item, _ Labels) any {
		if it.Guardian == nil {
			return nil
		}
		return it.Guardian.Name
	}}
	colGuardianRel = Column{Key: "guardian_relation", ZH: "监护人关系", EN: "Guardian's relation", Width: 10, cell: func(it *Item, l Labels) any {
		if it.Guardian == nil {
			return nil
		}
		return l.Enum("relation", it.Guardian.Relation)
	}}
	colGuardianPhone = Column{Key: "guardian_phone", ZH: "监护人电话", EN: "Guardian's phone", Width: 14, cell: func(it *Item, _ Labels) any {
		if it.Guardian == nil {
			return nil
		}
		return it.Guardian.Phone
	}}
	colLastCheck = Column{Key: "last_check_on", ZH: "上次体检", EN: "Last check-up", Width: 12, cell: func(it *Item, _ Labels) any { return date(it.LastCheckOn) }}
	colLastVisit = Column{Key: "last_visit_at", ZH: "上次走访", EN: "Last visit", Width: 12, cell: func(it *Item, _ Labels) any {
		if it.LastVisitAt == nil {
			return nil
		}
		return it.LastVisitAt.In(calendar.China).Format(time.DateOnly)
	}}
	colNextDue     = Column{Key: "next_due_on", ZH: "下次应访", EN: "Next visit due", Width: 12, cell: func(it *Item, _ Labels) any { return date(it.NextDueOn) }}
	colHouseholder = Column{Key: "householder", ZH: "户主", EN: "Householder", Width: 10, cell: func(it *Item, _ Labels) any { return it.Householder }}
	colMembers     = Column{Key: "member_count", ZH: "人数", EN: "Members", Width: 6, cell: func(it *Item, _ Labels) any { return it.Members }}
	colPhone       = Column{Key: "phone", ZH: "联系电话", EN: "Phone", Width: 14, cell: func(it *Item, _ Labels) any { return it.Phone }}
	colReasons     = Column{Key: "colour_reasons", ZH: "颜色原因", EN: "Why", Width: 24, cell: func(it *Item, _ Labels) any { return strings.Join(it.Reasons, "；") }}
	colShop        = Column{Key: "shop_name", ZH: "店名", EN: "Shop", Width: 16, cell: func(it *Item, _ Labels) any { return it.ShopName }}
	colBusiness    = Column{Key: "business_type", ZH: "经营类别", EN: "Business", Width: 12, cell: func(it *Item, _ Labels) any { return it.BusinessType }}
	colKind        = Column{Key: "kind", ZH: "类型", EN: "Kind", Width: 8, cell: func(it *Item, l Labels) any { return l.Enum("kind", string(it.Kind)) }}
	colOccupancy   = Column{Key: "occupancy", ZH: "居住情况", EN: "Occupancy", Width: 8, cell: func(it *Item, l Labels) any { return l.Enum("occupancy", it.Occupancy) }}
	colFocus       = Column{Key: "fire_safety_focus", ZH: "消防重点", EN: "Fire-safety focus", Width: 8, cell: func(it *Item, l Labels) any {
		if it.FireSafetyFocus {
			return l.Tag("fire_safety_focus")
		}
		return nil
	}}
	colRoundAt = Column{Key: "last_round_at", ZH: "上次消防检查", EN: "Last fire-safety check", Width: 12, cell: func(it *Item, _ Labels) any {
		if it.LastRoundAt == nil {
			return nil
		}
		return it.LastRoundAt.In(calendar.China).Format(time.DateOnly)
	}}
	colRoundResult = Column{Key: "last_round_failed", ZH: "检查结果", EN: "Result", Width: 10, cell: func(it *Item, l Labels) any {
		switch {
		case it.LastRoundFailed == nil:
			return nil
		case *it.LastRoundFailed == 0:
			return l.Enum("round_result", "ok")
		}
		return l.Enum("round_result", "failed") + " " + strconv.Itoa(*it.LastRoundFailed)
	}}
	colStart = Column{Key: "start", ZH: "入园/入学", EN: "Starts", Width: 8, cell: func(it *Item, l Labels) any { return l.Enum("start", it.Start) }}
)

// columns lists the columns of each roster.
var columns = map[string][]Column{
	"four_thirty":          {colName, colGender, colBirth, colAge, colGrid, colAddress, colGuardian, colGuardianRel, colGuardianPhone},
	"elderly_checkup":      {colName, colGender, colBirth, colAge, colGrid, colAddress, colLastCheck},
	"living_alone_elderly": {colName, colGender, colAge, colGrid, colAddress, colLastVisit, colNextDue},
	"dibao_review":         {colName, colGender, colAge, colDibao, colGrid, colAddress, colMembersOfPerson, colLastVisit},
	"fire_safety":          {colShop, colBusiness, colKind, colFocus, colGrid, colAddress, colPhone, colRoundAt, colRoundResult, colLastVisit},
	"school_start":         {colName, colGender, colBirth, colStart, colGrid, colAddress, colGuardian, colGuardianRel, colGuardianPhone},
	"key_persons":          {colName, colGender, colBirth, colAge, colTags, colGrid, colAddress, colColour},
	"special_difficulty":   {colHouseholder, colGrid, colAddress, colMembers, colColour, colReasons, colPhone, colLastVisit},
	People:                 {colName, colGender, colBirth, colAge, colEthnicity, colDibao, colTags, colGrid, colAddress},
	Households:             {colHouseholder, colShop, colKind, colOccupancy, colMembers, colColour, colTags, colGrid, colAddress, colPhone},
}

// colMembersOfPerson is the size of a person's household.
var colMembersOfPerson = Column{Key: "member_count", ZH: "家庭人数", EN: "Household size", Width: 8, cell: func(it *Item, _ Labels) any { return it.Members }}

// Columns returns the columns of roster d.
func (d Def) Columns() []Column { return columns[d.Name] }

// ExportColumns returns the Chinese headers and widths of roster d.
func (d Def) ExportColumns() []export.Column {
	cols := d.Columns()
	out := make([]export.Column, len(cols))
	for i, c := range cols {
		out[i] = export.Column{Header: c.ZH, Width: c.Width}
	}
	return out
}

func deref(n *int) any {
	if n == nil {
		return nil
	}
	return *n
}

func enum(l Labels, field, value string) any {
	if value == "" {
		return nil
	}
	return l.Enum(field, value)
}

func tagText(codes []string, l Labels) any {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = l.Tag(c)
	}
	return strings.Join(out, "、")
}

// zhEnums are the Chinese names of the coded values in rosters.
var zhEnums = map[string]string{
	"gender.male": "男", "gender.female": "女",
	"colour.red": "红", "colour.yellow": "黄", "colour.green": "绿",
	"kind.residential": "住宅", "kind.commercial": "商铺", "kind.mixed": "商住两用",
	"occupancy.owner": "自住", "occupancy.rented": "出租", "occupancy.vacant": "空置",
	"contact_times.daytime": "白天", "contact_times.evening": "晚上", "contact_times.weekend": "仅周末",
	"language.mandarin": "普通话", "language.bo": "藏语", "language.mn": "蒙古语", "language.ug": "维吾尔语", "language.sign": "手语",
	"language.en": "英语", "language.other": "其他语言",
	"dibao.none": "无", "dibao.dibao": "低保", "dibao.near_dibao": "低保边缘",
	"start.kindergarten": "入园", "start.school": "入学",
	"round_result.ok": "合格", "round_result.failed": "不合格",
	"relation.householder": "户主", "relation.spouse": "配偶", "relation.child": "子女", "relation.parent": "父母",
	"relation.grandchild": "孙辈", "relation.grandparent": "祖辈", "relation.sibling": "兄弟姐妹",
	"relation.child_in_law": "儿媳/女婿", "relation.other": "其他",
}

// zhLabels are the Chinese labels of the exports.
type zhLabels map[string]string

func (z zhLabels) Enum(field, value string) string {
	if s, ok := zhEnums[field+"."+value]; ok {
		return s
	}
	return value
}

func (z zhLabels) Tag(code string) string {
	if s, ok := z[code]; ok {
		return s
	}
	return code
}

// Chinese returns the Chinese labels of exports, with the tag names of q.
func Chinese(ctx context.Context, q store.Querier) (Labels, error) {
	tags, err := household.Tags(ctx, q)
	if err != nil {
		return nil, err
	}
	z := zhLabels{}
	for _, t := range tags {
		z[t.Code] = t.NameZH
	}
	return z, nil
}
