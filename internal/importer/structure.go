package importer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// The structure workbook (issue 12): the grids of one community with the
// buildings each covers, its visiting team and the departments requests
// are referred to, as a community keeps them in Excel. Each sheet is
// recognised by its header, whatever its name (structure_sheets.go):
//
//   - grids: 网格编号 / 网格名称 / 网格, 网格长 (and 网格长电话), 小区, 楼栋
//     (a list or a range: "1号楼、3号楼", "1-6号楼"), 单元, 房号范围;
//   - team: 姓名, 身份 (网格员, 社区干部, 下沉干部, 楼栋长, 党员, 物业, 志愿者,
//     网格长 …), 网格, 电话, 微信, 语言, 特长, 可走访时间;
//   - departments: 部门名称, 上级 (a district or street), 电话.
//
// Reading it again changes nothing: a grid is matched by its number (or
// its name), a compound and a building by name within the community (as
// the household import matches them), a team member by name and phone, a
// department by name under its parent. What the workbook does not name is
// left as it is: nothing is retired or removed by an import.
//
// A building belongs to exactly one grid in Wanhu. A building that the
// workbook gives to two grids (by its room ranges or its units) is
// refused, on the cell that splits it: give it to one grid whole. A room
// range under one grid only is read and checked, and the whole building
// goes to that grid.
//
// Like the household import, the whole workbook is applied in one
// transaction, each change through internal/org with the importer's scope
// (an administrator's subtree), or nothing of it when any row has a
// problem; a dry run checks everything and writes nothing. With Accounts
// each imported grid worker gets a visitor account over their grid and
// each grid leader (网格长) a grid leader account, linked to their team
// member, each with a one-time password to hand over (structure_accounts.go).

// StructureOptions say what to import and how.
type StructureOptions struct {
	// Path is the workbook (.xlsx) or a CSV file of one sheet.
	Path string
	// Name is the file's name for the ledger and the audit log; the base
	// of Path by default.
	Name string
	// Scope is the importer's: org.Everything for the CLI, the user's on
	// the web and the API. Only what it administers is changed
	// (org.Scope.Administers).
	Scope org.Scope
	// Actor is who moves households when a building changes grid (the
	// ledger's actor); the import's name is added to it.
	Actor household.Actor
	// Community is the community of the workbook (0: the only one the
	// scope administers).
	Community int64
	// Accounts makes accounts for the imported grid workers and grid
	// leaders that have none, with one-time passwords.
	Accounts bool
	// DryRun checks everything and writes nothing.
	DryRun bool
	// Log, when set, records the applied import ("import.structure") and
	// each account made ("user.add") with Entry's user.
	Log   *audit.Log
	Entry audit.Entry
}

// StructureReport is what a structure import did, or would do: the JSON
// answer of the CLI and the API.
type StructureReport struct {
	CommunityID int64  `json:"community_id"`
	Community   string `json:"community"`
	Grids       Counts `json:"grids"`
	Compounds   Counts `json:"compounds"`
	Buildings   Counts `json:"buildings"`
	Team        Counts `json:"team"`
	Departments Counts `json:"departments"`
	// HouseholdsMoved counts the households that moved with a building
	// given to another grid (each move a ledger event).
	HouseholdsMoved int `json:"households_moved"`
	// Accounts are the accounts made (or, dry, that would be), and those
	// the members had already. Passwords are shown here once and stored
	// only hashed.
	Accounts    []Account `json:"accounts"`
	Errors      []Problem `json:"errors"`
	ErrorsTotal int       `json:"errors_total"`
	Applied     bool      `json:"applied"`
	DryRun      bool      `json:"dry_run"`
	// Sheets say what each recognised sheet was read as.
	Sheets []SheetRead `json:"sheets"`
	// Columns say what each column was read as.
	Columns []Column `json:"columns"`
	// SkippedSheets are sheets with text but no recognisable header.
	SkippedSheets []string `json:"skipped_sheets"`
	// NewPlaces are the compounds and buildings created.
	NewPlaces []string `json:"new_places"`
	Encoding  string   `json:"encoding,omitempty"`
}

