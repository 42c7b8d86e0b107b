package importer

import (
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
)

// enum is an enumerated field of household.Household or household.Person:
// each value's label as the export writes it (the label the pages show,
// from the zh-CN catalogue) and the other words communities write for it.
type enum struct {
	field  string
	labels map[string]string   // value → label written
	words  map[string][]string // value → other words read
}

// read returns the value a cell names, "" for an empty cell.
func (e *enum) read(s string) (string, error) {
	s = cleanCode(s)
	if s == "" {
		return "", nil
	}
	k := strings.ToLower(strings.ReplaceAll(s, " ", ""))
	for v, l := range e.labels {
		if k == v || k == l {
			return v, nil
		}
		for _, w := range e.words[v] {
			if k == w {
				return v, nil
			}
		}
	}
	var all []string
	for _, v := range e.order() {
		all = append(all, e.labels[v])
	}
	return "", apperr.Field(e.field, "one_of", "%q is not one of %s", s, strings.Join(all, "、"))
}

// label returns the label the export writes for v.
func (e *enum) label(v string) string {
	if l, ok := e.labels[v]; ok {
		return l
	}
	return v
}

// order lists the values in the household package's order.
func (e *enum) order() []string {
	list := map[string][]string{"kind": household.Kinds, "occupancy": household.Occupancies, "contact_times": household.ContactTimes,
		"language": household.Languages, "gender": household.Genders, "residence": household.Residences, "relation": household.Relations,
		"employment": household.Employments, "school": household.Schools, "disability_type": household.Disabilities,
		"dibao": household.DibaoStatuses}[e.field]
	return list
}

var (
	kinds = &enum{"kind", map[string]string{"residential": "住宅", "commercial": "商铺", "mixed": "商住两用"},
		map[string][]string{"residential": {"居民", "住户", "民宅"}, "commercial": {"商户", "商业", "门店", "店铺"}, "mixed": {"商住"}}}
	occupancies = &enum{"occupancy", map[string]string{"owner": "自住", "rented": "出租", "vacant": "空置"},
		map[string][]string{"owner": {"自有", "本人居住"}, "rented": {"租住", "租户", "租赁"}, "vacant": {"空房", "无人居住"}}}
	contactTimes = &enum{"contact_times", map[string]string{"daytime": "白天", "evening": "晚上", "weekend": "仅周末"},
		map[string][]string{"daytime": {"上午", "下午", "白天在家"}, "evening": {"晚间", "夜间"}, "weekend": {"周末"}}}
	languages = &enum{"language", map[string]string{"bo": "藏语", "mn": "蒙古语", "ug": "维吾尔语", "sign": "手语", "en": "英语", "other": "其他语言"},
		map[string][]string{"bo": {"藏", "藏文"}, "mn": {"蒙语", "蒙古"}, "ug": {"维语"}, "en": {"english"}, "other": {"其他"}}}
	genders = &enum{"gender", map[string]string{"male": "男", "female": "女"},
		map[string][]string{"male": {"男性", "m"}, "female": {"女性", "f"}}}
	residences = &enum{"residence", map[string]string{"registered": "户籍", "resident": "常住", "floating": "流动", "foreign": "境外"},
		map[string][]string{"registered": {"户籍人口", "本地户籍", "户籍在册"}, "resident": {"常住人口", "非户籍常住", "常住非户籍"},
			"floating": {"流动人口", "外来人口", "暂住"}, "foreign": {"境外人员", "外籍", "外籍人员", "港澳台"}}}
	relations = &enum{"relation", map[string]string{"householder": "户主", "spouse": "配偶", "child": "子女", "parent": "父母",
		"grandchild": "孙辈", "grandparent": "祖辈", "sibling": "兄弟姐妹", "child_in_law": "儿媳/女婿", "other": "其他"},
		map[string][]string{
			"householder":  {"本人", "户主本人"},
			"spouse":       {"妻", "夫", "妻子", "丈夫", "夫妻", "爱人", "老伴"},
			"child":        {"子", "女", "儿子", "女儿", "长子", "次子", "三子", "长女", "次女", "三女", "独生子", "独生女", "养子", "养女", "继子", "继女"},
			"parent":       {"父", "母", "父亲", "母亲", "继父", "继母", "公公", "婆婆", "岳父", "岳母"},
			"grandchild":   {"孙子", "孙女", "外孙", "外孙子", "外孙女"},
			"grandparent":  {"祖父", "祖母", "外祖父", "外祖母", "爷爷", "奶奶", "姥爷", "姥姥"},
			"sibling":      {"兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹", "兄弟", "姐妹"},
			"child_in_law": {"儿媳", "女婿", "媳妇"},
			"other":        {"其它", "亲属", "其他亲属", "保姆", "非亲属"},
		}}
	employments = &enum{"employment", map[string]string{"employed": "在职", "flexible": "灵活就业", "unemployed": "失业",
		"retired": "退休", "student": "在校", "preschool": "学龄前", "not_working": "无业"},
		map[string][]string{"employed": {"就业", "在岗", "工作"}, "unemployed": {"下岗", "失业人员", "待业"},
			"retired": {"离休", "退休人员"}, "student": {"学生", "在校学生"}, "not_working": {"无", "无业人员"}}}
	schools = &enum{"school", map[string]string{"kindergarten": "幼儿园", "primary": "小学", "junior_middle": "初中",
		"senior_high": "高中", "vocational": "职业学校", "university": "大学"},
		map[string][]string{"kindergarten": {"幼儿"}, "junior_middle": {"初级中学"}, "senior_high": {"高级中学"},
			"vocational": {"中职", "职高", "中专", "技校"}, "university": {"大专", "本科", "研究生", "高校"}}}
	disabilities = &enum{"disability_type", map[string]string{"visual": "视力残疾", "hearing": "听力残疾", "speech": "言语残疾",
		"physical": "肢体残疾", "intellectual": "智力残疾", "mental": "精神残疾", "multiple": "多重残疾"},
		map[string][]string{"visual": {"视力"}, "hearing": {"听力"}, "speech": {"言语"}, "physical": {"肢体"},
			"intellectual": {"智力"}, "mental": {"精神"}, "multiple": {"多重"}}}
	dibaos = &enum{"dibao", map[string]string{"none": "无", "dibao": "低保", "near_dibao": "低保边缘"},
		map[string][]string{"none": {"否", "不是", "非低保"}, "dibao": {"是", "低保户", "√", "✓"}, "near_dibao": {"边缘", "低保边缘户", "边缘户"}}}
)

// readDisability reads a combined disability cell ("肢体二级",
// "肢体残疾2级", "视力/一级"): the type, then the grade.
func readDisability(s string) (kind string, grade int, err error) {
	s = strings.ReplaceAll(cleanCode(s), " ", "")
	if s == "" || s == "无" || s == "否" {
		return "", 0, nil
	}
	for _, v := range household.Disabilities {
		for _, w := range append([]string{disabilities.labels[v]}, disabilities.words[v]...) {
			if rest, ok := strings.CutPrefix(s, w); ok {
				rest = strings.Trim(rest, "/、,，-")
				grade, err := readInt("disability_grade", rest, "级")
				if err == nil && rest == "" {
					err = apperr.Field("disability_grade", "required", "is required with a disability type (一级 to 四级)")
				}
				return v, grade, err
			}
		}
	}
	_, err = disabilities.read(s)
	return "", 0, err
}
