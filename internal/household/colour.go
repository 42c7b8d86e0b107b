package household

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// Rule gives a household a colour when its condition holds. Rules are
// configurable (stored as JSON in the settings table); DefaultRules holds the
// defaults.
type Rule struct {
	Colour Colour `json:"colour"`
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
	When   Cond   `json:"when"`
}

// Cond is a condition on a household and its current members. All the set
// parts must hold.
type Cond struct {
	AnyMember    *Match `json:"any_member,omitempty"`
	AllMembers   *Match `json:"all_members,omitempty"`
	Members      int    `json:"members,omitempty"` // exactly this many current members
	HouseholdTag string `json:"household_tag,omitempty"`
	AllOf        []Cond `json:"all_of,omitempty"`
	AnyOf        []Cond `json:"any_of,omitempty"`
}

// Match is a condition on one person. All the set parts must hold.
type Match struct {
	Tag        string `json:"tag,omitempty"`
	MinAge     *int   `json:"min_age,omitempty"`
	MaxAge     *int   `json:"max_age,omitempty"`
	Disabled   bool   `json:"disabled,omitempty"`
	MaxGrade   int    `json:"max_disability_grade,omitempty"` // 1–4; grade 1 is the most severe
	Dibao      string `json:"dibao,omitempty"`
	Employment string `json:"employment,omitempty"`
}

// Reason is one reason for a household's colour: the rule that matched and
// the member it matched on, if any.
type Reason struct {
	Code     string `json:"code"`
	Colour   Colour `json:"colour"`
	NameZH   string `json:"name_zh"`
	NameEN   string `json:"name_en"`
	PersonID int64  `json:"person_id,omitempty"`
	Person   string `json:"person,omitempty"`
	Note     string `json:"note,omitempty"`
}

func intp(n int) *int { return &n }

// DefaultRules are the colour rules of R4: red for living-alone elderly,
// severe disability, serious illness and dibao households with a minor or an
// elderly member; yellow for an unemployed member, near-dibao, an elderly
// couple both 80 or older and other disability; green for the rest.
var DefaultRules = []Rule{
	{Red, "living_alone_elderly", "独居老人", "Elderly person living alone", Cond{AnyMember: &Match{Tag: "living_alone_elderly"}}},
	{Red, "severe_disability", "重度残疾（一、二级）", "Severe disability (grade 1–2)", Cond{AnyMember: &Match{Disabled: true, MaxGrade: 2}}},
	{Red, "serious_illness", "重病患者", "Serious illness", Cond{AnyMember: &Match{Tag: "serious_illness"}}},
	{Red, "dibao_dependant", "低保户且有未成年人或老人", "Dibao household with a minor or an elderly member", Cond{AllOf: []Cond{
		{AnyMember: &Match{Dibao: "dibao"}},
		{AnyOf: []Cond{{AnyMember: &Match{MaxAge: intp(17)}}, {AnyMember: &Match{MinAge: intp(60)}}}},
	}}},
	{Yellow, "unemployed", "有失业人员", "Unemployed member", Cond{AnyMember: &Match{Employment: "unemployed"}}},
	{Yellow, "near_dibao", "低保边缘户", "Near-dibao household", Cond{AnyMember: &Match{Dibao: "near_dibao"}}},
	{Yellow, "elderly_couple_80", "80岁以上老年夫妇", "Elderly couple, both 80 or older", Cond{Members: 2, AllMembers: &Match{MinAge: intp(80)}}},
	{Yellow, "other_disability", "有残疾人", "Member with a disability", Cond{AnyMember: &Match{Disabled: true}}},
}

// ValidateRules checks rules loaded from configuration.
func ValidateRules(rules []Rule) error {
	seen := map[string]bool{}
	for i, r := range rules {
		if r.Colour != Red && r.Colour != Yellow {
			return fmt.Errorf("rule %d (%s): colour must be red or yellow; green is what is left", i+1, r.Code)
		}
		if r.Code == "" || seen[r.Code] {
			return fmt.Errorf("rule %d: code %q is empty or repeated", i+1, r.Code)
		}
		seen[r.Code] = true
		if r.When.empty() {
			return fmt.Errorf("rule %d (%s): no condition", i+1, r.Code)
		}
	}
	return nil
}

func (c Cond) empty() bool {
	return c.AnyMember == nil && c.AllMembers == nil && c.Members == 0 && c.HouseholdTag == "" && len(c.AllOf) == 0 && len(c.AnyOf) == 0
}

// Evaluate returns the colour of a household with the given tags and
// members on day today, and every reason of that colour. Members who moved
// out or died are ignored. A manual override wins over the rules.
func Evaluate(rules []Rule, householdTags []string, members []Person, today calendar.Date) (Colour, []Reason) {
	var current []Person
	for _, p := range members {
		if p.Current() {
			current = append(current, p)
		}
	}
	for _, colour := range []Colour{Red, Yellow} {
		var reasons []Reason
		for _, r := range rules {
			if r.Colour != colour {
				continue
			}
			if ok, who := r.When.holds(householdTags, current, today); ok {
				rs := Reason{Code: r.Code, Colour: r.Colour, NameZH: r.NameZH, NameEN: r.NameEN}
				if who != nil {
					rs.PersonID, rs.Person = who.ID, who.Name
				}
				reasons = append(reasons, rs)
			}
		}
		if len(reasons) > 0 {
			return colour, reasons
		}
	}
	return Green, []Reason{{Code: "ordinary", Colour: Green, NameZH: "普通家庭", NameEN: "Ordinary household"}}
}

