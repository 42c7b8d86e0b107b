package visit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// Outcomes and channels of a visit.
var (
	Outcomes = []string{"met", "not_home", "refused", "vacant"}
	Channels = []string{"door", "phone", "wechat", "talk_room"}
)

// FollowUpDays is how long after a not-at-home visit the follow-up is
// scheduled unless the visitor says otherwise (R9).
const FollowUpDays = 3

// Visit is one recorded visit.
type Visit struct {
	ID             int64         `json:"id"`
	ClientID       string        `json:"client_id"`
	HouseholdID    int64         `json:"household_id"`
	GridID         int64         `json:"grid_id"`
	Outcome        string        `json:"outcome"`
	Channel        string        `json:"channel"`
	At             time.Time     `json:"at"`
	RecordedBy     int64         `json:"recorded_by,omitempty"`
	RecordedByName string        `json:"recorded_by_name"`
	Visitors       []int64       `json:"visitors"`
	Met            []int64       `json:"met"`
	Companions     string        `json:"companions"`
	Notes          string        `json:"notes"`
	CardLeft       bool          `json:"card_left"`
	FollowUpOn     calendar.Date `json:"follow_up_on"`
	NeedsAdded     int           `json:"needs_added"`
	EventsRecorded int           `json:"events_recorded"`
	Photos         []int64       `json:"photos"` // ids of its photos
	// Survey holds the resident survey's answers by question code.
	Survey map[string]string `json:"survey,omitempty"`
}

// NeedFound is a need noticed on a visit; it becomes a need of the file.
type NeedFound struct {
	Kind     string `json:"kind"`
	Note     string `json:"note"`
	PersonID int64  `json:"person_id"`
}

// Change is a typed change noticed on a visit; it is recorded on the person
// (household.Store.RecordEvent) and so lands in the ledger.
type Change struct {
	PersonID int64 `json:"person_id"`
	household.Event
}

// Input is a visit to record.
type Input struct {
	ClientID    string        `json:"client_id"`
	HouseholdID int64         `json:"household_id"`
	Outcome     string        `json:"outcome"`
	Channel     string        `json:"channel"`
	At          *time.Time    `json:"at"`
	Visitors    []int64       `json:"visitors"`
	Companions  string        `json:"companions"`
	Notes       string        `json:"notes"`
	CardLeft    bool          `json:"card_left"`
	FollowUpOn  calendar.Date `json:"follow_up_on"`
	Met         []int64       `json:"met"`
	Needs       []NeedFound   `json:"needs"`
	Events      []Change      `json:"events"`
	// Survey holds optional answers to the active survey questions, by
	// question code (see survey.go); only with outcome met.
	Survey map[string]string `json:"survey"`
	// Photos are optional images (JPEG or PNG) taken on the visit; the
	// API adds them with POST /visits/{id}/photos.
	Photos [][]byte `json:"-"`
	// Praise is the household's thanks of the visitors, if they gave any
	// (praise.go): a praise record of each visitor.
	Praise *Praise `json:"praise,omitempty"`
}

// check validates what can be checked without the database.
func (in *Input) check(now time.Time) error {
	in.ClientID = strings.TrimSpace(in.ClientID)
	in.Notes, in.Companions = strings.TrimSpace(in.Notes), strings.TrimSpace(in.Companions)
	if in.Channel == "" {
		in.Channel = "door"
	}
	switch {
	case in.ClientID == "":
		return apperr.Field("client_id", "required", "is required")
	case len(in.ClientID) > 100:
		return apperr.Field("client_id", "too_long", "must be at most %d characters", 100)
	case in.HouseholdID == 0:
		return apperr.Field("household_id", "required", "is required")
	case !slices.Contains(Outcomes, in.Outcome):
		return apperr.Field("outcome", "one_of", "must be one of %s", strings.Join(Outcomes, ", "))
	case !slices.Contains(Channels, in.Channel):
		return apperr.Field("channel", "one_of", "must be one of %s", strings.Join(Channels, ", "))
	case len(in.Notes) > 4000:
		return apperr.Field("notes", "too_long", "must be at most %d characters", 4000)
	case len(in.Companions) > 500:
		return apperr.Field("companions", "too_long", "must be at most %d characters", 500)
	case in.At != nil && calendar.CheckTime("at", *in.At) != nil:
		return calendar.CheckTime("at", *in.At)
	case in.At != nil && in.At.After(now.Add(10*time.Minute)):
		return apperr.Field("at", "future", "must not be in the future")
	}
	if in.Outcome != "met" && (len(in.Met) > 0 || len(in.Needs) > 0 || len(in.Events) > 0) {
		return apperr.Field("outcome", "not_met", "who was met, needs and changes go with outcome met")
	}
	if err := in.checkPraise(); err != nil {
		return err
	}
	if in.Outcome != "met" && len(in.Survey) > 0 {
		return apperr.Field("survey", "not_met", "the survey goes with outcome met")
	}
	for i, n := range in.Needs {
		if !slices.Contains(household.NeedKinds, n.Kind) {
			return apperr.Field(fmt.Sprintf("needs[%d].kind", i), "one_of", "must be one of %s", strings.Join(household.NeedKinds, ", "))
		}
		if len(n.Note) > 1000 {
			return apperr.Field(fmt.Sprintf("needs[%d].note", i), "too_long", "must be at most %d characters", 1000)
		}
	}
	for i, e := range in.Events {
		if !slices.Contains(household.EventTypes, e.Type) {
			return apperr.Field(fmt.Sprintf("events[%d].type", i), "one_of", "must be one of %s", strings.Join(household.EventTypes, ", "))
		}
		if e.Type == household.EvStartedSchool && !slices.Contains(household.Schools, e.School) {
			return apperr.Field(fmt.Sprintf("events[%d].school", i), "one_of", "must be one of %s", strings.Join(household.Schools, ", "))
		}
		if e.PersonID == 0 {
			return apperr.Field(fmt.Sprintf("events[%d].person_id", i), "required", "is required")
		}
	}
	return nil
}

