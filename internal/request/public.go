package request

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// The resident's side of requests: what the public page /r (no account)
// may do. A resident submits a request, follows it by its tracking code
// and rates it once resolved; the rating is the callback, through the same
// state machine as staff's.

// Resident is the actor of what residents do on their own page.
var Resident = household.Actor{Name: "居民"}

// ErrTooMany answers a public submission over the rate limit.
var ErrTooMany = errors.New("too many requests submitted")

// Limits caps public submissions: per client address and hour, and per
// phone number and day.
type Limits struct {
	PerClientHour, PerPhoneDay int
}

// PublicLimits are the limits of the resident's page.
var PublicLimits = Limits{PerClientHour: 10, PerPhoneDay: 5}

// submissionLock is the PostgreSQL advisory lock public submissions take
// turns on, so that two at once cannot both pass the limit.
const submissionLock = 0x57616e6872 // "Wanhr"

// SubmitPublic registers a request a resident submitted on the public page
// from address client: channel web, no household (the resident is known
// by the phone given, if any), in.GridID or in.OrgPath saying where it
// belongs. Over the limits it answers ErrTooMany; a submission refused for
// its input does not count.
func (s *Store) SubmitPublic(ctx context.Context, in Input, client string, lim Limits) (*Request, error) {
	in.Channel, in.HouseholdID, in.PersonID, in.NeedID, in.SubmittedAt = "web", 0, 0, 0, nil
	in.Description, in.Address, in.Phone = strings.TrimSpace(in.Description), strings.TrimSpace(in.Address), spaceless.Replace(in.Phone)
	now := s.now().UTC()
	if err := checkInput(&in, now); err != nil {
		return nil, err
	}
	if _, err := category(ctx, s.db, in.Category); err != nil {
		return nil, err
	}
	keys := s.db.Keys()
	clientHash, phoneHash := keys.Hash("client_addr", client), household.PhoneHash(keys, in.Phone)
	var claim int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if tx.Dialect() == store.Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, submissionLock); err != nil {
				return err
			}
		}
		if err := underLimits(ctx, tx, clientHash, phoneHash, lim, now); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO public_submissions(client_hash, phone_hash, at) VALUES (?, ?, ?) RETURNING id`,
			clientHash, phoneHash, now).Scan(&claim)
	})
	if err != nil {
		return nil, err
	}
	r, err := s.Submit(ctx, Resident, in)
	if err != nil {
		_, derr := s.db.ExecContext(ctx, `DELETE FROM public_submissions WHERE id = ?`, claim)
		return nil, errors.Join(err, derr)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE public_submissions SET request_id = ? WHERE id = ?`, r.ID, claim); err != nil {
		return nil, err
	}
	return r, nil
}

// spaceless drops the spaces and dashes residents type in phone numbers and
// tracking codes.
var spaceless = strings.NewReplacer(" ", "", "-", "", "\u3000", "")

// underLimits returns ErrTooMany when the client submitted too often in
// the last hour, or the phone in the last day.
func underLimits(ctx context.Context, q store.Querier, clientHash, phoneHash string, lim Limits, now time.Time) error {
	var n int
	if clientHash != "" {
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM public_submissions WHERE client_hash = ? AND at > ?`,
			clientHash, now.Add(-time.Hour)).Scan(&n); err != nil {
			return err
		}
		if n >= lim.PerClientHour {
			return ErrTooMany
		}
	}
	if phoneHash != "" {
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM public_submissions WHERE phone_hash = ? AND at > ?`,
			phoneHash, now.Add(-24*time.Hour)).Scan(&n); err != nil {
			return err
		}
		if n >= lim.PerPhoneDay {
			return ErrTooMany
		}
	}
	return nil
}

// ReadLimit caps the reads of a public face per client address: at most
// Max in each Window (fixed windows, so a client may read up to twice Max
// across the turn of one).
type ReadLimit struct {
	Max    int
	Window time.Duration
}

// PublicReads is the limit of the public faces' reads (/r/{code},
// /a/{token}, Open311), each face counted apart: a resident checking a
// request now and then, or a whole office behind one address, stays far
// below it; a script walking codes or ids does not get far.
var PublicReads = ReadLimit{Max: 120, Window: 10 * time.Minute}

// CountRead counts a read of the public face kind ("resident",
// "appointment", "open311") at now from address client, in the database
// like the limit of submissions, so that every server counts the same
// reads; over lim it answers an *apperr.TooMany. The address is kept as a
// keyed hash only, and only as long as its window lasts.
func CountRead(ctx context.Context, db *store.DB, kind, client string, lim ReadLimit, now time.Time) error {
	if client == "" || lim.Max <= 0 || lim.Window <= 0 {
		return nil
	}
	hits, next, err := db.Hit(ctx, "read:"+kind, client, lim.Window, now)
	if err != nil {
		return err
	}
	if hits > lim.Max {
		return &apperr.TooMany{What: "reads from this address", RetryAfter: next.Sub(now)}
	}
	return nil
}

// Tracked is a request as its resident sees it by the tracking code: no
// staff names, no internal notes, no phone, and of its place only the
// compound and building (Place), never the flat: whoever holds the code
// reads the page, and a code can be passed on or overheard.
type Tracked struct {
	TrackingCode   string
	Category       string
	Description    string
	Place          string // "compound building", or "" when the request has no building
	State          string
	Urgency        string
	Department     string // the department it is referred to (the agency responsible)
	SubmittedAt    time.Time
	DueAt          *time.Time
	DueEstimated   bool
	Overdue        bool
	ResolvedAt     *time.Time
	DeclineReason  string
	PublicNote     string // the reply staff wrote for the resident when resolving; the resolution stays inside
	CallbackResult string
	Timeline       []PublicEvent
	// Community is the name and the phone (org.Unit.Phone, "" when not
	// set) of the community the request belongs to, which the resident's
	// page speaks for; both are "" for a request above every community.
	Community, CommunityPhone string
}

