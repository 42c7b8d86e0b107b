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
	// Member is the team member asked for with the blocks (FileBlocksOf),
	// read in the same statement: the benefit form's helper, for a visitor.
	// Its ID is 0 if none was asked for or there is no such member.
	Member BlockMember
}

// BlockMember is what the file shows of a team member: the name and role
// of a choice, and the grid that decides whether it is one.
type BlockMember struct {
	ID, GridID int64
	Name, Role string
}

// FileBlocks reads in one statement which lists of household id's file
// have rows. Most households have none of them, and each list is a query
// of its own with the scope's condition: the file reads only the lists
// that have rows, each through its own store and scope, so a list skipped
// here is one that would have been empty for any user. The caller has
// found the household in the user's scope.
func (s *Store) FileBlocks(ctx context.Context, id int64) (FileBlocks, error) {
	return s.FileBlocksOf(ctx, id, 0)
}

// FileBlocksOf is FileBlocks that also reads team member member (if not
// 0; whoever the user), as the blocks' Member: a query fewer than
// org.TeamMemberByID on a page that shows both.
func (s *Store) FileBlocksOf(ctx context.Context, id, member int64) (FileBlocks, error) {
	var b FileBlocks
	cols, args := FileBlocksColumns(member)
	err := s.db.QueryRowContext(ctx, `SELECT `+cols+` FROM households h WHERE h.id = ?`, append(args, id)...).Scan(b.Dest(member)...)
	return b, err
}

// FileBlocksColumns returns FileBlocks' columns in a statement that reads
// household h (visit.Store.DueWithBlocks reads them with the schedule),
// with team member member's if not 0, and their arguments.
func FileBlocksColumns(member int64) (string, []any) {
	if member == 0 {
		return fileBlocksColumns, nil
	}
	return fileBlocksColumns + blockMemberColumns, []any{member, member, member, member}
}

// blockMemberColumns read a BlockMember by its primary key, one column
// each (a member that does not exist reads as the zero BlockMember).
const blockMemberColumns = `,
	COALESCE((SELECT m.id FROM team_members m WHERE m.id = ?), 0),
	COALESCE((SELECT m.grid_id FROM team_members m WHERE m.id = ?), 0),
	COALESCE((SELECT m.name FROM team_members m WHERE m.id = ?), ''),
	COALESCE((SELECT m.role FROM team_members m WHERE m.id = ?), '')`

const fileBlocksColumns = `EXISTS (SELECT 1 FROM proactive_tasks x WHERE x.household_id = h.id),
	EXISTS (SELECT 1 FROM benefit_cases x WHERE x.household_id = h.id),
	EXISTS (SELECT 1 FROM talk_visitors x WHERE x.household_id = h.id),
	EXISTS (SELECT 1 FROM mediation_parties x WHERE x.household_id = h.id),
	EXISTS (SELECT 1 FROM programme_enrolments x WHERE x.household_id = h.id),
	EXISTS (SELECT 1 FROM activity_signups x WHERE x.household_id = h.id)`

// Dest returns where to scan FileBlocksColumns(member).
func (b *FileBlocks) Dest(member int64) []any {
	d := []any{&b.Tasks, &b.Benefits, &b.TalkVisits, &b.Mediation, &b.Enrolments, &b.Signups}
	if member != 0 {
		d = append(d, &b.Member.ID, &b.Member.GridID, &b.Member.Name, &b.Member.Role)
	}
	return d
}