// holds reports whether c holds and, when a single member made it hold, who.
func (c Cond) holds(htags []string, members []Person, today calendar.Date) (bool, *Person) {
	var who *Person
	if c.HouseholdTag != "" && !slices.Contains(htags, c.HouseholdTag) {
		return false, nil
	}
	if c.Members != 0 && len(members) != c.Members {
		return false, nil
	}
	if c.AnyMember != nil {
		found := false
		for i := range members {
			if c.AnyMember.matches(&members[i], today) {
				found, who = true, &members[i]
				break
			}
		}
		if !found {
			return false, nil
		}
	}
	if c.AllMembers != nil {
		if len(members) == 0 {
			return false, nil
		}
		for i := range members {
			if !c.AllMembers.matches(&members[i], today) {
				return false, nil
			}
		}
	}
	for _, sub := range c.AllOf {
		ok, w := sub.holds(htags, members, today)
		if !ok {
			return false, nil
		}
		if who == nil {
			who = w
		}
	}
	if len(c.AnyOf) > 0 {
		any := false
		for _, sub := range c.AnyOf {
			if ok, w := sub.holds(htags, members, today); ok {
				any = true
				if who == nil {
					who = w
				}
				break
			}
		}
		if !any {
			return false, nil
		}
	}
	return true, who
}

func (m *Match) matches(p *Person, today calendar.Date) bool {
	age := calendar.AgeOn(p.BirthDate, today)
	switch {
	case m.Tag != "" && !slices.Contains(p.Tags, m.Tag),
		m.MinAge != nil && age < *m.MinAge,
		m.MaxAge != nil && age > *m.MaxAge,
		m.Disabled && p.DisabilityGrade == 0,
		m.MaxGrade != 0 && (p.DisabilityGrade == 0 || p.DisabilityGrade > m.MaxGrade),
		m.Dibao != "" && p.Dibao != m.Dibao,
		m.Employment != "" && p.Employment != m.Employment:
		return false
	}
	return true
}

// EncodeReasons is the stored form of a colour's reasons (households.colour_reasons).
func EncodeReasons(rs []Reason) string {
	b, _ := json.Marshal(rs)
	return string(b)
}

// decodeReasons reads the stored form of a colour's reasons as
// encoding/json reads it ("" is none). What EncodeReasons writes is read
// by plainReasons, without encoding/json (issue 15: it was 1% of a
// household JSON's CPU); anything else is left to encoding/json.
func decodeReasons(s string) []Reason {
	if s == "" {
		return nil
	}
	if rs, ok := plainReasons(s); ok {
		return rs
	}
	var rs []Reason
	json.Unmarshal([]byte(s), &rs)
	return rs
}

// plainReasons reads s as encoding/json reads it into []Reason, when s
// is plain: an array of objects whose keys are Reason's JSON names as
// written, their values strings or (person_id) integers, valid UTF-8
// with no control character. Otherwise it returns false.
func plainReasons(s string) ([]Reason, bool) {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) {
		return nil, false
	}
	p := store.NewJSONParser(s)
	if p.Want('[') != nil {
		return nil, false
	}
	rs := []Reason{}
	if p.Peek() == ']' {
		p.Skip()
		return rs, p.End() == nil
	}
	for {
		r, ok := plainReason(p)
		if !ok {
			return nil, false
		}
		rs = append(rs, r)
		if p.Peek() == ',' {
			p.Skip()
			continue
		}
		if p.Want(']') != nil || p.End() != nil {
			return nil, false
		}
		return rs, true
	}
}

// plainReason reads one object of plainReasons.
func plainReason(p *store.JSONParser) (Reason, bool) {
	var r Reason
	if p.Want('{') != nil {
		return r, false
	}
	if p.Peek() == '}' {
		p.Skip()
		return r, true
	}
	for {
		if p.Peek() != '"' {
			return r, false
		}
		k, err := p.Value()
		if err != nil || p.Want(':') != nil {
			return r, false
		}
		str := p.Peek() == '"'
		v, err := p.Value()
		if err != nil || v.Null {
			return r, false
		}
		switch {
		case str && k.S == "code":
			r.Code = v.S
		case str && k.S == "colour":
			r.Colour = Colour(v.S)
		case str && k.S == "name_zh":
			r.NameZH = v.S
		case str && k.S == "name_en":
			r.NameEN = v.S
		case str && k.S == "person":
			r.Person = v.S
		case str && k.S == "note":
			r.Note = v.S
		case !str && k.S == "person_id" && plainInt(v.S):
			if r.PersonID, err = strconv.ParseInt(v.S, 10, 64); err != nil {
				return r, false
			}
		default:
			return r, false
		}
		if p.Peek() == ',' {
			p.Skip()
			continue
		}
		return r, p.Want('}') == nil
	}
}

// plainInt reports whether s is a JSON integer: -?(0|[1-9][0-9]*).
func plainInt(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || s[0] == '0' && len(s) > 1 {
		return false
	}
	return strings.Trim(s, "0123456789") == ""
}
