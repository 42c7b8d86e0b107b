package household

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// Ledger event types. Field edits that mean something (a job lost, dibao
// approved) are recorded under the typed name, whether they came from an
// edit form or from RecordEvent.
const (
	EvHouseholdCreated = "household_created"
	EvFieldChanged     = "field_changed"
	EvMemberAdded      = "member_added"
	EvTagAdded         = "tag_added"
	EvTagRemoved       = "tag_removed"
	EvColourChanged    = "colour_changed"
	EvColourOverride   = "colour_override"
	EvOverrideCleared  = "colour_override_cleared"
	EvNeedAdded        = "need_added"
	EvNeedChanged      = "need_changed"
	EvMeasureAdded     = "measure_added"
	EvMeasureChanged   = "measure_changed"

	EvHealthWorsened = "health_worsened"
	EvStartedSchool  = "started_school"
	EvLostJob        = "lost_job"
	EvFoundJob       = "found_job"
	EvMovedIn        = "moved_in"
	EvMovedOut       = "moved_out"
	EvBorn           = "born"
	EvDied           = "died"
	EvDibaoApproved  = "dibao_approved"
	EvDibaoWithdrawn = "dibao_withdrawn"
	// EvHealthCheck is a health check done (体检完成), e.g. the free
	// yearly check-up of the elderly; it changes nothing in the file.
	EvHealthCheck = "health_check"
	// EvInsurancePaid is the yearly medical insurance (医保) paid for the
	// person; the proactive rule of the payment window reads it.
	EvInsurancePaid = "insurance_paid"
	// Benefit cases (issue 17, benefit.go): applied, then granted or
	// rejected (or withdrawn), a granted one ended; Field is the kind of
	// benefit.
	EvBenefitApplied  = "benefit_applied"
	EvBenefitGranted  = "benefit_granted"
	EvBenefitRejected = "benefit_rejected"
	EvBenefitChanged  = "benefit_changed"
	// EvBenefitEnded and EvBenefitWithdrawn: benefit_close.go.
	EvBenefitEnded     = "benefit_ended"
	EvBenefitWithdrawn = "benefit_withdrawn"
)

// LedgerTypes lists every event type, for filters.
var LedgerTypes = []string{
	EvHealthWorsened, EvStartedSchool, EvLostJob, EvFoundJob, EvMovedIn, EvMovedOut, EvBorn, EvDied,
	EvDibaoApproved, EvDibaoWithdrawn, EvHealthCheck, EvInsurancePaid, EvColourChanged, EvColourOverride, EvOverrideCleared,
	EvTagAdded, EvTagRemoved, EvMemberAdded, EvFieldChanged, EvHouseholdCreated,
	EvNeedAdded, EvNeedChanged, EvMeasureAdded, EvMeasureChanged,
	EvBenefitApplied, EvBenefitGranted, EvBenefitRejected, EvBenefitChanged,
	EvBenefitEnded, EvBenefitWithdrawn,
}

// LedgerEvent is one entry of the dynamic ledger (动态台账, R5): who changed
// what, when, from what to what.
type LedgerEvent struct {
	ID          int64     `json:"id"`
	HouseholdID int64     `json:"household_id"`
	PersonID    int64     `json:"person_id,omitempty"`
	Person      string    `json:"person,omitempty"`
	GridID      int64     `json:"grid_id"`
	Address     string    `json:"address,omitempty"`
	Type        string    `json:"type"`
	Field       string    `json:"field,omitempty"`
	Before      string    `json:"before,omitempty"`
	After       string    `json:"after,omitempty"`
	Note        string    `json:"note,omitempty"`
	ActorID     int64     `json:"actor_id,omitempty"`
	Actor       string    `json:"actor"`
	At          time.Time `json:"at"`
}