// Counts are what happened to the rows of one kind.
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// SheetRead is a sheet of a structure workbook and what it was read as:
// "grids", "team" or "departments", with its rows.
type SheetRead struct {
	Sheet string `json:"sheet"`
	Kind  string `json:"kind"`
	Rows  int    `json:"rows"`
}

// Account is an account for an imported team member.
type Account struct {
	Username     string    `json:"username"`
	DisplayName  string    `json:"display_name"`
	Role         auth.Role `json:"role"`
	Grids        []string  `json:"grids"`
	TeamMemberID int64     `json:"team_member_id,omitempty"`
	// Password is the one-time password, to be changed at the first
	// sign-in; empty in a dry run and for an account that existed.
	Password string `json:"password,omitempty"`
	// Existing says the member had an account already: it is left as it
	// is (its roles are managed under 账号与权限).
	Existing bool `json:"existing,omitempty"`
}

// RunStructure imports the structure workbook of o into db and reports
// what it did. An error is returned only when the import could not run
// (an unreadable file, no community, a database failure); problems in the
// file are in the report, and the import is applied only when there are
// none.
func RunStructure(ctx context.Context, db *store.DB, o StructureOptions) (*StructureReport, error) {
	if o.Name == "" {
		o.Name = filepath.Base(o.Path)
	}
	src, err := openSource(o.Path)
	if err != nil {
		return nil, unreadable(o, err)
	}
	defer src.Close()
	if o.Actor.Name == "" {
		o.Actor.Name = "导入 " + o.Name
	} else {
		o.Actor.Name += "（导入 " + o.Name + "）"
	}
	r := &structRun{o: o, db: db, auth: auth.NewStore(db), rep: &StructureReport{DryRun: o.DryRun, Encoding: src.encoding(),
		Accounts: []Account{}, Errors: []Problem{}, Sheets: []SheetRead{}, Columns: []Column{}, SkippedSheets: []string{}, NewPlaces: []string{}}}
	if err := r.read(src); err != nil {
		return nil, unreadable(o, err)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		ctx := store.WithTx(ctx, tx)
		r.tx = tx
		if err := r.prepare(ctx); err != nil {
			return err
		}
		for _, step := range []func(context.Context) error{r.departments, r.grids, r.buildings, r.team, r.leaders, r.accounts} {
			if err := step(ctx); err != nil {
				return err
			}
		}
		if len(r.rep.Sheets) == 0 {
			r.problem(Problem{Code: "no_structure", col: -1,
				Message: "no sheet of grids (网格), team members (姓名 and 身份) or departments (部门名称) was recognised"})
		}
		if o.DryRun || r.rep.ErrorsTotal > 0 {
			return errRollback
		}
		return r.finish(ctx, tx)
	})
	if errors.Is(err, errRollback) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	r.rep.Applied = !o.DryRun && r.rep.ErrorsTotal == 0
	if !r.rep.Applied {
		for i := range r.rep.Accounts {
			r.rep.Accounts[i].Password = "" // never made
		}
	}
	return r.rep, nil
}

// unreadable is the error of a file that cannot be read (err, which may
// name a temporary copy, is left out): an input error on "file".
func unreadable(o StructureOptions, err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return err
	}
	if strings.EqualFold(filepath.Ext(o.Path), ".xls") {
		return apperr.Field("file", "workbook_xls", "%s is an old .xls workbook: save it as .xlsx (Excel: 另存为 → Excel 工作簿)", o.Name)
	}
	return apperr.Field("file", "workbook_unreadable", "%s cannot be read as an .xlsx workbook or a CSV file", o.Name)
}

// structRun is one structure import under way.
type structRun struct {
	o    StructureOptions
	db   *store.DB
	auth *auth.Store
	rep  *StructureReport
	tx   *store.Tx
	st   *org.Structure // the importer's, joined to the transaction

	community org.Unit
	places    *places
	// The rows of each kind of sheet, in the order of the workbook.
	gridRows, teamRows, deptRows []*record

	plans   []*gridPlan
	claims  []claim
	members []*memberPlan
	lead    map[*gridPlan]*memberPlan // each grid's leader
}

