package household

import "context"

// FileBlocks tells which of the lists on a household's file have rows for
// the household at all, whatever the scope.
type FileBlocks struct {
	Tasks      bool // proactive tasks (未诉先办)
	Benefits   bool // benefit cases
	TalkVisits bool // visits to the talk room
	Mediation  bool // mediation cases it is a party to
	Enrolments bool // programme enrolments
	Signups    bool // activity sign-ups
}

// FileBlocks reads in one statement which lists of household id's file
// have rows. Most households have none of them, and each list is a query
// of its own with the scope's condition: the file reads only the lists
// that have rows, each through its own store and scope, so a list skipped
// here is one that would have been empty for any user. The caller has
// found the household in the user's scope.
func (s *Store) FileBlocks(ctx context.Context, id int64) (FileBlocks, error) {
	var b FileBlocks
	err := s.db.QueryRowContext(ctx, `SELECT `+FileBlocksColumns+` FROM households h WHERE h.id = ?`, id).Scan(b.Dest()...)
	return b, err
}

// FileBlocksColumns are FileBlocks' columns in a statement that reads
// household h (visit.Store.DueWithBlocks reads them with the schedule).
const FileBlocksColumns = `EXISTS (SELECT 1 FROM proactive_tasks x WHERE x.household_id = h.id),
	EXISTS (SELECT 1 FROM benefit_cases x WHERE x.household_id = h.id),
	EXISTS (SELECT 1 FROM talk_visitors x WHERE x.household_id = h.id),
	EXISTS (SELECT 1 FROM mediation_parties x WHERE x.household_id = h.id),
	EXISTS (SELECT 1 FROM programme_enrolments x WHERE x.household_id = h.id),
	EXISTS (SELECT 1 FROM activity_signups x WHERE x.household_id = h.id)`

// Dest returns where to scan FileBlocksColumns.
func (b *FileBlocks) Dest() []any {
	return []any{&b.Tasks, &b.Benefits, &b.TalkVisits, &b.Mediation, &b.Enrolments, &b.Signups}
}
