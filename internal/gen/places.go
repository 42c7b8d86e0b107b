package gen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
)

// unitRow is a row of org_units.
type unitRow struct {
	id, parent int64
	kind, name string
	code       string
	number     int
	path       string
	phone      string
}

// compoundRow is a row of compounds.
type compoundRow struct {
	id, community int64
	name, address string
	built         int
	notes         string
}

// buildingRow is a row of buildings.
type buildingRow struct {
	id, compound, grid int64
	name               string
	floors, units      int
}

// slot is one place a household lives: a room of a building or a shop on a
// street.
type slot struct {
	grid, compound, building int64
	compoundIdx              int // index of the compound in the community, -1 for shops
	unit                     string
	floor                    int
	room, address            string
	shop                     bool
}

// compoundPlan describes a compound to build: its buildings' shape and the
// share of the community's homes it holds.
type compoundPlan struct {
	name, notes          string
	built                int
	floors, units, perFl int // floors, units per building, homes per floor and unit
	share                float64
}

// dongxingCompounds are the three compounds of 东兴社区 in the article.
var dongxingCompounds = []compoundPlan{
	{"一化小区", "原青海第一化肥厂家属院，厂子破产后由社区接管；老旧六层楼，管道老化", 1985, 6, 3, 2, 0.34},
	{"城馨丽锦小区", "", 2011, 18, 2, 2, 0.33},
	{"东府嘉和小区", "", 2016, 26, 2, 2, 0.33},
}

// generatedCompounds invents the compounds of community ci (ci ≥ 1).
func generatedCompounds(r *rand.Rand, ci int) []compoundPlan {
	n := 3 + r.IntN(2)
	out := make([]compoundPlan, n)
	for j := range out {
		name := communityWords[(ci*3+j*7)%len(communityWords)] + compoundSuffixes[(ci+j)%len(compoundSuffixes)]
		shape := one(r, []compoundPlan{{floors: 6, units: 3, perFl: 2, built: 1990}, {floors: 7, units: 4, perFl: 2, built: 1998},
			{floors: 18, units: 2, perFl: 2, built: 2010}, {floors: 26, units: 2, perFl: 2, built: 2015}, {floors: 33, units: 2, perFl: 3, built: 2019}})
		shape.name, shape.built, shape.share = name, shape.built+r.IntN(5), 1/float64(n)
		out[j] = shape
	}
	return out
}

// shopStreets are the streets of a community's shops.
func shopStreets(ci int) []string {
	if ci == 0 {
		return []string{"东兴路", "韵家口路"}
	}
	return []string{communityWords[(ci*5+3)%len(communityWords)] + "路", communityWords[(ci*5+11)%len(communityWords)] + "街"}
}

// businessTypes of shops, weighted.
var businessTypes = []weighted[string]{{"餐饮", 30}, {"便利店", 18}, {"理发", 10}, {"药店", 6}, {"五金", 6}, {"维修", 8}, {"服装", 8}, {"快递驿站", 4}, {"棋牌茶室", 4}, {"水果蔬菜", 8}, {"清真牛羊肉", 6}}

// shopNames per business type: a shop is "<word><suffix>".
var shopSuffix = map[string]string{"餐饮": "面馆", "便利店": "便利店", "理发": "美发店", "药店": "大药房", "五金": "五金店", "维修": "家电维修部",
	"服装": "服饰", "快递驿站": "快递驿站", "棋牌茶室": "茶社", "水果蔬菜": "果蔬店", "清真牛羊肉": "清真牛羊肉店"}

// places lays out a community of n households: compounds, buildings (each
// in one grid, grids covering contiguous buildings) and shops, and returns
// the households' slots in address order.
func (g *generator) places(c *community, plans []compoundPlan, grids []int64, n int) []slot {
	shops := n * 3 / 100
	homes := n - shops
	slots := make([]slot, 0, n)
	done := 0
	for j, p := range plans {
		want := int(float64(homes)*p.share + 0.5)
		if j == len(plans)-1 {
			want = homes - done
		}
		cp := compoundRow{id: next(&g.ids.compound), community: c.communityID, name: p.name, built: p.built, notes: p.notes}
		c.compounds = append(c.compounds, cp)
		per := p.floors * p.units * p.perFl
		for b := 1; want > 0; b++ {
			grid := grids[min(len(grids)-1, done*len(grids)/max(homes, 1))]
			br := buildingRow{id: next(&g.ids.building), compound: cp.id, grid: grid, name: strconv.Itoa(b) + "号楼", floors: p.floors, units: p.units}
			c.buildings = append(c.buildings, br)
			take := min(want, per)
			for k := range take {
				u := k/(p.floors*p.perFl) + 1
				fl := k%(p.floors*p.perFl)/p.perFl + 1
				room := strconv.Itoa(fl*100 + k%p.perFl + 1)
				unit := strconv.Itoa(u)
				slots = append(slots, slot{grid: grid, compound: cp.id, building: br.id, compoundIdx: j, unit: unit, floor: fl, room: room,
					address: p.name + " " + br.name + " " + unit + "单元 " + room + "室"})
			}
			want -= take
			done += take
		}
	}
	streets := shopStreets(c.index)
	for i := range shops {
		st, no := streets[i%len(streets)], 2+2*(i/len(streets))
		slots = append(slots, slot{grid: grids[i*len(grids)/shops], compoundIdx: -1, shop: true, address: fmt.Sprintf("%s%d号", st, no)})
	}
	return slots
}
