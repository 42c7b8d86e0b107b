package household

import (
	"context"
	"strings"
	"wanhu/internal/calendar"
)

// KeyPerson is a row of the key-person roster (重点人群): a current member
// with at least one tag marked key_person.
type KeyPerson struct {
	PersonID    int64         `json:"person_id"`
	Name        string        `json:"name"`
	Gender      Gender        `json:"gender"`
	BirthDate   calendar.Date `json:"birth_date,omitzero"` // left out as Person.BirthDate is
	Birthday    string        `json:"birthday,omitempty"`
	Age         int           `json:"age"`
	Tags        []string      `json:"tags"`
	HouseholdID int64         `json:"household_id"`
	Address     string        `json:"address"`
	GridID      int64         `json:"grid_id"`
	GridName    string        `json:"grid_name"`
	Colour      Colour        `json:"colour"`
}

// RosterFilter selects rows of a roster. PerPage < 0 returns every row (for
// exports).
type RosterFilter struct {
	GridID  int64
	Tag     string
	Page    int
	PerPage int
}

// KeyPersons returns a page of the key-person roster and its total.
//
// The tagged persons of the whole database lead the statement (60,000 of
// a city of a million households), unless the scope is small (a
// community, a grid leader's grids, a visitor's households: SmallScope):
// then its households do, and each of their members' tags is looked up.
// The tagged persons leading, a community's administrator waited 0.8 s for
// the first page at city scale, each of the city's key persons checked
// against the community (issue 15).
func (s *Store) KeyPersons(ctx context.Context, f RosterFilter) ([]KeyPerson, int, error) {
	small, _, err := smallScope(ctx, s.db, s.scope)
	if err != nil {
		return nil, 0, err
	}
	// tagged is the condition that p has a tag of person_tags pt (joined
	// to join) for which cond holds.
	tagged := func(join, cond string) string {
		if small {
			return "EXISTS (SELECT 1 FROM person_tags pt " + join + " WHERE pt.person_id = p.id AND " + cond + ")"
		}
		return "p.id IN (SELECT pt.person_id FROM person_tags pt " + join + " WHERE " + cond + ")"
	}
	w := []string{"p.active", tagged("JOIN tags t ON t.code = pt.tag", "t.key_person")}
	var args []any
	if cond, a := Where(s.scope); cond != "" {
		w, args = append(w, cond), append(args, a...)
	}
	if f.GridID != 0 {
		w, args = append(w, "h.grid_id = ?"), append(args, f.GridID)
	}
	if f.Tag != "" {
		w, args = append(w, tagged("", "pt.tag = ?")), append(args, f.Tag)
	}
	from := ` FROM persons p JOIN households h ON h.id = p.household_id JOIN org_units g ON g.id = h.grid_id WHERE ` + strings.Join(w, " AND ")
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := ""
	if f.PerPage >= 0 {
		page, per := pageOf(f.Page, f.PerPage)
		limit = " LIMIT ? OFFSET ?"
		args = append(args, per, (page-1)*per)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT p.id, p.name, p.gender, p.birth_date, h.id, h.address, g.id, g.name, h.colour,
		(SELECT `+tagAgg(s)+` FROM person_tags pt JOIN tags t ON t.code = pt.tag WHERE pt.person_id = p.id AND t.key_person)`+
		from+` ORDER BY h.grid_id, h.id, p.id`+limit, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	today := s.today()
	out := []KeyPerson{}
	for rows.Next() {
		var k KeyPerson
		var tags string
		if err := rows.Scan(&k.PersonID, &k.Name, &k.Gender, &k.BirthDate, &k.HouseholdID, &k.Address, &k.GridID, &k.GridName, &k.Colour, &tags); err != nil {
			return nil, 0, err
		}
		k.Age = calendar.AgeOn(k.BirthDate, today)
		k.BirthDate, k.Birthday = Birth(s.scope, k.BirthDate)
		k.Tags = splitList(tags)
		out = append(out, k)
	}
	return out, total, rows.Err()
}

// tagAgg is the engine's string aggregate of t.code, comma-separated.
func tagAgg(s *Store) string {
	if s.db.Dialect() == "postgres" {
		return "COALESCE(string_agg(t.code, ',' ORDER BY t.sort), '')"
	}
	return "COALESCE(group_concat(t.code, ','), '')"
}

// SpecialDifficulty returns a page of the special-difficulty households
// (特殊困难家庭): households tagged special_difficulty.
func (s *Store) SpecialDifficulty(ctx context.Context, f RosterFilter) ([]Household, int, error) {
	p, err := list(ctx, s.db, s.scope, Filter{GridID: f.GridID, Tag: SpecialDifficulty, Page: f.Page, PerPage: f.PerPage})
	return p.Households, p.Total, err
}
