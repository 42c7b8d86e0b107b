// Package importtest makes the workbooks that the tests of the household
// import upload, as a community keeps them, so that no binary fixture is
// committed: the code that writes a file is the fixture.
package importtest

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/household"
)

// Mapping maps the two columns of a community workbook that the importer
// does not recognise by itself to their fields.
var Mapping = map[string]string{"本人手机": "phone", "户口类别": "residence"}

// Compounds are the compounds of a community workbook, a sheet each, with
// four buildings each.
var Compounds = []string{"一化小区", "二化小区", "兴隆小区"}

// Problem is a cell of a broken community workbook with what is wrong,
// and the text that corrects it.
type Problem struct {
	Sheet, Cell, Code, Fix string
}

// Workbook says what a community workbook holds.
type Workbook struct {
	// Households is how many households the file holds (1 to 5,000).
	Households int
	// Grids is how many grids of the community the buildings are spread
	// over (grid numbers 1…Grids; at least 1).
	Grids int
	// Broken puts a problem in three households (see Problems); without
	// it the file is the same with those cells corrected.
	Broken bool
	// Seed varies the names and numbers (0 is a seed too).
	Seed uint64
	// Compounds name the compounds, a sheet each (Compounds by default).
	Compounds []string
}

// Written is what a community workbook holds.
type Written struct {
	Households, Persons int
	// Problems are the cells a broken file has wrong, one per problem.
	Problems []Problem
}

// person is one row of the workbook.
type person struct {
	name, relation, id, gender, birth, ethnicity, phone, residence string
	// idCell is the ID number cell's value when it is not the text of id.
	idCell any
}

// Write writes the workbook of w to path: a sheet per compound, each with
// a title merged across, a blank row and the header (户号, 姓名, 与户主关系,
// 身份证号, 性别, 出生日期, 民族, 本人手机, 户口类别, 网格, 小区, 楼栋, 单元, 房号).
// 本人手机 and 户口类别 are not recognised (see Mapping). Each household
// is one to four persons in a room of its own, each building in one grid;
// some ID numbers are typed in full-width digits and some dates are Excel
// serials, as clerks leave them.
func (w Workbook) Write(path string) (*Written, error) {
	if w.Households < 1 || w.Households > 5000 {
		return nil, fmt.Errorf("importtest: %d households: give 1 to 5,000", w.Households)
	}
	w.Grids = max(w.Grids, 1)
	compounds := w.Compounds
	if len(compounds) == 0 {
		compounds = Compounds
	}
	f := excelize.NewFile()
	defer f.Close()
	g := newGen(w.Seed)
	out := &Written{}
	header := []any{"户号", "姓名", "与户主关系", "身份证号", "性别", "出生日期", "民族", "本人手机", "户口类别", "网格", "小区", "楼栋", "单元", "房号"}
	rows := map[string]int{}
	for i, c := range compounds {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", c); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(c); err != nil {
			return nil, err
		}
		if err := f.SetSheetRow(c, "A1", &[]any{"东兴社区" + c + "住户登记表"}); err != nil {
			return nil, err
		}
		if err := f.MergeCell(c, "A1", "N1"); err != nil {
			return nil, err
		}
		if err := f.SetSheetRow(c, "A3", &header); err != nil {
			return nil, err
		}
		rows[c] = 3
	}
	broken := map[int]string{w.Households / 4: "id_check_digit", w.Households / 2: "id_digits_lost", 3 * w.Households / 4: "birth_date_mismatch"}
	for n := range w.Households {
		c, b := n%len(compounds), (n/len(compounds))%4
		sheet := compounds[c]
		grid := (c*4+b)%w.Grids + 1
		k := n / (len(compounds) * 4) // the household's place in its building
		unit, room := 1+k%3, fmt.Sprintf("%d%02d", 1+(k/3)%6, 1+k/18)
		members := g.household(n)
		problem := broken[n]
		for k, p := range members {
			rows[sheet]++
			r := rows[sheet]
			id, birth := any(p.id), any(p.birth)
			switch {
			case p.idCell != nil:
				id = p.idCell
			case n%5 == 1 && p.id != "":
				id = fullWidth(p.id)
			}
			if n%7 == 3 && p.birth != "" {
				birth = serial(p.birth)
			}
			if w.Broken && k == 0 && problem != "" {
				id, birth = g.breakRow(problem, p)
				col := map[string]string{"id_check_digit": "D", "id_digits_lost": "D", "birth_date_mismatch": "F"}[problem]
				fix := map[string]string{"D": p.id, "F": p.birth}[col]
				out.Problems = append(out.Problems, Problem{Sheet: sheet, Cell: fmt.Sprintf("%s%d", col, r), Code: problem, Fix: fix})
			}
			row := []any{n + 1, p.name, p.relation, id, p.gender, birth, p.ethnicity, p.phone, p.residence, nil, nil, nil, nil, nil}
			if k == 0 {
				row[9], row[10], row[11], row[12], row[13] = grid, sheet, fmt.Sprintf("%d号楼", b+1), unit, room
			}
			if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", r), &row); err != nil {
				return nil, err
			}
			out.Persons++
		}
		out.Households++
	}
	if err := f.SaveAs(path); err != nil {
		return nil, err
	}
	return out, nil
}

