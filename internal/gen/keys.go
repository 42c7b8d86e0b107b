package gen

import (
	"slices"

	"wanhu/internal/household"
)

// profile is the kind of key household (重点户) a household is made as.
type profile int

const (
	ordinary profile = iota
	livingAlone
	emptyNest
	disabled
	dibao
	nearDibao
	unemployed
	illness
	leftBehind
)

// profileWeights is the mix of key households, by count.
var profileWeights = []weighted[profile]{
	{livingAlone, 45}, {emptyNest, 15}, {disabled, 40}, {dibao, 16}, {nearDibao, 8},
	{unemployed, 35}, {illness, 25}, {leftBehind, 15},
}

// keyTags are the tags that make a key person (tags.key_person).
var keyTags = []string{"living_alone_elderly", "empty_nest_elderly", "disabled", "dibao", "near_dibao", "unemployed", "serious_illness", "left_behind_child"}

// isKey reports whether p is a current key person.
func isKey(p *household.Person) bool {
	if !p.Current() {
		return false
	}
	for _, t := range p.Tags {
		if slices.Contains(keyTags, t) {
			return true
		}
	}
	return false
}

// keyCount counts the key persons among ms.
func keyCount(ms []household.Person) int {
	n := 0
	for i := range ms {
		if isKey(&ms[i]) {
			n++
		}
	}
	return n
}

// illnesses are health notes of seriously ill people.
var illnesses = []string{"尿毒症，每周透析三次", "肺癌术后化疗中", "脑梗后遗症，半身不遂", "白血病", "肝硬化", "重度心衰", "乳腺癌术后"}

// chronic are health notes of ordinary elderly people.
var chronic = []string{"高血压", "糖尿病", "冠心病", "慢阻肺", "关节炎", "高血压，血压不稳"}

// keyed fills a household of the given profile. size, when not zero, asks
// for that many members (used for the article's dibao households).
func (f *family) keyed(pr profile, size int) {
	r := f.g.r
	switch pr {
	case livingAlone:
		i := f.add("householder", 68+r.IntN(25), chance(r, 0.35))
		f.members[i].Tags = append(f.members[i].Tags, "living_alone_elderly")
		if chance(r, 0.5) {
			f.members[i].HealthNotes = one(r, chronic)
		}
	case emptyNest:
		f.couple(62+r.IntN(20), true)
		for i := range f.members {
			f.members[i].Tags = append(f.members[i].Tags, "empty_nest_elderly")
		}
	case disabled:
		f.ordinary()
		i := r.IntN(len(f.members))
		f.disable(i)
	case dibao, nearDibao:
		if size == 0 {
			size = 2 + r.IntN(3)
		}
		a := 30 + r.IntN(25)
		if size == 2 && chance(r, 0.3) {
			f.couple(60+r.IntN(20), true) // an old couple
		} else {
			f.add("householder", a, chance(r, 0.4))
			if size >= 3 {
				f.add("spouse", a-2+r.IntN(5), f.members[0].Gender == household.Female)
			}
			for len(f.members) < size {
				f.add("child", max(a-24-r.IntN(10), r.IntN(4)), chance(r, 0.5))
			}
			if chance(r, 0.5) {
				f.disable(0)
			}
		}
		status := "dibao"
		if pr == nearDibao {
			status = "near_dibao"
		}
		for i := range f.members {
			f.members[i].Dibao = status
		}
	case unemployed:
		a := 30 + r.IntN(24)
		f.couple(a, chance(r, 0.7))
		if chance(r, 0.6) {
			f.children(a, 1)
		}
		f.members[r.IntN(2)].Employment = "unemployed"
	case illness:
		f.ordinary()
		i := r.IntN(len(f.members))
		f.members[i].Tags = append(f.members[i].Tags, "serious_illness")
		f.members[i].HealthNotes = one(r, illnesses)
	case leftBehind:
		a := 58 + r.IntN(14)
		f.couple(a, true)
		i := f.add("grandchild", 6+r.IntN(9), chance(r, 0.5))
		f.members[i].Tags = append(f.members[i].Tags, "left_behind_child")
	}
}

// disable gives member i a disability.
func (f *family) disable(i int) {
	r := f.g.r
	p := &f.members[i]
	p.DisabilityType = pick(r, []weighted[string]{{"physical", 40}, {"visual", 15}, {"hearing", 15}, {"intellectual", 12}, {"mental", 10}, {"speech", 3}, {"multiple", 5}})
	p.DisabilityGrade = pick(r, []weighted[int]{{1, 15}, {2, 25}, {3, 30}, {4, 30}})
}

// deriveTags adds the tags that follow a person's fields, as the household
// store does (disabled, dibao, near_dibao, unemployed).
func deriveTags(p *household.Person) {
	add := func(t string, on bool) {
		if on && !slices.Contains(p.Tags, t) {
			p.Tags = append(p.Tags, t)
		}
	}
	add("disabled", p.DisabilityGrade > 0)
	add("dibao", p.Dibao == "dibao")
	add("near_dibao", p.Dibao == "near_dibao")
	add("unemployed", p.Employment == "unemployed")
}

// specialPriority ranks key households for the special-difficulty list:
// dibao, severe disability, serious illness and living-alone elderly first.
func specialPriority(h *household.Household) int {
	for _, p := range h.Members {
		switch {
		case !p.Current():
		case p.Dibao == "dibao", p.DisabilityGrade > 0 && p.DisabilityGrade <= 2,
			slices.Contains(p.Tags, "serious_illness"), slices.Contains(p.Tags, "living_alone_elderly"):
			return 0
		}
	}
	return 1
}
