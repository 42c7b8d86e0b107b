package gen

import (
	"math/rand/v2"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

// CheckupShare is the share of the people aged 60 and over whose free
// health check of this year the demo records (体检完成), so that the
// elderly check-up roster has a realistic remainder to call.
const CheckupShare = 0.7

// checkups records a health_check ledger event for about CheckupShare of
// c's current members aged 60 and over, on a working-hours instant of a
// past day of this year. It draws from a source of its own, seeded by the
// seed and the community, so the rest of the generated data (and the
// article's figures) stay what they were without it.
func (g *generator) checkups(c *community) {
	r := rand.New(rand.NewPCG(uint64(g.o.Seed), 0x4348_4543_4b00+uint64(c.index))) // "CHECK"
	jan1 := time.Date(g.today.Y, time.January, 1, 0, 0, 0, 0, time.UTC)
	days := int(g.today.Time().Sub(jan1).Hours() / 24) // past days of this year, today excluded
	if days < 1 {
		return
	}
	for _, h := range c.households {
		actor := household.Actor{Name: c.name}
		if m := c.gridWorker[h.GridID]; m != nil {
			actor = household.Actor{ID: m.ID, Name: m.Name}
		}
		for i := range h.Members {
			p := &h.Members[i]
			if !p.Current() || calendar.AgeOn(p.BirthDate, g.today) < 60 || !chance(r, CheckupShare) {
				continue
			}
			// 08:30–17:30 in China is 00:30–09:30 UTC.
			at := jan1.AddDate(0, 0, r.IntN(days)).Add(30*time.Minute + time.Duration(r.IntN(9*60))*time.Minute)
			if at.Before(h.CreatedAt) {
				at = h.CreatedAt.Add(time.Hour)
			}
			c.ledger = append(c.ledger, household.LedgerEvent{ID: next(&g.ids.ledger), HouseholdID: h.ID, PersonID: p.ID,
				GridID: h.GridID, Type: household.EvHealthCheck, After: "体检完成", Note: "老年人免费体检",
				ActorID: actor.ID, Actor: actor.Name, At: at})
		}
	}
}