// gen makes the people of a workbook, each ID number once.
type gen struct {
	rnd  *rand.Rand
	seen map[string]bool
	seq  int
}

func newGen(seed uint64) *gen {
	return &gen{rnd: rand.New(rand.NewPCG(seed, 12)), seen: map[string]bool{}}
}

var (
	surnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高"}
	given    = []string{"建国", "秀英", "桂兰", "志强", "丽华", "海军", "玉梅", "德福", "晓燕", "国庆", "春花", "文博", "子涵", "浩然", "欣怡", "明", "静", "磊", "洁", "军"}
	ethnic   = []string{"汉族", "汉", "回族", "藏族", "土族", "撒拉族", "蒙古族"}
)

// household returns the members of household n: the householder, a
// spouse in most, and children, the youngest without an ID number.
func (g *gen) household(n int) []person {
	surname := surnames[g.rnd.IntN(len(surnames))]
	year := 1940 + g.rnd.IntN(50)
	out := []person{g.person(surname, "户主", year, n%2 == 0, true)}
	if n%6 != 5 {
		spouse := surnames[g.rnd.IntN(len(surnames))]
		out = append(out, g.person(spouse, "配偶", year+g.rnd.IntN(5), n%2 != 0, true))
	}
	for k := range n % 3 {
		rel := map[bool]string{true: "子", false: "女"}[k == 0]
		out = append(out, g.person(surname, rel, min(year+25+k*3, 2022), k == 0, k == 0))
	}
	return out
}

// person makes one person born in year; with id false they have only a
// birth date.
func (g *gen) person(surname, relation string, year int, male, id bool) person {
	birth := fmt.Sprintf("%d-%02d-%02d", year, 1+g.rnd.IntN(12), 1+g.rnd.IntN(28))
	p := person{name: surname + given[g.rnd.IntN(len(given))], relation: relation, birth: birth,
		gender: map[bool]string{true: "男", false: "女"}[male], ethnicity: ethnic[g.rnd.IntN(len(ethnic))],
		residence: map[bool]string{true: "户籍", false: "流动"}[g.rnd.IntN(4) > 0]}
	if id {
		p.id = g.idNumber(strings.ReplaceAll(birth, "-", ""), male)
		if relation == "户主" {
			p.phone = fmt.Sprintf("139%08d", 10000000+g.seq*7919%90000000)
		}
	}
	return p
}

// idNumber returns a new valid ID number of region 630102 for a birth
// date "YYYYMMDD", whose first 15 digits with 000 after them fail the
// check digit (so the number, cut by Excel, is found cut).
func (g *gen) idNumber(birth string, male bool) string {
	for {
		g.seq++
		seq := g.seq % 1000
		if (seq%2 == 1) != male {
			continue
		}
		first := fmt.Sprintf("630102%s%03d", birth, seq)
		id := first + string(household.IDCheckChar(first))
		if g.seen[id] || household.IDCheckChar(id[:15]+"00") == '0' {
			continue
		}
		g.seen[id] = true
		return id
	}
}

// breakRow returns the ID number and birth date cells of p with the
// problem code in them.
func (g *gen) breakRow(code string, p person) (id, birth any) {
	switch code {
	case "id_check_digit":
		c := household.IDCheckChar(p.id[:17])
		wrong := byte('1')
		if c == '1' {
			wrong = '2'
		}
		return p.id[:17] + string(wrong), p.birth
	case "id_digits_lost":
		var v float64
		fmt.Sscanf(p.id[:15]+"000", "%f", &v)
		return v, p.birth
	}
	return p.id, fmt.Sprintf("%s-%s", p.birth[:4], map[bool]string{true: "12-30", false: "01-02"}[p.birth[5:] == "01-02"])
}

// fullWidth writes the digits of s full-width, as a Chinese input method
// types them.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r - '0' + '０'
		}
		return r
	}, s)
}

// serial is the Excel date serial of a date "YYYY-MM-DD" (days since
// 1899-12-30).
func serial(date string) float64 {
	var y, m, d int
	fmt.Sscanf(date, "%d-%d-%d", &y, &m, &d)
	return float64(days(y, m, d) - days(1899, 12, 30))
}

// days counts the days from a fixed origin to a date (proleptic
// Gregorian).
func days(y, m, d int) int {
	if m < 3 {
		y, m = y-1, m+12
	}
	return 365*y + y/4 - y/100 + y/400 + (153*(m-3)+2)/5 + d
}
