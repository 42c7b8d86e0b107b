// Package householdtest holds the households the tests visit most
// (Widow, Family) and valid ID numbers for them (IDNumber), in the org
// tree of testworld.NewOrg. It sits beside household as storetest sits
// beside store: testworld itself stays below household, so the tests of
// the packages household builds on (auth) can use it too. Only tests
// import it.
package householdtest

import (
	"fmt"
	"strings"

	"wanhu/internal/household"
	"wanhu/internal/testworld"
)

// The phones of the two households of the tests. The store returns
// numbers masked, so tests that need the whole one use these.
const (
	WidowPhone  = "13912345678"
	FamilyPhone = "13800001111"
)

// IDNumber returns a valid ID number of region 630102 (城东区) for a birth
// date "YYYY-MM-DD" and a sequence number (odd: male, even: female).
func IDNumber(birth string, seq int) string {
	s := "630102" + strings.ReplaceAll(birth, "-", "") + fmt.Sprintf("%03d", seq)
	return s + string(household.IDCheckChar(s))
}

// Widow is the household the tests visit most: 王秀兰, born 1948, living
// alone at 1号楼 2单元 302 in the first grid. A test adds what it needs
// (tags, notes, a floor) to the copies it gets.
func Widow(o *testworld.Org) (household.Household, []household.Person) {
	return household.Household{BuildingID: o.Buildings[0].ID, Unit: "2", Room: "302", Phone: WidowPhone},
		[]household.Person{{Name: "王秀兰", IDNumber: IDNumber("1948-03-05", 22), Relation: "householder", Ethnicity: "汉族",
			Tags: []string{"living_alone_elderly"}}}
}

// Family is a working couple, 李建国 and 张丽, at 2号楼 1单元 101 in the
// second grid.
func Family(o *testworld.Org) (household.Household, []household.Person) {
	return household.Household{BuildingID: o.Buildings[1].ID, Unit: "1", Room: "101", Phone: FamilyPhone},
		[]household.Person{
			{Name: "李建国", IDNumber: IDNumber("1980-07-01", 11), Relation: "householder", Employment: "employed"},
			{Name: "张丽", IDNumber: IDNumber("1982-01-02", 22), Relation: "spouse", Employment: "employed"},
		}
}
