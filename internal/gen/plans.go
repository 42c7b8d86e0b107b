package gen

import (
	"slices"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

// plans writes the needs lists (R1) and the household plans (一户一策, R6):
// every special-difficulty household gets measures fitting its members,
// owned by its grid worker; key households and a few others get needs.
func (g *generator) plans(c *community) {
	r := g.r
	for _, h := range c.households {
		if len(h.Members) == 0 {
			continue
		}
		var has struct{ dibao, nearDibao, disabled, alone, ill, unemployed, elderly, child bool }
		for _, p := range h.Members {
			if !p.Current() {
				continue
			}
			age := calendar.AgeOn(p.BirthDate, g.today)
			has.dibao = has.dibao || p.Dibao == "dibao"
			has.nearDibao = has.nearDibao || p.Dibao == "near_dibao"
			has.disabled = has.disabled || p.DisabilityGrade > 0
			has.alone = has.alone || slices.Contains(p.Tags, "living_alone_elderly")
			has.ill = has.ill || slices.Contains(p.Tags, "serious_illness")
			has.unemployed = has.unemployed || p.Employment == "unemployed"
			has.elderly = has.elderly || age >= 70
			has.child = has.child || age < 12
		}
		key := keyCount(h.Members) > 0
		at := h.CreatedAt.Add(time.Duration(1+r.IntN(60*24)) * time.Hour)
		need := func(kind, note string) {
			c.needs = append(c.needs, household.Need{ID: next(&g.ids.need), HouseholdID: h.ID, Kind: kind, Note: note,
				Status: pick(r, []weighted[string]{{"open", 40}, {"in_progress", 30}, {"met", 30}}), CreatedAt: at, UpdatedAt: at})
		}
		switch {
		case has.alone:
			need("elderly_care", "需要助餐、代购和定期探望")
		case has.disabled && key:
			need("rehabilitation", "希望康复师上门指导")
		case has.ill:
			need("medical", "需要陪同就医、申请医疗救助")
		case has.unemployed:
			need("employment", "希望推荐就业岗位")
		case has.dibao || has.nearDibao:
			need("financial_aid", "申请临时救助")
		case has.elderly && chance(r, 0.03):
			need("elderly_care", "老人行动不便，需要上门体检")
		case has.child && chance(r, 0.04):
			need("child_care", "放学后无人看管，希望参加四点半课堂")
		case h.CompoundID != 0 && c.compounds[0].id == h.CompoundID && chance(r, 0.01):
			need("housing_repair", "下水管道老化堵塞")
		}
		if !slices.Contains(h.Tags, household.SpecialDifficulty) {
			continue
		}
		owner := c.gridWorker[h.GridID]
		measure := func(kind, freq, desc string) {
			m := household.Measure{ID: next(&g.ids.measure), HouseholdID: h.ID, Kind: kind, Description: desc,
				Frequency: freq, Status: "active", CreatedAt: at, UpdatedAt: at}
			if owner != nil {
				m.OwnerID, m.OwnerName = owner.ID, owner.Name
			}
			c.measures = append(c.measures, m)
		}
		n := len(c.measures)
		if has.dibao {
			measure("dibao_check", "monthly", "每月上门了解低保家庭生活情况，协助申请临时救助")
		}
		if has.disabled {
			measure("rehab_referral", "quarterly", "联系康复师上门指导康复训练")
		}
		if has.alone {
			measure("weekly_visit", "weekly", "网格员每周探望，帮忙购物、做家务")
		}
		if has.ill {
			measure("medical_checkup", "monthly", "每月随访病情，协助办理医疗救助")
		}
		if has.unemployed {
			measure("employment_help", "monthly", "推荐就业岗位和技能培训")
		}
		if len(c.measures) == n {
			measure("temporary_relief", "once", "申请临时救助")
		}
	}
}
