package feedback

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// Person is someone a resident may thank or complain about on their page:
// a key ("m:12" a team member, "u:3" a staff account) and the name the
// team knows them by; nothing more of them (no phone, no other data).
type Person struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// Handlers returns the people who handled request requestID: the accounts
// that accepted it, arrived on site, wrote progress or resolved it, each
// as the team member it is linked to, in the order they first acted; then
// the team members who visited the request's household since it was
// submitted.
func Handlers(ctx context.Context, q store.Querier, requestID int64) ([]Person, error) {
	out, err := actors(ctx, q, requestID)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT m.id, m.name FROM requests r JOIN visits v ON v.household_id = r.household_id
		JOIN visit_visitors vv ON vv.visit_id = v.id JOIN team_members m ON m.id = vv.team_member_id
		WHERE r.id = ? AND v.at >= r.submitted_at ORDER BY m.id`, requestID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p Person
		var m int64
		if err := rows.Scan(&m, &p.Name); err != nil {
			return nil, err
		}
		p.Key = fmt.Sprintf("m:%d", m)
		if !slices.ContainsFunc(out, func(o Person) bool { return o.Key == p.Key }) {
			out = append(out, p)
		}
	}
	return out, rows.Err()
}

// actors are the people who took the request's steps (Handlers).
func actors(ctx context.Context, q store.Querier, requestID int64) ([]Person, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.actor_id, COALESCE(u.team_member_id, 0), COALESCE(m.name, NULLIF(u.display_name, ''), u.username)
		FROM request_events e JOIN users u ON u.id = e.actor_id LEFT JOIN team_members m ON m.id = u.team_member_id
		WHERE e.request_id = ? AND e.kind IN ('accept', 'arrive', 'progress', 'resolve') ORDER BY e.id`, requestID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Person{}
	seen := map[string]bool{}
	for rows.Next() {
		var u, m int64
		var name string
		if err := rows.Scan(&u, &m, &name); err != nil {
			return nil, err
		}
		key := fmt.Sprintf("u:%d", u)
		if m != 0 {
			key = fmt.Sprintf("m:%d", m)
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, Person{Key: key, Name: name})
		}
	}
	return out, rows.Err()
}

// PublicLimit caps what one client address gives from the resident's
// page in an hour.
const PublicLimit = 10

// PublicInput is what a resident gives on their page about one person who
// handled their request.
type PublicInput struct {
	Kind   string `json:"kind"`   // praise or complaint
	Person string `json:"person"` // a Person's key
	Body   string `json:"body"`   // their words: optional for praise
}

// AddPublic records, from address client, the resident's praise or
// complaint of one of request requestID's handlers (Handlers). Each
// person is praised (or complained about) once per request: a second
// answers ErrOnce. Over lim in an hour (PublicLimit on the faces) it
// answers an *apperr.TooMany.
func AddPublic(ctx context.Context, db *store.DB, actor household.Actor, requestID int64, in PublicInput, client string, lim int, now time.Time) (int64, error) {
	in.Person = strings.TrimSpace(in.Person)
	if !validKind(in.Kind) {
		return 0, apperr.Field("kind", "one_of", "must be one of %s", strings.Join(Kinds, ", "))
	}
	people, err := Handlers(ctx, db, requestID)
	if err != nil {
		return 0, err
	}
	var fi Input
	for _, p := range people {
		if p.Key == in.Person {
			fi = Input{Kind: in.Kind, Body: in.Body, Source: FromRating, RequestID: requestID}
			_, err := fmt.Sscanf(p.Key[2:], "%d", &fi.MemberID)
			if p.Key[0] == 'u' {
				fi.MemberID, fi.UserID = 0, fi.MemberID
			}
			if err != nil {
				return 0, err
			}
		}
	}
	if fi.Kind == "" {
		return 0, apperr.Field("person", "unknown", "is not one of those who handled the request")
	}
	if client != "" {
		hits, next, err := db.Hit(ctx, "feedback", client, time.Hour, now)
		if err != nil {
			return 0, err
		}
		if hits > lim {
			return 0, &apperr.TooMany{What: "thanks and complaints from this address", RetryAfter: next.Sub(now)}
		}
	}
	var id int64
	err = db.InTx(ctx, func(tx *store.Tx) error {
		id, err = Add(ctx, tx, actor, fi, now)
		return err
	})
	return id, err
}
