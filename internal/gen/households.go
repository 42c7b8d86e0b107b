package gen

import (
	"slices"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

// households fills the slots with households: keys key persons and special
// special-difficulty households, the rest ordinary homes and shops.
func (g *generator) households(c *community, slots []slot, keys, special int) {
	r := g.r
	// Key households first, so their number of key persons comes out exact.
	type keyed struct {
		f        *family
		compound int  // preferred compound index, -1 for any
		fresh    bool // found by this year's visits and just put on (near-)dibao
	}
	var ks []keyed
	remaining, freshDibao, freshNear := keys, 0, 0
	make1 := func(pr profile, size, compound int) bool {
		f := g.newFamily(false)
		f.keyed(pr, size)
		for i := range f.members {
			deriveTags(&f.members[i])
		}
		n := keyCount(f.members)
		if n == 0 || n > remaining {
			return false
		}
		fresh := (pr == dibao && freshDibao < 4) || (pr == nearDibao && freshNear < 1)
		if fresh && pr == dibao {
			freshDibao++
		} else if fresh {
			freshNear++
		}
		ks = append(ks, keyed{f, compound, fresh})
		remaining -= n
		return true
	}
	if c.index == 0 {
		// The article: 4 households / 8 people newly on dibao, 1 household /
		// 2 people near-dibao, and the living-alone 李奶奶, 乔大爷, 刘奶奶.
		for range 4 {
			make1(dibao, 2, -1)
		}
		make1(nearDibao, 2, -1)
		for _, x := range []struct {
			name     string
			compound int
			male     bool
		}{{"李秀英", 1, false}, {"乔德明", 0, true}, {"刘桂兰", 0, false}} {
			f := g.newFamily(false)
			i := f.add("householder", 78+r.IntN(10), x.male)
			f.members[i].Name, f.members[i].Ethnicity = x.name, "汉族"
			f.members[i].Tags = append(f.members[i].Tags, "living_alone_elderly")
			if x.name == "刘桂兰" {
				f.members[i].HealthNotes = "高血压，曾血压骤高送医"
			}
			if remaining > 0 {
				ks = append(ks, keyed{f, x.compound, false})
				remaining--
			}
		}
	}
	for remaining > 0 {
		pr := pick(r, profileWeights)
		compound := -1
		if pr == livingAlone && chance(r, 0.6) {
			compound = 0 // the old compound has the most elderly living alone
		}
		if !make1(pr, 0, compound) {
			make1(livingAlone, 0, compound)
		}
	}

	// Place the key households on residential slots.
	owner := make([]int, len(slots)) // index+1 into ks
	perm := r.Perm(len(slots))
	for i, k := range ks {
		// In the preferred compound if it has room, else anywhere.
		for _, anywhere := range []bool{false, true} {
			j := slices.IndexFunc(perm, func(s int) bool {
				return owner[s] == 0 && !slots[s].shop && (anywhere || k.compound < 0 || slots[s].compoundIdx == k.compound)
			})
			if j >= 0 {
				owner[perm[j]] = i + 1
				break
			}
		}
	}

	for i, s := range slots {
		h := &household.Household{ID: next(&g.ids.household), GridID: s.grid, CompoundID: s.compound, BuildingID: s.building,
			Unit: s.unit, Floor: s.floor, Room: s.room, Address: s.address, Kind: household.Residential, Occupancy: "owner",
			ContactTimes: []string{}, Tags: []string{}, Version: 1}
		h.CreatedAt = g.now.AddDate(0, 0, -330-r.IntN(30)).Add(time.Duration(r.IntN(8*3600)) * time.Second)
		h.UpdatedAt = h.CreatedAt
		var f *family
		switch {
		case owner[i] > 0:
			f = ks[owner[i]-1].f
			if ks[owner[i]-1].fresh {
				c.fresh = append(c.fresh, h.ID)
			}
		case s.shop:
			f = g.shop(h)
		default:
			switch x := r.IntN(100); {
			case x < 5:
				h.Occupancy = "vacant"
			case x < 20:
				h.Occupancy = "rented"
				f = g.newFamily(chance(r, 0.6))
				f.ordinary()
			default:
				f = g.newFamily(false)
				f.ordinary()
			}
		}
		if f != nil {
			if owner[i] == 0 {
				f.otherTags()
			}
			g.extras(f, h)
			h.Members = f.members
		}
		g.contact(h, f)
		c.households = append(c.households, h)
	}

	// Special-difficulty households: the neediest key households first.
	var cand []*household.Household
	for i := range slots {
		if owner[i] > 0 {
			cand = append(cand, c.households[i])
		}
	}
	r.Shuffle(len(cand), func(i, j int) { cand[i], cand[j] = cand[j], cand[i] })
	slices.SortStableFunc(cand, func(a, b *household.Household) int { return specialPriority(a) - specialPriority(b) })
	for _, h := range cand[:min(special, len(cand))] {
		h.Tags = append(h.Tags, household.SpecialDifficulty)
		c.special++
	}

	for _, h := range c.households {
		g.finish(c, h)
	}
}

// shop makes h a shop (or a shop with a home behind it) and returns its people.
func (g *generator) shop(h *household.Household) *family {
	r := g.r
	bt := pick(r, businessTypes)
	h.BusinessType = bt
	h.ShopName = one(r, communityWords) + shopSuffix[bt]
	h.Kind = household.Commercial
	h.Occupancy = "rented"
	if bt == "餐饮" {
		h.Tags = append(h.Tags, "fire_safety_focus")
	}
	f := g.newFamily(chance(r, 0.4))
	if chance(r, 0.2) {
		h.Kind = household.Mixed
		f.ordinary()
		return f
	}
	f.add("householder", 25+r.IntN(30), chance(r, 0.6))
	if chance(r, 0.4) {
		f.add("spouse", 25+r.IntN(30), f.members[0].Gender == household.Female)
	}
	return f
}

// extras adds what happened to some families: a spouse of an elderly person
// living alone who died this year, renters who moved in this year.
func (g *generator) extras(f *family, h *household.Household) {
	r := g.r
	ms := f.members
	if len(ms) == 1 && slices.Contains(ms[0].Tags, "living_alone_elderly") && chance(r, 0.25) {
		age := calendar.AgeOn(ms[0].BirthDate, g.today)
		i := f.add("spouse", age+r.IntN(4), ms[0].Gender == household.Female)
		f.members[i].Employment = "retired"
		f.members[i].DeceasedOn = calendar.DateOf(g.now.AddDate(0, 0, -20-r.IntN(300)))
	}
	if h.Occupancy == "rented" && chance(r, 0.15) {
		day := calendar.DateOf(g.now.AddDate(0, 0, -10-r.IntN(320)))
		for i := range f.members {
			if f.members[i].BirthDate.Before(day) {
				f.members[i].MovedInOn = day
			}
		}
	}
	for i := range f.members {
		deriveTags(&f.members[i])
	}
}

// contact fills a household's phone, contact times and language.
func (g *generator) contact(h *household.Household, f *family) {
	r := g.r
	if f == nil || len(f.members) == 0 {
		if chance(r, 0.5) {
			h.Phone = mobile(r)
		}
		h.Notes = "空置房，业主不在本地居住"
		return
	}
	h.Phone = f.members[0].Phone
	if h.Phone == "" {
		h.Phone = mobile(r)
	}
	working := f.members[0].Employment == "employed" || f.members[0].Employment == "flexible"
	switch x := r.IntN(100); {
	case x < 6 && working:
		h.ContactTimes, h.ContactNote = []string{"evening", "weekend"}, "在州县上班，周末回家"
	case x < 9 && working:
		h.ContactTimes, h.ContactNote = []string{"evening"}, "夜间工作，白天休息"
	case x < 20:
		h.ContactTimes = []string{"daytime"}
	}
	if f.ethnicity == "藏族" && chance(r, 0.6) {
		h.Language = "bo"
	}
}

// finish assigns the members' ids and computes what the household store
// derives: householder, member count, colour and reasons.
func (g *generator) finish(c *community, h *household.Household) {
	// The store lists current members first, the householder leading, then
	// by id; ids are given in that order so Evaluate sees the same order.
	slices.SortStableFunc(h.Members, func(a, b household.Person) int {
		return rank(&a) - rank(&b)
	})
	count := 0
	for i := range h.Members {
		p := &h.Members[i]
		p.ID, p.HouseholdID, p.Version = next(&g.ids.person), h.ID, 1
		if p.Current() {
			count++
			if h.Householder == "" || p.Relation == "householder" {
				h.Householder = p.Name
			}
			if isKey(p) {
				c.keyPersons++
			}
		}
	}
	h.MemberCount = count
	c.persons += len(h.Members)
	h.Colour, h.ColourReasons = household.Evaluate(household.DefaultRules, h.Tags, h.Members, g.today)
}

// rank orders members as the store lists them.
func rank(p *household.Person) int {
	n := 0
	if !p.Current() {
		n += 2
	}
	if p.Relation != "householder" {
		n++
	}
	return n
}