func writeLedger(ctx context.Context, q store.Querier, e LedgerEvent) error {
	if err := sealLedger(store.KeysOf(q), &e); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `INSERT INTO ledger_events(household_id, person_id, grid_id, type, field, before, after, note, actor_id, actor, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.HouseholdID, nullID(e.PersonID), e.GridID, e.Type, e.Field, e.Before, e.After, e.Note, nullID(e.ActorID), e.Actor, e.At.UTC())
	return err
}

// LedgerFilter selects ledger events. Zero fields select everything.
type LedgerFilter struct {
	HouseholdID int64
	GridID      int64
	Type        string
	Since       time.Time
	Page        int
	PerPage     int
	// NoTotal leaves the total uncounted (0): for a page that shows the
	// latest events without a pager.
	NoTotal bool
}

// Ledger returns one page of ledger events, newest first, and the total
// (unless f.NoTotal), masked for the store's reader (see showLedger).
func (s *Store) Ledger(ctx context.Context, f LedgerFilter) ([]LedgerEvent, int, error) {
	var where []string
	var args []any
	// The city's administrator's events lead by their time (1.1-1.7 s a
	// page at 1M when each household was asked for its events).
	sc, sargs, err := s.rowsScope(ctx, f.HouseholdID != 0)
	if err != nil {
		return nil, 0, err
	}
	scoped := sc != ""
	if scoped {
		where, args = append(where, sc), append(args, sargs...)
	}
	if f.HouseholdID != 0 {
		where, args = append(where, "e.household_id = ?"), append(args, f.HouseholdID)
	}
	if f.GridID != 0 {
		where, args = append(where, "e.grid_id = ?"), append(args, f.GridID)
	}
	if f.Type != "" {
		where, args = append(where, "e.type = ?"), append(args, f.Type)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "e.at >= ?"), append(args, f.Since.UTC())
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if !f.NoTotal {
		// Every event has its household (a foreign key): only the
		// scope's condition needs the households.
		from := ` FROM ledger_events e`
		if scoped {
			from += ` JOIN households h ON h.id = e.household_id`
		}
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*)`+from+cond, args...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	page, per := pageOf(f.Page, f.PerPage)
	rows, err := s.db.QueryContext(ctx, `SELECT e.id, e.household_id, COALESCE(e.person_id, 0), COALESCE(p.name, ''), e.grid_id, h.address,
		e.type, e.field, e.before, e.after, e.note, COALESCE(e.actor_id, 0), e.actor, e.at
		FROM ledger_events e JOIN households h ON h.id = e.household_id LEFT JOIN persons p ON p.id = e.person_id`+cond+
		` ORDER BY e.at DESC, e.id DESC LIMIT ? OFFSET ?`, append(args, per, (page-1)*per)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []LedgerEvent{}
	for rows.Next() {
		var e LedgerEvent
		if err := rows.Scan(&e.ID, &e.HouseholdID, &e.PersonID, &e.Person, &e.GridID, &e.Address, &e.Type, &e.Field,
			&e.Before, &e.After, &e.Note, &e.ActorID, &e.Actor, &e.At); err != nil {
			return nil, 0, err
		}
		if err := openLedger(store.KeysOf(s.db), &e); err != nil {
			return nil, 0, err
		}
		showLedger(s.scope, &e, f.HouseholdID != 0)
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// pageOf clamps a page number and page size: pages start at 1, sizes at
// 1–500 with 50 by default.
func pageOf(page, per int) (int, int) {
	if page < 1 {
		page = 1
	}
	if per < 1 {
		per = 50
	}
	if per > 500 {
		per = 500
	}
	return page, per
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// ledgerList is a jsonList of the latest n ledger events of household h
// (the alias of the statement's household), the columns of Ledger's
// rows; decodeLedger reads it. On SQLite the rows come in no order and
// decodeLedger sorts them as Ledger's ORDER BY does.
func ledgerList(q store.Querier, n int) string {
	cols := `x.id, x.household_id, x.person_id, x.person, x.grid_id, x.address, x.type, x.field, x.before, x.after, x.note, x.actor_id, x.actor, x.at`
	from := `(SELECT e.id, e.household_id, COALESCE(e.person_id, 0) AS person_id, COALESCE(p.name, '') AS person, e.grid_id,
		h.address, e.type, e.field, e.before, e.after, e.note, COALESCE(e.actor_id, 0) AS actor_id, e.actor, e.at
		FROM ledger_events e LEFT JOIN persons p ON p.id = e.person_id WHERE e.household_id = h.id
		ORDER BY e.at DESC, e.id DESC LIMIT ` + strconv.Itoa(n) + `) x`
	return jsonList(q, cols, from, `x.at DESC, x.id DESC`)
}

// decodeLedger decodes a ledgerList of dialect d, opening sealed fields
// with k, in Ledger's order: the latest first (on SQLite by the stored
// text of the time, as SQLite compares it), then by id, descending.
func decodeLedger(k *secret.Keyring, d store.Dialect, list string) ([]LedgerEvent, error) {
	rows, err := jsonRows(list, 14)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	if d == store.SQLite {
		slices.SortFunc(rows, func(a, b jsonRow) int {
			return cmp.Or(strings.Compare(b.str(13), a.str(13)), cmp.Compare(b.id(0), a.id(0)))
		})
	}
	out := make([]LedgerEvent, len(rows))
	for i, r := range rows {
		e := &out[i]
		e.Person, e.Address, e.Type, e.Field, e.Before, e.After = r.str(3), r.str(5), r.str(6), r.str(7), r.str(8), r.str(9)
		e.Note, e.Actor = r.str(10), r.str(12)
		err := first(r.int64To(0, &e.ID), r.int64To(1, &e.HouseholdID), r.int64To(2, &e.PersonID), r.int64To(4, &e.GridID),
			r.int64To(11, &e.ActorID))
		if err == nil {
			e.At, err = storedTime(d, r.str(13))
		}
		if err == nil {
			err = openLedger(k, e)
		}
		if err != nil {
			return nil, fmt.Errorf("ledger event %d: %w", e.ID, err)
		}
	}
	return out, nil
}
