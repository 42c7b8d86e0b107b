package roster

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/stats"
)

// Query is a roster with its parameters, checked.
type Query struct {
	Def Def
	// On is the reference day of ages, check-ups and school starts;
	// OnGiven says it was asked for rather than today.
	On      calendar.Date
	OnGiven bool
	GridID  int64
	// AgeFrom is the age the elderly check-ups start at (60, or e.g. 65).
	AgeFrom int
	// Age is the age band of the people filter (nil: any age).
	Age                    *stats.Band
	CompoundID, BuildingID int64
	Sex, Ethnicity, Tag    string
	Dibao                  string
	Kind, Colour           string
	Occupancy              string
}

// ignored are parameters of the pages and the API that are not filters.
var ignored = []string{"page", "per_page", "format", "name", "csrf"}

// Parse reads the parameters of roster name from v: on (YYYY-MM-DD,
// default today), grid, and those of the roster (age_from of the check-ups,
// tag of the key persons; age, compound, building, sex, ethnicity, tag and
// dibao of the people filter; kind, colour, occupancy and tag of the
// household filter). Empty values count as absent. A value out of place or
// malformed is an *apperr.FieldError naming the parameter; an unknown
// roster is apperr.ErrNotFound.
func Parse(name string, v url.Values, today calendar.Date) (Query, error) {
	d, err := Lookup(name)
	if err != nil {
		return Query{}, err
	}
	q := Query{Def: d, On: today, AgeFrom: 60}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		s := strings.TrimSpace(v.Get(k))
		if s == "" || slices.Contains(ignored, k) {
			continue
		}
		if k != "on" && k != "grid" && !slices.Contains(d.params, k) {
			return q, apperr.Field(k, "unknown", "is not a filter of the roster %s", d.Name)
		}
		if err := q.set(k, s); err != nil {
			return q, err
		}
	}
	return q, nil
}

// set reads one parameter.
func (q *Query) set(k, s string) error {
	var err error
	switch k {
	case "on":
		q.On, err = calendar.ParseDate("on", s)
		q.OnGiven = true
	case "grid":
		q.GridID, err = positive(k, s)
	case "compound":
		q.CompoundID, err = positive(k, s)
	case "building":
		q.BuildingID, err = positive(k, s)
	case "age_from":
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 0 || n > stats.MaxAge {
			return apperr.Field(k, "range", "must be a whole number from 0 to %d", stats.MaxAge)
		}
		q.AgeFrom = n
	case "age":
		var bands []stats.Band
		if bands, err = stats.ParseBands(k, s); err == nil && len(bands) != 1 {
			err = apperr.Field(k, "one_band", "give one age band, e.g. 6-12, or 60- for 60 and over")
		}
		if err == nil {
			q.Age = &bands[0]
		}
	case "sex":
		q.Sex, err = oneOf(k, s, household.Genders)
	case "dibao":
		q.Dibao, err = oneOf(k, s, household.DibaoStatuses)
	case "kind":
		q.Kind, err = oneOf(k, s, household.Kinds)
	case "colour":
		q.Colour, err = oneOf(k, s, household.Colours)
	case "occupancy":
		q.Occupancy, err = oneOf(k, s, household.Occupancies)
	case "ethnicity":
		q.Ethnicity, err = ethnicity(s)
	case "tag":
		q.Tag = s
	}
	return err
}

func positive(k, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		return 0, apperr.Field(k, "invalid", "must be a positive whole number")
	}
	return n, nil
}

func oneOf(k, s string, allowed []string) (string, error) {
	if !slices.Contains(allowed, s) {
		return "", apperr.Field(k, "one_of", "must be one of %s", strings.Join(allowed, ", "))
	}
	return s, nil
}

// ethnicity reads an ethnic group by its GB/T 3304 code ("01") or Chinese
// name ("汉族", "汉") and returns the Chinese name, as persons store it.
func ethnicity(s string) (string, error) {
	if e, ok := household.EthnicityByZH(s); ok {
		return e.ZH, nil
	}
	for _, e := range household.Ethnicities {
		if e.Code == s || strings.EqualFold(e.EN, s) {
			return e.ZH, nil
		}
	}
	return "", apperr.Field("ethnicity", "unknown", "unknown ethnic group %q: give its code (01–56) or Chinese name", s)
}

// Values returns the parameters of q as Parse reads them, without the
// defaults: the filter a saved roster keeps and a link repeats.
func (q Query) Values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	id := func(k string, n int64) {
		if n != 0 {
			v.Set(k, strconv.FormatInt(n, 10))
		}
	}
	if q.OnGiven {
		set("on", q.On.String())
	}
	id("grid", q.GridID)
	if q.Def.Name == "elderly_checkup" && q.AgeFrom != 60 {
		v.Set("age_from", strconv.Itoa(q.AgeFrom))
	}
	if q.Age != nil {
		v.Set("age", q.Age.String())
	}
	id("compound", q.CompoundID)
	id("building", q.BuildingID)
	set("sex", q.Sex)
	set("ethnicity", q.Ethnicity)
	set("tag", q.Tag)
	set("dibao", q.Dibao)
	set("kind", q.Kind)
	set("colour", q.Colour)
	set("occupancy", q.Occupancy)
	return v
}

// Check completes the checks Parse cannot make alone: the tag exists and
// fits the roster (a key-person tag for the key persons, a person's tag for
// the people filter), and the grid is one the scope sees.
func (s *Store) Check(ctx context.Context, q Query) error {
	if q.Tag != "" {
		tags, err := household.Tags(ctx, s.db)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(tags, func(t household.Tag) bool { return t.Code == q.Tag })
		switch {
		case i < 0:
			return apperr.Field("tag", "tag_unknown", "unknown tag %q", q.Tag)
		case q.Def.Name == "key_persons" && !tags[i].KeyPerson:
			return apperr.Field("tag", "tag_kind", "tag %q does not mark key persons", q.Tag)
		case q.Def.Name == People && tags[i].AppliesTo != "person":
			return apperr.Field("tag", "tag_kind", "tag %q applies to a household, not a person", q.Tag)
		}
	}
	if q.GridID != 0 {
		ok, err := household.NewStore(s.db).In(s.scope).GridVisible(ctx, q.GridID)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Field("grid", "not_found", "grid %d does not exist", q.GridID)
		}
	}
	return nil
}