// prepare finds the community and what the run reads of it.
func (r *structRun) prepare(ctx context.Context) error {
	r.st = household.NewStore(r.db).In(r.o.Scope).Structure(r.o.Actor)
	if err := r.findCommunity(ctx); err != nil {
		return err
	}
	r.rep.CommunityID, r.rep.Community = r.community.ID, r.community.Name
	var err error
	r.places, err = newPlaces(ctx, r.tx, r.o.Scope, true)
	return err
}

// findCommunity sets the community of the workbook: Options.Community if
// the scope administers it, else the only one it administers. One it
// does not administer is answered as one that does not exist.
func (r *structRun) findCommunity(ctx context.Context) error {
	all, err := org.Units(ctx, r.tx, org.Community)
	if err != nil {
		return err
	}
	var mine []org.Unit
	for _, c := range all {
		if r.o.Scope.Administers(c.Path) {
			mine = append(mine, c)
		}
	}
	if r.o.Community != 0 {
		for _, c := range mine {
			if c.ID == r.o.Community {
				r.community = c
				return nil
			}
		}
		return apperr.Field("community", "community_unknown", "no community %d here", r.o.Community)
	}
	switch len(mine) {
	case 1:
		r.community = mine[0]
		return nil
	case 0:
		return apperr.Field("community", "community_none", "there is no community you administer")
	}
	return apperr.Field("community", "community_choose", "you administer %d communities: say which one the workbook is of", len(mine))
}

// finish records the applied import in the audit log, without personal
// data.
func (r *structRun) finish(ctx context.Context, tx *store.Tx) error {
	if r.o.Log == nil {
		return nil
	}
	e := r.o.Entry
	rep := r.rep
	e.Action, e.Object, e.Result = "import.structure", "file:"+r.o.Name, audit.OK
	e.Detail = fmt.Sprintf("community %d: grids %s, compounds %s, buildings %s, team %s, departments %s; %d households moved, %d accounts made",
		rep.CommunityID, rep.Grids, rep.Compounds, rep.Buildings, rep.Team, rep.Departments, rep.HouseholdsMoved, madeCount(rep.Accounts))
	return r.o.Log.RecordTx(ctx, tx, e)
}

func (c Counts) String() string {
	return fmt.Sprintf("%d created, %d updated, %d unchanged", c.Created, c.Updated, c.Unchanged)
}

// madeCount counts the accounts that were made (not those that existed).
func madeCount(as []Account) int {
	n := 0
	for _, a := range as {
		if !a.Existing {
			n++
		}
	}
	return n
}

// problem adds p to the report.
func (r *structRun) problem(p Problem) {
	r.rep.ErrorsTotal++
	if len(r.rep.Errors) < maxErrors {
		r.rep.Errors = append(r.rep.Errors, p)
	}
}

// savepoint runs fn in a savepoint: a change the domain refuses (a
// FieldError, or what is out of scope) is rolled back alone and returned
// as refused, so the transaction goes on (PostgreSQL aborts a transaction
// at its first failed statement otherwise); any other error is err.
func (r *structRun) savepoint(ctx context.Context, fn func() error) (refused, err error) {
	if _, err := r.tx.ExecContext(ctx, `SAVEPOINT structure_row`); err != nil {
		return nil, err
	}
	ferr := fn()
	if ferr != nil {
		if _, err := r.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT structure_row`); err != nil {
			return nil, err
		}
	}
	if _, err := r.tx.ExecContext(ctx, `RELEASE SAVEPOINT structure_row`); err != nil {
		return nil, err
	}
	if _, ok := apperr.AsField(ferr); ok || errors.Is(ferr, apperr.ErrNotFound) {
		return ferr, nil
	}
	return nil, ferr
}
