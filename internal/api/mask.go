package api

import "wanhu/internal/household"

// maskPerson hides p's ID number and phone unless show is set.
func maskPerson(p *household.Person, show bool) {
	if show {
		return
	}
	p.IDNumber = household.MaskIDNumber(p.IDNumber)
	p.Phone = household.MaskPhone(p.Phone)
}

// maskHousehold hides the household's and its members' ID and phone numbers
// unless show is set.
func maskHousehold(h *household.Household, show bool) {
	if show {
		return
	}
	h.Phone = household.MaskPhone(h.Phone)
	for i := range h.Members {
		maskPerson(&h.Members[i], false)
	}
}

// householdFile is a household file as the API sends it: the household with
// its members, needs and plan always present as arrays.
type householdFile struct {
	*household.Household
	Members []household.Person  `json:"members"`
	Needs   []household.Need    `json:"needs"`
	Plan    []household.Measure `json:"plan"`
}

// fileView returns the file of h for a viewer who may (show) or may not
// see full numbers.
func fileView(h *household.Household, show bool) householdFile {
	maskHousehold(h, show)
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
