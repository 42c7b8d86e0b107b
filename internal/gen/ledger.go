package gen

import (
	"slices"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

// events writes the ledger (动态台账, R5): household_created for every
// household, then the typed events of the past twelve months that led to
// the current data — births, deaths, moves in, jobs lost and found, school
// starts, health worsening and dibao decisions, including the article's
// 4 households / 8 people put on dibao and 1 household / 2 people on
// near-dibao.
func (g *generator) events(c *community) {
	r := g.r
	year := g.now.AddDate(-1, 0, 0)
	schoolStart := time.Date(g.today.Y, time.September, 1, 0, 0, 0, 0, time.UTC)
	if schoolStart.After(g.now) {
		schoolStart = schoolStart.AddDate(-1, 0, 0)
	}
	// a random instant of the past year after t, in office hours.
	after := func(t time.Time) time.Time {
		if t.Before(year) {
			t = year
		}
		days := int(g.now.Sub(t).Hours()/24) - 1
		if days < 1 {
			return t
		}
		d := t.AddDate(0, 0, 1+r.IntN(days))
		return time.Date(d.Year(), d.Month(), d.Day(), 1+r.IntN(9), r.IntN(60), 0, 0, time.UTC)
	}
	on := func(d calendar.Date) time.Time { return d.Time().Add(time.Duration(1+r.IntN(9)) * time.Hour) }
	for _, h := range c.households {
		ev := household.LedgerEvent{HouseholdID: h.ID, GridID: h.GridID}
		add := func(e household.LedgerEvent, actor household.Actor) {
			e.ID, e.ActorID, e.Actor = next(&g.ids.ledger), actor.ID, actor.Name
			if e.At.Before(h.CreatedAt) {
				e.At = h.CreatedAt.Add(time.Hour)
			}
			c.ledger = append(c.ledger, e)
		}
		e := ev
		e.Type, e.After, e.At = household.EvHouseholdCreated, h.Address, h.CreatedAt
		add(e, household.Actor{Name: c.name})
		fresh := slices.Contains(c.fresh, h.ID)
		freshAt := after(g.now.AddDate(0, -6, 0))
		for i := range h.Members {
			p := &h.Members[i]
			e := ev
			e.PersonID = p.ID
			age := calendar.AgeOn(p.BirthDate, g.today)
			switch {
			case !p.DeceasedOn.IsZero():
				e.Type, e.Field, e.After, e.At = household.EvDied, "deceased_on", p.DeceasedOn.String(), on(p.DeceasedOn)
				add(e, g.actor(c, h.GridID))
				continue
			case age == 0:
				e.Type, e.After, e.At = household.EvBorn, p.Name, on(p.BirthDate)
				add(e, g.actor(c, h.GridID))
			case !p.MovedInOn.IsZero():
				e.Type, e.After, e.At = household.EvMovedIn, p.Name, on(p.MovedInOn)
				add(e, g.actor(c, h.GridID))
			}
			if fresh && p.Dibao != "none" {
				e := ev
				e.PersonID, e.Type, e.Field, e.Before, e.After, e.At = p.ID, household.EvDibaoApproved, "dibao", "none", p.Dibao, freshAt
				e.Note = "走访发现困难家庭，纳入低保"
				if p.Dibao == "near_dibao" {
					e.Note = "走访发现困难家庭，纳入低保边缘户"
				}
				add(e, g.actor(c, h.GridID))
			}
			e = ev
			e.PersonID, e.At = p.ID, after(h.CreatedAt)
			switch {
			case p.Employment == "unemployed" && chance(r, 0.6):
				e.Type, e.Field, e.Before, e.After = household.EvLostJob, "employment", "employed", "unemployed"
			case p.Employment == "employed" && age >= 25 && age < 50 && chance(r, 0.01):
				e.Type, e.Field, e.Before, e.After = household.EvFoundJob, "employment", "unemployed", "employed"
			case slices.Contains(p.Tags, "serious_illness") && chance(r, 0.7):
				e.Type, e.Field, e.After = household.EvHealthWorsened, "health_notes", p.HealthNotes
			case p.School == "primary" && age == 6, p.School == "junior_middle" && age == 12:
				before := "kindergarten"
				if p.School == "junior_middle" {
					before = "primary"
				}
				e.Type, e.Field, e.Before, e.After = household.EvStartedSchool, "school", before, p.School
				e.At = schoolStart.Add(time.Duration(r.IntN(3)) * time.Hour)
			case p.Dibao == "none" && age >= 30 && chance(r, 0.001):
				e.Type, e.Field, e.Before, e.After = household.EvDibaoWithdrawn, "dibao", "dibao", "none"
				e.Note = "家庭收入超过低保标准"
			default:
				continue
			}
			add(e, g.actor(c, h.GridID))
		}
	}
}
