package gen

import (
	"context"
	"strings"

	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// writeCommunity writes everything of c in one transaction.
func writeCommunity(ctx context.Context, db *store.DB, c *community) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		if tx.Dialect() == store.SQLite {
			// A large page cache keeps the indexes of a big city in memory
			// while it is written; it lasts as long as the connection.
			if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
				return err
			}
		}
		var all []*store.Inserter
		ins := func(table string, cols ...string) *store.Inserter {
			in := store.NewInserter(ctx, tx, table, cols...)
			all = append(all, in)
			return in
		}
		var err error
		add := func(in *store.Inserter, vals ...any) {
			if err == nil {
				err = in.Add(vals...)
			}
		}
		flush := func() error {
			for _, in := range all {
				if err == nil {
					err = in.Flush()
				}
			}
			all = nil
			return err
		}
		units := ins("org_units", "id", "parent_id", "kind", "name", "code", "number", "path", "phone", "created_at")
		for _, u := range c.units {
			add(units, u.id, nullID(u.parent), u.kind, u.name, u.code, u.number, u.path, u.phone, c.created)
		}
		compounds := ins("compounds", "id", "community_id", "name", "address", "built_year", "notes")
		for _, x := range c.compounds {
			add(compounds, x.id, x.community, x.name, x.address, x.built, x.notes)
		}
		buildings := ins("buildings", "id", "compound_id", "grid_id", "name", "floors", "units")
		for _, b := range c.buildings {
			add(buildings, b.id, b.compound, b.grid, b.name, b.floors, b.units)
		}
		team := ins("team_members", "id", "community_id", "grid_id", "name", "role", "phone", "wechat", "skills", "languages", "availability", "active", "created_at")
		for _, m := range c.team {
			add(team, m.ID, m.CommunityID, nullID(m.GridID), m.Name, string(m.Role), m.Phone, m.WeChat,
				strings.Join(m.Skills, ","), strings.Join(m.Languages, ","), strings.Join(m.Availability, ","), m.Active, c.created)
		}
		// The org rows must exist before the households that refer to them.
		if err := flush(); err != nil {
			return err
		}
		for _, m := range c.team {
			if m.Role == org.RoleGridWorker {
				if err := org.SetLeader(ctx, tx, m.GridID, m.ID); err != nil {
					return err
				}
			}
		}
		// Then in the order of the foreign keys: households, their members
		// and tags, then what refers to members.
		// ID numbers and phones are sealed and hashed (see seal.go).
		if c.sealed == nil {
			c.seal(tx.Keys())
		}
		if c.sealed.err != nil {
			return c.sealed.err
		}
		hs := ins("households", "id", "grid_id", "compound_id", "building_id", "unit", "floor", "room", "address", "kind", "shop_name",
			"business_type", "occupancy", "phone", "phone_hash", "phone_tail_hash", "contact_times", "contact_note", "language", "notes", "householder", "member_count",
			"colour", "colour_reasons", "version", "created_at", "updated_at", "last_visit_at", "last_met_on", "next_due_on", "misses", "offpeak")
		for i, h := range c.households {
			sh := c.sealed.households[i]
			s := c.schedule[i]
			var lastVisit any
			if s.lastVisitAt != nil {
				lastVisit = s.lastVisitAt.UTC()
			}
			add(hs, h.ID, h.GridID, nullID(h.CompoundID), nullID(h.BuildingID), h.Unit, h.Floor, h.Room, h.Address, string(h.Kind),
				h.ShopName, h.BusinessType, h.Occupancy, sh[0], sh[1], sh[2], strings.Join(h.ContactTimes, ","), h.ContactNote, h.Language,
				h.Notes, h.Householder, h.MemberCount, string(h.Colour), household.EncodeReasons(h.ColourReasons), h.Version,
				h.CreatedAt, h.UpdatedAt, lastVisit, s.lastMet, s.nextDue, s.misses, s.offpeak)
		}
		if err := flush(); err != nil {
			return err
		}
		htags := ins("household_tags", "household_id", "tag")
		ps := ins("persons", "id", "household_id", "name", "name_pinyin", "name_initials", "id_number", "id_number_hash", "gender", "birth_date",
			"ethnicity", "residence", "relation", "phone", "phone_hash", "phone_tail_hash", "employment", "school", "disability_type", "disability_grade", "health_notes", "dibao", "moved_in_on",
			"moved_out_on", "deceased_on", "active", "version", "created_at", "updated_at")
		next := 0
		for _, h := range c.households {
			for _, t := range h.Tags {
				add(htags, h.ID, t)
			}
			for i := range h.Members {
				p := &h.Members[i]
				sp := c.sealed.persons[next]
				next++
				add(ps, p.ID, h.ID, p.Name, sp[6], sp[7], sp[0], sp[1], string(p.Gender), p.BirthDate, p.Ethnicity, p.Residence, p.Relation,
					sp[2], sp[3], sp[4], p.Employment, p.School, p.DisabilityType, p.DisabilityGrade, sp[5], p.Dibao, p.MovedInOn,
					p.MovedOutOn, p.DeceasedOn, p.Current(), 1, h.CreatedAt, h.UpdatedAt)
			}
		}
		// Visits refer to households and team members, their visitors to
		// visits.
		visits := ins("visits", "id", "client_id", "household_id", "grid_id", "outcome", "channel", "at", "recorded_by_name",
			"met", "notes", "card_left", "follow_up_on", "created_at")
		for _, v := range c.visits {
			add(visits, v.id, "gen-"+itoa(v.id), v.household, v.grid, v.outcome, v.channel, v.at, v.visitors[0].Name,
				v.met, v.notes, v.outcome == "not_home", v.followUp, v.at)
		}
		if err := flush(); err != nil {
			return err
		}
		ptags := ins("person_tags", "person_id", "tag")
		for _, h := range c.households {
			for i := range h.Members {
				for _, t := range h.Members[i].Tags {
					add(ptags, h.Members[i].ID, t)
				}
			}
		}
		needs := ins("needs", "id", "household_id", "person_id", "kind", "note", "status", "created_at", "updated_at")
		for _, n := range c.needs {
			add(needs, n.ID, n.HouseholdID, nullID(n.PersonID), n.Kind, n.Note, n.Status, n.CreatedAt, n.UpdatedAt)
		}
		measures := ins("plan_measures", "id", "household_id", "kind", "description", "owner_id", "frequency", "status", "created_at", "updated_at")
		for _, m := range c.measures {
			add(measures, m.ID, m.HouseholdID, m.Kind, m.Description, nullID(m.OwnerID), m.Frequency, m.Status, m.CreatedAt, m.UpdatedAt)
		}
		visitors := ins("visit_visitors", "visit_id", "team_member_id", "at")
		for _, v := range c.visits {
			for _, m := range v.visitors {
				add(visitors, v.id, m.ID, v.at)
			}
		}
		ledger := ins("ledger_events", "id", "household_id", "person_id", "grid_id", "type", "field", "before", "after", "note", "actor_id", "actor", "at")
		for _, e := range c.ledger {
			if e.Field == "health_notes" {
				var err error
				if e.After, err = household.SealText(tx.Keys(), e.Field, e.After); err != nil {
					return err
				}
			}
			add(ledger, e.ID, e.HouseholdID, nullID(e.PersonID), e.GridID, e.Type, e.Field, e.Before, e.After, e.Note, nullID(e.ActorID), e.Actor, e.At.UTC())
		}
		return flush()
	})
}
