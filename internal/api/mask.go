package api

import (
	"wanhu/internal/access"
	"wanhu/internal/auth"
	"wanhu/internal/household"
	"wanhu/internal/pii"
)

// maskPerson hides p's ID number and phone, always, and the health notes
// from a viewer who may not reveal them. Full values come only through the
// audited reveal call.
func maskPerson(p *household.Person, u *auth.User) {
	p.IDNumber = pii.MaskIDNumber(p.IDNumber)
	p.Phone = pii.MaskPhone(p.Phone)
	if !access.Can(u, access.Reveal) {
		p.HealthNotes = maskText(p.HealthNotes)
	}
}

// maskHousehold hides the household's and its members' numbers (see maskPerson).
func maskHousehold(h *household.Household, u *auth.User) {
	h.Phone = pii.MaskPhone(h.Phone)
	for i := range h.Members {
		maskPerson(&h.Members[i], u)
	}
}

// maskText hides a sensitive free text (health notes) entirely.
func maskText(s string) string {
	if s == "" {
		return ""
	}
	return "***"
}

// householdFile is a household file as the API sends it: the household with
// its members, needs and plan always present as arrays.
type householdFile struct {
	*household.Household
	Members []household.Person  `json:"members"`
	Needs   []household.Need    `json:"needs"`
	Plan    []household.Measure `json:"plan"`
}

// fileView returns the file of h as viewer u may see it.
func fileView(h *household.Household, u *auth.User) householdFile {
	maskHousehold(h, u)
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