// checkMembers validates the persons and team members the input names
// against the household file.
func (in *Input) checkMembers(ctx context.Context, q store.Querier, h *household.Household) error {
	current := map[int64]bool{}
	for _, p := range h.Members {
		current[p.ID] = p.Current()
	}
	for i, id := range in.Met {
		if !current[id] {
			return apperr.Field(fmt.Sprintf("met[%d]", i), "not_member", "person %d is not a current member of this household", id)
		}
	}
	for i, n := range in.Needs {
		if n.PersonID != 0 && !current[n.PersonID] {
			return apperr.Field(fmt.Sprintf("needs[%d].person_id", i), "not_member", "person %d is not a current member of this household", n.PersonID)
		}
	}
	for i, e := range in.Events {
		if !current[e.PersonID] {
			return apperr.Field(fmt.Sprintf("events[%d].person_id", i), "not_member", "person %d is not a current member of this household", e.PersonID)
		}
	}
	for i, id := range in.Visitors {
		if err := org.CheckVisitor(ctx, q, h.GridID, id, fmt.Sprintf("visitors[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

func splitIDs(s string) []int64 {
	out := []int64{}
	for _, f := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

const visitCols = `v.id, v.client_id, v.household_id, v.grid_id, v.outcome, v.channel, v.at, COALESCE(v.recorded_by, 0),
	v.recorded_by_name, v.met, v.companions, v.notes, v.card_left, v.follow_up_on, v.needs_added, v.events_recorded`

func scanVisit(sc interface{ Scan(...any) error }) (Visit, error) {
	var v Visit
	var met string
	err := sc.Scan(&v.ID, &v.ClientID, &v.HouseholdID, &v.GridID, &v.Outcome, &v.Channel, &v.At, &v.RecordedBy,
		&v.RecordedByName, &met, &v.Companions, &v.Notes, &v.CardLeft, &v.FollowUpOn, &v.NeedsAdded, &v.EventsRecorded)
	v.Met, v.At = splitIDs(met), v.At.UTC()
	return v, err
}

// visitWhere loads the visits matching cond, with their visitors.
func visitWhere(ctx context.Context, q store.Querier, cond string, args ...any) ([]Visit, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+visitCols+` FROM visits v `+cond, args...)
	if err != nil {
		return nil, err
	}
	out := []Visit{}
	for rows.Next() {
		v, err := scanVisit(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Visitors, err = store.IDs(ctx, q, `SELECT team_member_id FROM visit_visitors WHERE visit_id = ? ORDER BY team_member_id`, out[i].ID); err != nil {
			return nil, err
		}
		if out[i].Photos, err = store.IDs(ctx, q, `SELECT id FROM visit_photos WHERE visit_id = ? ORDER BY id`, out[i].ID); err != nil {
			return nil, err
		}
		if out[i].Survey, err = surveyOf(ctx, q, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// byClientID returns the visit recorded under a client id, or ErrNotFound.
func byClientID(ctx context.Context, q store.Querier, clientID string) (*Visit, error) {
	vs, err := visitWhere(ctx, q, `WHERE v.client_id = ?`, clientID)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, apperr.ErrNotFound
	}
	return &vs[0], nil
}

var errNoRows = sql.ErrNoRows

func isNoRows(err error) bool { return errors.Is(err, errNoRows) }
