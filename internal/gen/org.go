package gen

import (
	"fmt"
	"strconv"

	"wanhu/internal/org"
)

// unit adds an org unit under parent (nil for the city).
func (g *generator) unit(c *community, parent *unitRow, kind org.Kind, name, code string, number int, phone string) unitRow {
	return g.unitWithID(c, parent, 0, kind, name, code, number, phone)
}

// unitWithID adds an org unit with the given id, or the next one when id is 0.
func (g *generator) unitWithID(c *community, parent *unitRow, id int64, kind org.Kind, name, code string, number int, phone string) unitRow {
	if id == 0 {
		id = next(&g.ids.org)
	}
	u := unitRow{id: id, kind: string(kind), name: name, code: code, number: number, phone: phone}
	path := "/"
	if parent != nil {
		u.parent, path = parent.id, parent.path
	}
	u.path = path + strconv.FormatInt(u.id, 10) + "/"
	c.units = append(c.units, u)
	return u
}

// orgUnits creates what community c needs of the tree 西宁市 > district >
// street > community, and the community's seven grids.
func (g *generator) orgUnits(c *community) {
	city, ok := g.district["西宁市"]
	if !ok {
		city = g.unit(c, nil, org.City, "西宁市", "630100", 0, "")
		g.district["西宁市"] = city
	}
	dname, sname := g.streetOf(c.index)
	d, ok := g.district[dname]
	if !ok {
		code := ""
		for _, x := range districts {
			if x.name == dname {
				code = x.code
			}
		}
		d = g.unit(c, &city, org.District, dname, code, 0, "")
		g.district[dname] = d
	}
	s, ok := g.streets[sname]
	if !ok {
		s = g.unit(c, &d, org.Street, sname, "", 0, "")
		g.streets[sname] = s
	}
	c.name = "东兴社区"
	if c.index > 0 {
		k := c.index - 1
		c.name = communityWords[k%len(communityWords)]
		if q := k / len(communityWords); q > 0 {
			c.name += communityWords[(q*7)%len(communityWords)]
		}
		c.name += "社区"
	}
	cu := g.unit(c, &s, org.Community, c.name, "", 0, fmt.Sprintf("0971-8%06d", g.r.IntN(1000000)))
	c.communityID = cu.id
	for n := 1; n <= gridsPerCommunity; n++ {
		id := int64(0)
		if c.index == 0 && g.gridIDs {
			id = int64(n)
		}
		c.grids = append(c.grids, g.unitWithID(c, &cu, id, org.GridKind, org.GridName(n), "", n, "").id)
	}
}

// communitiesPerStreet is how many communities a street holds.
const communitiesPerStreet = 6

// streetOf names the district and street of community ci: Dongxing is in
// 城东区 韵家口镇; the others fill the real streets of 西宁市, then
// generated ones.
func (g *generator) streetOf(ci int) (district, street string) {
	k := ci / communitiesPerStreet
	for _, d := range districts {
		if k < len(d.streets) {
			return d.name, d.streets[k]
		}
		k -= len(d.streets)
	}
	d := districts[k%len(districts)]
	return d.name, communityWords[k%len(communityWords)] + strconv.Itoa(k/len(communityWords)+1) + "路街道"
}

// nullID stores a zero id as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
