package household

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// Tag is a configurable mark on a person or a household (R1, R4).
type Tag struct {
	Code      string `json:"code"`
	AppliesTo string `json:"applies_to"` // "person" or "household"
	NameZH    string `json:"name_zh"`
	NameEN    string `json:"name_en"`
	KeyPerson bool   `json:"key_person"`
	// Derived tags follow a field of the person (dibao status, employment,
	// disability) and cannot be set by hand.
	Derived bool `json:"derived"`
}

// SpecialDifficulty is the household tag of special-difficulty households
// (特殊困难家庭).
const SpecialDifficulty = "special_difficulty"

// derivedTags maps each derived tag to the person fields it follows.
var derivedTags = map[string]func(p *Person) bool{
	"dibao":      func(p *Person) bool { return p.Dibao == "dibao" },
	"near_dibao": func(p *Person) bool { return p.Dibao == "near_dibao" },
	"unemployed": func(p *Person) bool { return p.Employment == "unemployed" },
	"disabled":   func(p *Person) bool { return p.DisabilityGrade > 0 },
}

// deriveTags returns tags with the derived tags set to follow p's fields.
func deriveTags(p *Person, tags []string) []string {
	out := make([]string, 0, len(tags)+1)
	for _, t := range tags {
		if _, derived := derivedTags[t]; !derived {
			out = append(out, t)
		}
	}
	for _, t := range []string{"disabled", "dibao", "near_dibao", "unemployed"} {
		if derivedTags[t](p) {
			out = append(out, t)
		}
	}
	return out
}

// Tags lists the configured tags in display order (sort, then code).
// They come in one row, as jsonList makes its lists, and are sorted here:
// the household file asks for them whenever it shows a tag, and the
// driver's column-by-column reading of a dozen rows was 5% of its CPU
// (issue 15).
func Tags(ctx context.Context, q store.Querier) ([]Tag, error) {
	var list string
	if err := q.QueryRowContext(ctx, `SELECT `+tagsList(q)).Scan(&list); err != nil {
		return nil, err
	}
	rows, err := jsonRows(list, 6)
	if err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	slices.SortFunc(rows, func(a, b jsonRow) int {
		return cmp.Or(cmp.Compare(a.id(5), b.id(5)), strings.Compare(a.str(0), b.str(0)))
	})
	out := make([]Tag, 0, len(rows))
	for _, r := range rows {
		var keyPerson int64
		if err := r.int64To(4, &keyPerson); err != nil {
			return nil, fmt.Errorf("tags: %w", err)
		}
		t := Tag{Code: r.str(0), AppliesTo: r.str(1), NameZH: r.str(2), NameEN: r.str(3), KeyPerson: keyPerson != 0}
		_, t.Derived = derivedTags[t.Code]
		out = append(out, t)
	}
	return out, nil
}

// tagsList is the expression of the tags as a jsonList: code, applies_to,
// the names, key_person as 0 or 1, sort.
func tagsList(q store.Querier) string {
	keyPerson := "key_person"
	if q.Dialect() == store.Postgres {
		keyPerson = "key_person::int"
	}
	return jsonList(q, "code, applies_to, name_zh, name_en, "+keyPerson+", sort", "tags", "sort, code")
}

// TagsNamed returns the tags of codes (distinct) with their codes and
// names only, in no order; codes that name no tag are left out. A page
// that shows a few tags reads only those (the household file; issue 15).
func TagsNamed(ctx context.Context, q store.Querier, codes []string) ([]Tag, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	in, args := inList(codes)
	rows, err := q.QueryContext(ctx, `SELECT code, name_zh, name_en FROM tags WHERE code IN `+in, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]Tag, 0, len(codes))
	for rows.Next() {
		var t Tag
		if err := rows.Scan(&t.Code, &t.NameZH, &t.NameEN); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

var tagCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// CreateTag adds a tag to the configurable list.
func CreateTag(ctx context.Context, q store.Querier, t Tag) error {
	switch {
	case !tagCode.MatchString(t.Code):
		return apperr.Field("code", "tag_code", "must be 2–40 lower-case letters, digits or _, starting with a letter")
	case t.AppliesTo != "person" && t.AppliesTo != "household":
		return apperr.Field("applies_to", "one_of", "must be one of %s", "person, household")
	case t.NameZH == "":
		return apperr.Field("name_zh", "required", "is required")
	}
	if t.NameEN == "" {
		t.NameEN = t.Code
	}
	_, err := q.ExecContext(ctx, `INSERT INTO tags(code, applies_to, name_zh, name_en, key_person, sort)
		VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(sort), 0) + 10 FROM tags))`, t.Code, t.AppliesTo, t.NameZH, t.NameEN, t.KeyPerson)
	if store.IsUniqueViolation(err) {
		return apperr.Field("code", "duplicate", "tag %q already exists", t.Code)
	}
	return err
}

// checkTags returns a FieldError unless every tag exists, applies to kind
// and, for persons, is not derived.
func checkTags(ctx context.Context, q store.Querier, field, kind string, tags []string) error {
	known, err := knownTags(ctx, q)
	if err != nil {
		return err
	}
	return checkTagsIn(known, field, kind, tags)
}

// knownTags returns the tags by code.
func knownTags(ctx context.Context, q store.Querier) (map[string]Tag, error) {
	all, err := Tags(ctx, q)
	if err != nil {
		return nil, err
	}
	known := map[string]Tag{}
	for _, t := range all {
		known[t.Code] = t
	}
	return known, nil
}

// checkTagsIn is checkTags with the tags known.
func checkTagsIn(known map[string]Tag, field, kind string, tags []string) error {
	for _, code := range tags {
		t, ok := known[code]
		switch {
		case !ok:
			return apperr.Field(field, "tag_unknown", "unknown tag %q", code)
		case t.AppliesTo != kind:
			return apperr.Field(field, "tag_kind", "tag %q applies to a %s, not a %s", code, t.AppliesTo, kind)
		}
	}
	return nil
}

// eachTag runs query, whose rows are an owner's id and a tag, and calls
// fn with each.
func eachTag(ctx context.Context, q store.Querier, query string, args []any, fn func(owner int64, tag string)) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return err
		}
		fn(id, tag)
	}
	return rows.Err()
}
