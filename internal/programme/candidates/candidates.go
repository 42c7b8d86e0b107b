// Package candidates picks the candidates of a programme from its roster
// (internal/roster): the people the roster lists in the programme's
// community and the user's scope, not enrolled yet. It is apart from
// package programme so that the demo generator, which writes programmes,
// does not import the rosters.
package candidates

import (
	"context"

	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/programme"
	"wanhu/internal/roster"
	"wanhu/internal/store"
)

// Max is how many candidates List returns at most.
const Max = 500

// List returns the candidates of programme id as s sees it, with rosters
// read in scope on day today; phones are left out. An empty list for a
// programme without a roster.
func List(ctx context.Context, db *store.DB, scope org.Scope, s *programme.Store, id int64, today calendar.Date) ([]roster.Item, error) {
	p, enrolled, grids, err := s.Enrollable(ctx, id)
	if err != nil {
		return nil, err
	}
	out := []roster.Item{}
	if p.Roster == "" {
		return out, nil
	}
	q, err := roster.Parse(p.Roster, nil, today)
	if err != nil {
		return nil, err
	}
	err = roster.New(db, scope).Each(ctx, q, func(it *roster.Item) error {
		if len(out) < Max && grids[it.GridID] && !enrolled[it.PersonID] {
			c := *it
			c.Phone = ""
			if c.Guardian != nil {
				g := *c.Guardian
				g.Phone = ""
				c.Guardian = &g
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}
