package gen

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

// idRegions are the address codes of ID numbers: mostly the districts and
// counties of 西宁市, then the rest of Qinghai, then neighbouring provinces
// (floating residents).
var idRegions = []weighted[string]{
	{"630102", 300}, {"630103", 120}, {"630104", 100}, {"630105", 90}, {"630106", 40}, {"630121", 50},
	{"630123", 20}, {"632122", 25}, {"632123", 15}, {"632126", 15}, {"632221", 10}, {"632521", 10},
	{"632801", 8}, {"620102", 10}, {"620103", 5}, {"622901", 10}, {"640104", 5}, {"510107", 4},
}

// idAllocator hands out valid, distinct 18-character ID numbers. Within one
// address code, birth date and gender the sequence codes are drawn from a
// permutation of the 500 codes of that gender, so no number repeats unless
// more than 500 people share all three (a city has a handful at most).
type idAllocator struct {
	used map[idKey]uint16
}

type idKey struct {
	region int32
	birth  int32 // yyyymmdd
}

func newIDAllocator() *idAllocator { return &idAllocator{used: map[idKey]uint16{}} }

// next returns a new ID number for someone born on birth, of the gender, from
// the region (a 6-digit code).
func (a *idAllocator) next(region string, birth calendar.Date, male bool) string {
	reg, _ := strconv.Atoi(region)
	k := idKey{int32(reg), int32(birth.Y*10000 + int(birth.M)*100 + birth.D)}
	if !male {
		k.birth = -k.birth
	}
	n := a.used[k]
	a.used[k] = n + 1
	// 500 codes per gender: 0..499 → sequence 2c+1 (male) or 2c (female).
	c := (int(uint32(k.region)*2654435761+uint32(k.birth)*40503)%500 + int(n)*37) % 500
	seq := 2 * c
	if male {
		seq++
	}
	first17 := fmt.Sprintf("%s%04d%02d%02d%03d", region, birth.Y, int(birth.M), birth.D, seq)
	return first17 + string(household.IDCheckChar(first17))
}

// idRegion draws the address code of a person's ID number.
func idRegion(r *rand.Rand, floating bool) string {
	if floating {
		return one(r, []string{"620102", "620103", "622901", "632122", "632123", "632221", "640104", "510107", "632521"})
	}
	return pick(r, idRegions)
}
