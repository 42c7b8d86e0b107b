package importer

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"wanhu/internal/apperr"
)

// Field is what a column holds: a field of household.Household or
// household.Person, or one of the importer's own (the household number
// that groups rows, the community, the grid, a yes/no column).
type Field string

// The fields of a column. Ignore marks a column mapped to nothing.
const (
	Ignore         Field = ""
	HouseholdNo    Field = "household_no"
	Community      Field = "community"
	Grid           Field = "grid"
	Compound       Field = "compound"
	Building       Field = "building"
	Unit           Field = "unit"
	Floor          Field = "floor"
	Room           Field = "room"
	Address        Field = "address"
	Kind           Field = "kind"
	Mixed          Field = "mixed"
	ShopName       Field = "shop_name"
	BusinessType   Field = "business_type"
	Occupancy      Field = "occupancy"
	HouseholdPhone Field = "household_phone"
	ContactTimes   Field = "contact_times"
	ContactNote    Field = "contact_note"
	Language       Field = "language"
	Notes          Field = "notes"
	HouseholdTags  Field = "household_tags"

	Name            Field = "name"
	IDNumber        Field = "id_number"
	Gender          Field = "gender"
	BirthDate       Field = "birth_date"
	Ethnicity       Field = "ethnicity"
	Residence       Field = "residence"
	Relation        Field = "relation"
	Phone           Field = "phone"
	Employment      Field = "employment"
	School          Field = "school"
	DisabilityType  Field = "disability_type"
	DisabilityGrade Field = "disability_grade"
	Disability      Field = "disability"
	HealthNotes     Field = "health_notes"
	Dibao           Field = "dibao"
	MovedInOn       Field = "moved_in_on"
	MovedOutOn      Field = "moved_out_on"
	DeceasedOn      Field = "deceased_on"
	LivingAlone     Field = "living_alone"
	Tags            Field = "tags"
)

// fieldDef is a field with the header the export writes for it and the
// other headers that are recognised as it.
type fieldDef struct {
	field   Field
	header  string
	aliases []string
	// exported says the export writes the column (the others are read
	// only: a combined or yes/no form of what exported columns hold).
	exported bool
}

// fields are every field in the order the export writes its columns:
// the household's first, then the person's.
var fields = []fieldDef{
	{HouseholdNo, "户号", []string{"户编号", "家庭编号", "户序号", "户籍编号"}, true},
	{Community, "社区", []string{"所属社区", "社区名称", "社区居委会"}, true},
	{Grid, "网格", []string{"所属网格", "网格号", "网格名称", "网格编号"}, true},
	{Compound, "小区", []string{"小区名称", "所在小区", "院落", "小区院落"}, true},
	{Building, "楼栋", []string{"楼号", "楼栋号", "栋", "栋号", "楼", "幢", "楼幢", "楼号栋"}, true},
	{Unit, "单元", []string{"单元号"}, true},
	{Floor, "楼层", []string{"层", "所在楼层"}, true},
	{Room, "房号", []string{"门牌号", "室", "房间号", "房间", "户室号", "门牌", "室号"}, true},
	{Address, "地址", []string{"住址", "详细地址", "家庭住址", "现住址", "居住地址", "家庭地址"}, true},
	{Kind, "类型", []string{"房屋类型", "户类型", "住户类型", "房屋用途"}, true},
	{Mixed, "商住", []string{"商住两用", "是否商住"}, false},
	{ShopName, "商铺名称", []string{"店铺名称", "商户名称", "店名", "商铺"}, true},
	{BusinessType, "经营类别", []string{"经营范围", "经营类型", "行业", "经营项目"}, true},
	{Occupancy, "居住情况", []string{"居住状态", "房屋状态", "自住出租"}, true},
	{HouseholdPhone, "家庭电话", []string{"户联系电话", "固定电话", "座机", "家庭联系电话", "户电话"}, true},
	{ContactTimes, "联系时段", []string{"方便联系时间", "联系时间", "方便联系时段"}, true},
	{ContactNote, "联系备注", []string{"联系说明"}, true},
	{Language, "语言", []string{"沟通语言", "使用语言"}, true},
	{Notes, "备注", []string{"户备注", "家庭备注", "备注说明"}, true},
	{HouseholdTags, "户标签", []string{"家庭标签", "家庭类别"}, true},

	{Name, "姓名", []string{"名字", "成员姓名", "居民姓名"}, true},
	{IDNumber, "身份证号", []string{"公民身份号码", "身份证号码", "身份证", "证件号码", "身份证件号码", "公民身份证号"}, true},
	{Gender, "性别", nil, true},
	{BirthDate, "出生日期", []string{"出生年月日", "生日", "出生年月"}, true},
	{Ethnicity, "民族", nil, true},
	{Residence, "户籍类型", []string{"户口性质", "户籍性质", "人口类型", "户籍状态", "人员类型"}, true},
	{Relation, "与户主关系", []string{"与户主的关系", "关系", "家庭关系", "与户主关系称谓"}, true},
	{Phone, "联系电话", []string{"手机号", "手机", "手机号码", "电话", "联系方式", "电话号码", "本人电话"}, true},
	{Employment, "就业状况", []string{"就业情况", "就业状态", "职业状况"}, true},
	{School, "就学情况", []string{"在读学段", "学段", "在读学校类型", "就读学段"}, true},
	{DisabilityType, "残疾类别", []string{"残疾类型", "残疾种类"}, true},
	{DisabilityGrade, "残疾等级", []string{"残疾级别"}, true},
	{Disability, "残疾类别/等级", []string{"残疾类别等级", "残疾情况", "残疾", "残疾类别及等级"}, false},
	{HealthNotes, "健康状况", []string{"健康情况", "身体状况", "病史", "健康"}, true},
	{Dibao, "低保", []string{"低保情况", "是否低保", "低保户", "低保状态"}, true},
	{MovedInOn, "迁入日期", []string{"迁入时间", "入住日期"}, true},
	{MovedOutOn, "迁出日期", []string{"迁出时间"}, true},
	{DeceasedOn, "死亡日期", []string{"去世日期", "死亡时间"}, true},
	{LivingAlone, "独居", []string{"是否独居", "独居情况"}, false},
	{Tags, "标签", []string{"人员标签", "人员类别", "重点人群", "人群类别"}, true},
}

