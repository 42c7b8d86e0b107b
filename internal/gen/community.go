package gen

import (
	"time"

	"wanhu/internal/household"
	"wanhu/internal/org"
)

// community is everything generated for one community, written in one
// transaction.
type community struct {
	index       int
	communityID int64
	name        string
	grids       []int64
	units       []unitRow
	compounds   []compoundRow
	buildings   []buildingRow
	team        []org.TeamMember
	gridWorker  map[int64]*org.TeamMember // by grid id
	households  []*household.Household
	needs       []household.Need
	measures    []household.Measure
	ledger      []household.LedgerEvent
	visits      []visitRow
	schedule    []visitState // of each household
	fresh       []int64      // households put on (near-)dibao this year, in id order
	created     time.Time
	sealed      *sealedCols // set by seal before the community is written

	persons, keyPersons, special int
}

// addTo adds c's counts to s.
func (c *community) addTo(s *Summary) {
	if s.Communities == 0 {
		s.CommunityID = c.communityID
	}
	s.Communities++
	s.Grids += len(c.grids)
	s.Compounds += len(c.compounds)
	s.Buildings += len(c.buildings)
	s.Households += len(c.households)
	s.Persons += c.persons
	s.KeyPersons += c.keyPersons
	s.SpecialDifficulty += c.special
	s.TeamMembers += len(c.team)
	s.LedgerEvents += len(c.ledger)
}

// community generates community ci of size households.
func (g *generator) community(ci, size int) *community {
	c := &community{index: ci, created: g.now.AddDate(-1, 0, -7), gridWorker: map[int64]*org.TeamMember{}}
	g.orgUnits(c)
	plans := dongxingCompounds
	if ci > 0 {
		plans = generatedCompounds(g.r, ci)
	}
	slots := g.places(c, plans, c.grids, size)
	g.team(c)
	g.households(c, slots, share(DongxingKeyPersons, g.before, size), share(DongxingSpecialDifficulty, g.before, size))
	g.plans(c)
	g.events(c)
	g.visits(c)
	g.before += size
	return c
}
