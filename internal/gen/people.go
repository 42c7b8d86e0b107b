package gen

import (
	"fmt"
	"math/rand/v2"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

// family builds the members of one household: one surname line, one ethnic
// group (mostly), all registered here or all floating.
type family struct {
	g         *generator
	surname   string
	ethnicity string
	floating  bool
	members   []household.Person
}

func (g *generator) newFamily(floating bool) *family {
	eth := pick(g.r, ethnicities)
	return &family{g: g, ethnicity: eth, surname: familySurname(g.r, eth), floating: floating}
}

// add appends a member and returns its index.
func (f *family) add(relation string, age int, male bool) int {
	r := f.g.r
	surname := f.surname
	if relation == "spouse" || relation == "child_in_law" {
		surname = familySurname(r, f.ethnicity)
	}
	if relation == "parent" && !male {
		surname = familySurname(r, f.ethnicity)
	}
	p := household.Person{
		Name:      personName(r, surname, male, f.ethnicity),
		Gender:    household.Female,
		BirthDate: birthFor(r, f.g.today, max(age, 0)),
		Ethnicity: f.ethnicity,
		Residence: "registered",
		Relation:  relation,
		Dibao:     "none",
		Tags:      []string{},
	}
	if male {
		p.Gender = household.Male
	}
	switch {
	case f.floating:
		p.Residence = "floating"
	case chance(r, 0.08):
		p.Residence = "resident"
	}
	if age >= 1 || chance(r, 0.5) { // some babies have no ID number yet
		p.IDNumber = f.g.idnums.next(idRegion(r, f.floating), p.BirthDate, male)
	}
	if age >= 16 {
		p.Phone = mobile(r)
	}
	p.Employment, p.School = occupation(r, age, male)
	f.members = append(f.members, p)
	return len(f.members) - 1
}

// foreigner adds a foreign resident: no ID number, birth date only.
func (f *family) foreigner(relation string, age int, male bool) int {
	i := f.add(relation, age, male)
	p := &f.members[i]
	p.Name, p.IDNumber, p.Ethnicity, p.Residence = one(f.g.r, foreignNames), "", "", "foreign"
	return i
}

// occupation gives the employment and school that fit an age. Nobody is
// unemployed here: unemployment makes a key person and is given by profiles.
func occupation(r *rand.Rand, age int, male bool) (employment, school string) {
	retire := 60
	if !male {
		retire = 55
	}
	switch {
	case age < 3:
		return "preschool", ""
	case age < 6:
		return "preschool", "kindergarten"
	case age < 12:
		return "student", "primary"
	case age < 15:
		return "student", "junior_middle"
	case age < 18:
		if chance(r, 0.25) {
			return "student", "vocational"
		}
		return "student", "senior_high"
	case age < 23 && chance(r, 0.55):
		return "student", "university"
	case age >= retire:
		return "retired", ""
	}
	return pick(r, []weighted[string]{{"employed", 70}, {"flexible", 20}, {"not_working", 10}}), ""
}

// mobile returns a plausible 11-digit mobile number.
func mobile(r *rand.Rand) string {
	prefix := one(r, []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157", "158", "159", "180", "181", "182", "186", "187", "188", "189"})
	return fmt.Sprintf("%s%08d", prefix, r.IntN(100000000))
}

// ordinary fills an ordinary household: no key person, whatever its shape.
func (f *family) ordinary() {
	r := f.g.r
	male := chance(r, 0.7)
	switch pick(r, []weighted[int]{{0, 14}, {1, 13}, {2, 32}, {3, 10}, {4, 15}, {5, 9}, {6, 4}, {7, 3}}) {
	case 0: // young single
		f.add("householder", 22+r.IntN(19), male)
	case 1: // couple
		a := 25 + r.IntN(21)
		f.couple(a, male)
	case 2: // couple with children
		a := 28 + r.IntN(23)
		f.couple(a, male)
		f.children(a, 1+r.IntN(10)/7)
	case 3: // three generations
		a := 35 + r.IntN(21)
		f.couple(a, male)
		f.children(a, 1)
		f.add("parent", min(a+24+r.IntN(8), 95), chance(r, 0.4))
	case 4: // elderly couple
		a := 60 + r.IntN(26)
		f.couple(a, true)
	case 5: // older couple with an adult child
		a := 55 + r.IntN(21)
		f.couple(a, male)
		f.add("child", max(a-24-r.IntN(8), 18), chance(r, 0.5))
	case 6: // single parent
		a := 28 + r.IntN(20)
		f.add("householder", a, chance(r, 0.3))
		f.children(a, 1)
	case 7: // grandparents raising a grandchild with the parents at home
		a := 55 + r.IntN(15)
		f.couple(a, true)
		f.add("child", a-25-r.IntN(5), chance(r, 0.5))
		f.add("grandchild", r.IntN(8), chance(r, 0.5))
	}
	if chance(r, 0.004) {
		f.foreigner("spouse", 25+r.IntN(20), chance(r, 0.5))
	}
}

// couple adds a householder aged a and a spouse of the other gender.
func (f *family) couple(a int, male bool) {
	f.add("householder", a, male)
	f.add("spouse", max(a-3+f.g.r.IntN(7), 20), !male)
}

// children adds n children of parents aged a.
func (f *family) children(a, n int) {
	r := f.g.r
	for range n {
		age := a - 22 - r.IntN(12)
		if age < 0 {
			age = r.IntN(3)
		}
		f.add("child", age, chance(r, 0.52))
	}
}

// otherTags marks some adults as veterans or party members (not key tags).
func (f *family) otherTags() {
	r := f.g.r
	for i := range f.members {
		p := &f.members[i]
		age := calendar.AgeOn(p.BirthDate, f.g.today)
		if age >= 30 && p.Gender == household.Male && chance(r, 0.04) {
			p.Tags = append(p.Tags, "veteran")
		}
		if age >= 22 && chance(r, 0.07) {
			p.Tags = append(p.Tags, "party_member")
		}
	}
}

// birthFor returns a birth date for someone aged age on today.
func birthFor(r *rand.Rand, today calendar.Date, age int) calendar.Date {
	d := calendar.DateOf(today.AddYears(-age).Time().AddDate(0, 0, -r.IntN(365)))
	if calendar.AgeOn(d, today) != age { // 29 February and its neighbours
		d = calendar.DateOf(today.AddYears(-age).Time().AddDate(0, 0, -1))
	}
	return d
}
