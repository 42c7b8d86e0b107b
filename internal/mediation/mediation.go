// Package mediation is the talk room (谈心室) and the mediation of
// neighbour disputes (调解) of issue 16: the secretary's hours of listening
// as talk sessions, with who came, what they said and the requests that
// came of it; and mediation cases between households, with their
// mediators from the community's team, sessions, outcome and follow-up,
// escalated when need be into a request referred to the police or the
// judicial office.
//
// Requests are made through internal/request's own path (Submit, then
// Accept to refer them), with the talk room as their channel.
//
// Scope: a record belongs to a community. An administrator reaches the
// records of their subtree; a grid leader or a visitor reaches those that
// touch a household of theirs (a visitor of a session, a party of a case)
// and, a grid leader, those they wrote. Others' households in a record
// reached only through one's own are shown without their names or words.
// What is out of scope answers apperr.ErrNotFound.
package mediation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/request"
	"wanhu/internal/store"
)

// Store keeps talk sessions and mediation cases within a scope.
type Store struct {
	db       *store.DB
	files    *household.Store
	requests *request.Store
	scope    org.Scope
	now      func() time.Time
}

// NewStore returns a Store that sees everything; faces serving users call
// In. files and requests are the stores the same user works through.
func NewStore(db *store.DB, files *household.Store, requests *request.Store) *Store {
	return &Store{db: db, files: files, requests: requests, scope: org.Everything, now: time.Now}
}

// In returns a Store limited to scope, with the household files and
// requests as the same user sees them.
func (s *Store) In(scope org.Scope, files *household.Store, requests *request.Store) *Store {
	c := *s
	c.scope, c.files, c.requests = scope, files, requests
	return &c
}

// SetClock replaces the clock, for tests and the demo.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// where returns the scope as an SQL condition on a record of alias a
// (org_path, created_by) whose households link (a subquery of ids of
// records, with "%s" for the household condition) names.
func (s *Store) where(a, link string) (string, []any) {
	if s.scope.All {
		return "1 = 1", nil
	}
	var or []string
	var args []any
	for _, p := range s.scope.Paths {
		or, args = append(or, a+".org_path LIKE ?"), append(args, p+"%")
	}
	if hs := (org.Scope{GridIDs: s.scope.GridIDs, MemberID: s.scope.MemberID}); len(hs.GridIDs) > 0 || hs.MemberID != 0 {
		cond, hargs := household.Where(hs)
		or, args = append(or, a+".id IN ("+fmt.Sprintf(link, cond)+")"), append(args, hargs...)
	}
	if len(s.scope.GridIDs) > 0 && s.scope.UserID != 0 {
		or, args = append(or, a+".created_by = ?"), append(args, s.scope.UserID)
	}
	if len(or) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(or, " OR ") + ")", args
}

// whole reports whether the user reaches a record of path written by
// user createdBy as a whole (by their subtree or as its writer), not only
// through a household of theirs.
func (s *Store) whole(path string, createdBy int64) bool {
	if s.scope.All || (len(s.scope.GridIDs) > 0 && createdBy != 0 && createdBy == s.scope.UserID) {
		return true
	}
	for _, p := range s.scope.Paths {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// community returns the community a new record belongs to: communityID,
// which must be a community the user reaches, or else the community of
// home (the org path of the user's first grant, set by the face).
func (s *Store) community(ctx context.Context, communityID int64, home string) (org.Unit, error) {
	if communityID == 0 {
		if home == "" {
			return org.Unit{}, apperr.Field("community_id", "required", "is required")
		}
		c, err := org.CommunityOf(ctx, s.db, home)
		if err != nil {
			return org.Unit{}, apperr.Field("community_id", "required", "is required: your own unit is above the communities")
		}
		return c, nil
	}
	c, err := org.UnitByID(ctx, s.db, communityID)
	if err != nil || c.Kind != org.Community || !s.reaches(ctx, c) {
		return org.Unit{}, apperr.Field("community_id", "not_found", "community %d does not exist", communityID)
	}
	return c, nil
}

// reaches reports whether the user reaches community c: under one of
// their paths, or holding a grid of it.
func (s *Store) reaches(ctx context.Context, c org.Unit) bool {
	if s.whole(c.Path, 0) {
		return true
	}
	for _, id := range s.scope.GridIDs {
		if g, err := org.UnitByID(ctx, s.db, id); err == nil && strings.HasPrefix(g.Path, c.Path) {
			return true
		}
	}
	return false
}

// text trims s and checks it is text of at most max characters; required
// refuses an empty one.
func text(field string, s *string, max int, required bool) error {
	*s = strings.TrimSpace(*s)
	switch {
	case required && *s == "":
		return apperr.Field(field, "required", "is required")
	case len([]rune(*s)) > max:
		return apperr.Field(field, "too_long", "must be at most %d characters", max)
	}
	return apperr.Text(field, *s)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// householdLabel is how a household is named in a record: its address
// and its householder's name, if the user reaches it.
func (s *Store) householdLabel(ctx context.Context, id int64) (address, head string, ok bool) {
	h, err := s.files.HouseholdByID(ctx, id)
	if err != nil {
		return "", "", false
	}
	for _, p := range h.Members {
		if p.Relation == "householder" || head == "" {
			head = p.Name
		}
	}
	return h.Address, head, true
}
