package api

import (
	"wanhu/internal/household"
)

// householdFile is a household file as the API sends it: the household with
// its members, needs and plan always present as arrays.
type householdFile struct {
	*household.Household
	Members []household.Person  `json:"members"`
	Needs   []household.Need    `json:"needs"`
	Plan    []household.Measure `json:"plan"`
}

// fileView returns the file h (masked by the store for its reader) with
// its lists never null.
func fileView(h *household.Household) householdFile {
	f := householdFile{Household: h, Members: h.Members, Needs: h.Needs, Plan: h.Measures}
	if f.Members == nil {
		f.Members = []household.Person{}
	}
	if f.Needs == nil {
		f.Needs = []household.Need{}
	}
	if f.Plan == nil {
		f.Plan = []household.Measure{}
	}
	if h.ColourReasons == nil {
		h.ColourReasons = []household.Reason{}
	}
	return f
}