// fieldByName and fieldByHeader index fields by name and by every
// recognised header in its normalized form (see normHeader).
var fieldByName, fieldByHeader = func() (map[Field]*fieldDef, map[string]Field) {
	byName, byHeader := map[Field]*fieldDef{}, map[string]Field{}
	for i := range fields {
		f := &fields[i]
		byName[f.field] = f
		for _, h := range append([]string{f.header}, f.aliases...) {
			byHeader[normHeader(h)] = f.field
		}
	}
	return byName, byHeader
}()

// householdLevel reports whether f is a field of the household rather
// than of the person on the row.
func (f Field) householdLevel() bool {
	switch f {
	case HouseholdNo, Community, Grid, Compound, Building, Unit, Floor, Room, Address, Kind, Mixed, ShopName,
		BusinessType, Occupancy, HouseholdPhone, ContactTimes, ContactNote, Language, Notes, HouseholdTags:
		return true
	}
	return false
}

// Header returns the header the export writes for f.
func (f Field) Header() string {
	if d, ok := fieldByName[f]; ok {
		return d.header
	}
	return string(f)
}

// ExportHeaders returns the headers the export writes, in order: each
// recognised by the importer as its field.
func ExportHeaders() []string {
	var out []string
	for _, f := range fields {
		if f.exported {
			out = append(out, f.header)
		}
	}
	return out
}

// normHeader is the form in which headers are compared: half-width,
// without spaces, stars (required marks), colons and notes in brackets
// ("身份证号（18位）").
func normHeader(s string) string {
	s = width.Fold.String(s)
	if i := strings.IndexAny(s, "(["); i > 0 {
		s = s[:i]
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '*' || r == ':' || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// Mapping maps headers the importer does not recognise to fields
// ("户主电话": "phone"); the field "" (or "-") ignores a column. A mapping
// given for an import wins over the community's saved one, which wins
// over the recognised headers.
type Mapping map[string]Field

// ReadMapping reads a mapping as JSON ({"header": "field", …}) and checks
// its fields.
func ReadMapping(r io.Reader) (Mapping, error) {
	var raw map[string]string
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return nil, apperr.Field("mapping", "mapping_json", "must be a JSON object of header → field: %s", err)
	}
	m := Mapping{}
	for h, f := range raw {
		if f == "-" {
			f = ""
		}
		if f != "" && fieldByName[Field(f)] == nil {
			return nil, apperr.Field("mapping", "mapping_field", "%s: %q is not a field (one of %s)", h, f, strings.Join(FieldNames(), ", "))
		}
		m[h] = Field(f)
	}
	return m, nil
}

// FieldNames lists the names of the fields a mapping may name.
func FieldNames() []string {
	var out []string
	for _, f := range fields {
		out = append(out, string(f.field))
	}
	sort.Strings(out)
	return out
}

// lookup returns the field header h maps to: in m, else recognised.
func (m Mapping) lookup(h string) (Field, bool) {
	n := normHeader(h)
	if n == "" {
		return Ignore, false
	}
	for k, f := range m {
		if normHeader(k) == n {
			return f, true
		}
	}
	f, ok := fieldByHeader[n]
	return f, ok
}

// merged returns m with over laid on it.
func (m Mapping) merged(over Mapping) Mapping {
	out := Mapping{}
	for k, v := range m {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

func (f Field) String() string {
	if f == Ignore {
		return "(ignored)"
	}
	return fmt.Sprint(string(f))
}