// PublicEvent is a timeline entry a resident may see. Note is only ever
// the decline reason or the public reply of a resolution; staff's
// resolutions, progress notes, hand-backs, extension requests and
// escalations stay inside.
type PublicEvent struct {
	At      time.Time
	Kind    string // a key of publicKinds; "reopened" for a dissatisfied callback
	Note    string
	DueAt   string // accept, extension_approve: the deadline (RFC 3339, China time)
	Days    int    // extension_approve
	Result  string // callback
	Handled string // accept: community or referred
}

// publicKinds are the timeline kinds a resident sees, and whether their
// note is meant for the resident (a resolution's public reply is in its
// data, not its note).
var publicKinds = map[string]bool{
	"submitted":      false,
	Accept:           false,
	Decline:          true,
	Merge:            false,
	Progress:         false,
	ApproveExtension: false,
	Resolve:          false,
	Callback:         false,
}

// NormalizeCode returns code as tracking codes are written: upper case,
// without the spaces and dashes a resident may type, or "" when it cannot
// be a tracking code.
func NormalizeCode(code string) string {
	code = strings.ToUpper(spaceless.Replace(strings.TrimSpace(code)))
	if len(code) != 10 || strings.Trim(code, codeAlphabet) != "" {
		return ""
	}
	return code
}

// Track returns the request with tracking code code as its resident sees
// it, or apperr.ErrNotFound.
func (s *Store) Track(ctx context.Context, code string) (*Tracked, error) {
	r, err := s.byCode(ctx, code)
	if err != nil {
		return nil, err
	}
	events, err := timeline(ctx, s.db, r.ID)
	if err != nil {
		return nil, err
	}
	place, err := PublicPlace(ctx, s.db, r.ID)
	if err != nil {
		return nil, err
	}
	t := &Tracked{TrackingCode: r.TrackingCode, Category: r.Category, Description: r.Description, Place: place, State: r.State,
		Urgency: r.Urgency, Department: r.Department, SubmittedAt: r.SubmittedAt, DueAt: r.DueAt, DueEstimated: r.DueEstimated,
		Overdue: r.Overdue, ResolvedAt: r.ResolvedAt, DeclineReason: r.DeclineReason, PublicNote: r.PublicNote,
		CallbackResult: r.CallbackResult, Timeline: []PublicEvent{}}
	c, err := org.CommunityOf(ctx, s.db, r.orgPath)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	t.Community, t.CommunityPhone = c.Name, c.Phone
	if r.Handling != Referred {
		t.Department = ""
	}
	for _, e := range events {
		showNote, ok := publicKinds[e.Kind]
		if !ok {
			continue
		}
		var data struct {
			DueAt      string `json:"due_at"`
			Days       int    `json:"days"`
			Result     string `json:"result"`
			Handling   string `json:"handling"`
			PublicNote string `json:"public_note"`
		}
		json.Unmarshal([]byte(e.Data), &data) // a broken entry shows without its details
		p := PublicEvent{At: e.At, Kind: e.Kind, DueAt: data.DueAt, Days: data.Days, Result: data.Result, Handled: data.Handling,
			Note: data.PublicNote}
		if showNote {
			p.Note = e.Note
		}
		if e.Kind == Callback && e.ToState == Accepted {
			p.Kind = "reopened"
		}
		t.Timeline = append(t.Timeline, p)
	}
	return t, nil
}

// PublicPlace is the most of request id's place a public page shows: its
// building and the building's compound ("一化小区 36号楼"), or "" when it
// has none.
func PublicPlace(ctx context.Context, q store.Querier, id int64) (string, error) {
	var compound, building string
	err := q.QueryRowContext(ctx, `SELECT c.name, b.name FROM requests r JOIN buildings b ON b.id = r.building_id
		JOIN compounds c ON c.id = b.compound_id WHERE r.id = ?`, id).Scan(&compound, &building)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return strings.TrimSpace(compound + " " + building), err
}

// byCode returns the request with tracking code code, whatever the scope.
func (s *Store) byCode(ctx context.Context, code string) (*Request, error) {
	code = NormalizeCode(code)
	if code == "" {
		return nil, apperr.ErrNotFound
	}
	rs, err := list(ctx, s.db, `WHERE r.tracking_code = ?`, []any{code}, s.now())
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, apperr.ErrNotFound
	}
	return &rs[0], nil
}

// Rate records the resident's own rating of the request with tracking code
// code as its callback (居民评单): only a resolved request can be rated, so
// a second rating, or one before resolution, answers a *TransitionError.
// reason is why a dissatisfied resident is dissatisfied (one of
// CallbackReasons); a resident need not say, and "" then counts as "other".
func (s *Store) Rate(ctx context.Context, code, result, reason, comment string) (*Tracked, error) {
	r, err := s.byCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if result == Dissatisfied && reason == "" {
		reason = "other"
	} else if result != Dissatisfied {
		reason = ""
	}
	if _, err := s.Apply(ctx, Resident, r.ID, Change{Action: Callback, Result: result, Reason: reason, Note: comment, Method: ByResident}); err != nil {
		return nil, err
	}
	return s.Track(ctx, code)
}
