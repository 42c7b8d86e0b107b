package household

import (
	"context"
	"time"

	"wanhu/internal/store"
)

// EvJoinedProgramme is a person enrolled in a community programme (the
// four-thirty class, free check-ups) or a household that came to an
// activity (a neighbourhood festival); Note names it. Written by
// internal/programme.
const EvJoinedProgramme = "joined_programme"

func init() { LedgerTypes = append(LedgerTypes, EvJoinedProgramme) }

// RecordJoined writes a joined_programme event of household householdID
// (and person personID, if not 0) to the ledger in q, the caller's
// transaction, with note naming the programme or activity.
func RecordJoined(ctx context.Context, q store.Querier, actor Actor, householdID, personID int64, note string, at time.Time) error {
	var grid int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(grid_id, 0) FROM households WHERE id = ?`, householdID).Scan(&grid); err != nil {
		return err
	}
	return writeLedger(ctx, q, LedgerEvent{HouseholdID: householdID, PersonID: personID, GridID: grid, Type: EvJoinedProgramme,
		After: note, Note: note, ActorID: actor.ID, Actor: actor.Name, At: at})
}
