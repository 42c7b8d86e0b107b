package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"wanhu/internal/household"
)

// Badge is a colour shown with its name, never by colour alone.
type Badge struct {
	Colour string
	Label  string
}

func badge(l *Locale, c household.Colour) Badge {
	return Badge{Colour: string(c), Label: l.Enum("colour", string(c))}
}

// reasons says why a household has its colour: the rule, the member it
// applies to and, for a manual override, the reason given.
func reasons(l *Locale, rs []household.Reason) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		s := l.Name(r.NameZH, r.NameEN)
		if r.Person != "" {
			s = l.T("reason.person", s, r.Person)
		}
		if r.Note != "" {
			s = l.T("reason.note", s, r.Note)
		}
		out = append(out, s)
	}
	return out
}

// tagNames maps tag codes to names in the user's language.
type tagNames map[string]string

func (h *handler) tagNames(ctx context.Context, l *Locale) (tagNames, []household.Tag, error) {
	tags, err := household.Tags(ctx, h.db)
	if err != nil {
		return nil, nil, err
	}
	return namesOfTags(l, tags), tags, nil
}

// namesOfTags is tagNames of tags, in l's language.
func namesOfTags(l *Locale, tags []household.Tag) tagNames {
	m := make(tagNames, len(tags))
	for _, t := range tags {
		m[t.Code] = l.Name(t.NameZH, t.NameEN)
	}
	return m
}

// tagNamesOf is tagNames of the tags codes only, in l's language; no
// codes, no statement.
func (h *handler) tagNamesOf(ctx context.Context, l *Locale, codes []string) (tagNames, error) {
	tags, err := household.TagsNamed(ctx, h.db, codes)
	if err != nil {
		return nil, err
	}
	return namesOfTags(l, tags), nil
}

func (m tagNames) list(codes []string) []string {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		if n, ok := m[c]; ok {
			out = append(out, n)
		} else {
			out = append(out, c)
		}
	}
	return out
}

// memberView is one member as the household file shows it.
type memberView struct {
	ID         int64
	Name       string
	Relation   string
	Gender     string
	Age        int
	IDNumber   string
	Phone      string
	Ethnicity  string
	Residence  string
	Work       string
	Disability string
	Dibao      string
	Tags       []string
	Status     string
}

func memberOf(l *Locale, tn tagNames, p *household.Person) memberView {
	m := memberView{ID: p.ID, Name: p.Name, Relation: l.Enum("relation", p.Relation), Gender: l.Enum("gender", string(p.Gender)),
		Age: p.Age, IDNumber: p.IDNumber, Phone: p.Phone, Ethnicity: p.Ethnicity,
		Residence: l.Enum("residence", p.Residence), Work: l.Enum("employment", p.Employment), Dibao: l.Enum("dibao", p.Dibao),
		Tags: tn.list(p.Tags)}
	if p.School != "" {
		m.Work += " · " + l.Enum("school", p.School)
	}
	if p.DisabilityType != "" {
		m.Disability = l.T("member.disability", l.Enum("disability_type", p.DisabilityType), p.DisabilityGrade)
	}
	switch {
	case !p.DeceasedOn.IsZero():
		m.Status = l.T("member.deceased", p.DeceasedOn.String())
	case !p.MovedOutOn.IsZero():
		m.Status = l.T("member.moved_out", p.MovedOutOn.String())
	}
	return m
}

// ledgerView is one ledger entry in the user's language.
type ledgerView struct {
	At          string
	Type        string
	TypeCode    string
	HouseholdID int64
	Address     string
	Person      string
	Field       string
	Before      string
	After       string
	Note        string
	Actor       string
}

func ledgerOf(l *Locale, tn tagNames, e household.LedgerEvent) ledgerView {
	v := ledgerView{At: l.Time(e.At), Type: l.Enum("event", e.Type), TypeCode: e.Type, HouseholdID: e.HouseholdID,
		Address: e.Address, Person: e.Person, Note: e.Note, Actor: e.Actor}
	valueKey := e.Field
	switch e.Type {
	case household.EvTagAdded, household.EvTagRemoved:
		v.Before, v.After = strings.Join(tn.list(nonEmpty(e.Before)), ""), strings.Join(tn.list(nonEmpty(e.After)), "")
		return v
	case household.EvNeedAdded, household.EvNeedChanged:
		v.Field, valueKey = l.Enum("need_kind", e.Field), "need_status"
	case household.EvMeasureAdded, household.EvMeasureChanged:
		v.Field, valueKey = l.Enum("measure_kind", e.Field), "measure_status"
	case household.EvBenefitApplied, household.EvBenefitGranted, household.EvBenefitRejected, household.EvBenefitChanged,
		household.EvBenefitEnded, household.EvBenefitWithdrawn:
		v.Field, valueKey = l.Enum("benefit_kind", e.Field), "benefit_status"
	case household.EvColourOverride, household.EvOverrideCleared, household.EvColourChanged:
		v.Field, valueKey = l.T("field.colour"), "colour"
	case household.EvHouseholdCreated, household.EvMemberAdded, household.EvBorn, household.EvMovedIn:
	default:
		if e.Field != "" {
			v.Field = l.T("field." + e.Field)
		}
	}
	if e.Field == "health_notes" && (e.Before == household.Hidden || e.After == household.Hidden) {
		v.Before, v.After = l.T("ledger.hidden"), l.T("ledger.hidden")
		return v
	}
	v.Before, v.After = l.Value(valueKey, e.Before), l.Value(valueKey, e.After)
	if e.Before == "" {
		v.Before = ""
	}
	return v
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// pager is the pagination of a list.
type pager struct {
	Page, Pages, Total int
	// More says Total is a lower bound (household.Page's More): the pager
	// says "at least" and offers a next page past Pages.
	More       bool
	Prev, Next string
}

// newPager returns the pager of page of a list of total items, per a page:
// an empty list has one page, the empty one (第 1/1 页, not 1/0).
func newPager(base string, q map[string][]string, page, per, total int) pager {
	return newPagerMore(base, q, page, per, total, false)
}

// pageOf keeps the rows, read in full, of the page ?page= of q (from 1 to
// the last page, whatever was asked), per to a page, and the pager to the
// others.
func pageOf[T any](base string, q url.Values, rows []T, per int) ([]T, pager) {
	page, _ := strconv.Atoi(q.Get("page"))
	page = min(max(page, 1), max(1, (len(rows)+per-1)/per))
	return rows[(page-1)*per : min(page*per, len(rows))], newPager(base, q, page, per, len(rows))
}

// newPagerMore is newPager for a total that is a lower bound when more is
// set: a next page is then offered while this one is full.
func newPagerMore(base string, q map[string][]string, page, per, total int, more bool) pager {
	p := pager{Page: page, Total: total, Pages: max(1, (total+per-1)/per), More: more}
	link := func(n int) string {
		vals := url.Values{}
		for k, vs := range q {
			for _, v := range vs {
				if v != "" && k != "page" {
					vals.Add(k, v)
				}
			}
		}
		vals.Set("page", strconv.Itoa(n))
		return base + "?" + vals.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < p.Pages || more && page*per <= total {
		p.Next = link(page + 1)
	}
	return p
}
