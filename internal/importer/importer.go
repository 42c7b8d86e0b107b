// Package importer reads households from the workbooks communities keep
// (.xlsx, one sheet per building or one for all, or CSV in UTF-8 or GBK)
// and writes them out again in the layout it reads (Export), so a file
// can go out to Excel and come back.
//
// A row is a person. Rows are grouped into households by the household
// number column (户号) when there is one, else by address; the row whose
// relation is 户主 heads the household. Households go through the
// household store's SyncBatch with the importer's scope, 512 at a time,
// so every rule of a household file (ID numbers, dates, places, scope)
// has one home there, every change is a ledger event and colours are
// recomputed.
//
// The whole file is applied in one transaction, streamed: rows are read
// one at a time, households are applied a batch at a time, and only the
// keys needed to find duplicates stay in memory. So a file is applied
// whole or not at all (a kill -9 leaves the database as before), and a
// million rows cost little more memory than a thousand. A household the
// store refuses is left out and reported; the others are written. At the
// end a file with errors is rolled back whole (unless Partial), as is a
// dry run. On SQLite the transaction holds the write lock while the
// import runs; a first import into a database with no households builds
// the indexes it does not read at its end (household.DeferIndexes).
package importer

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"path/filepath"
	"time"

	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// Options say what to import and how.
type Options struct {
	// Path is the file: .xlsx or CSV.
	Path string
	// Name is the file's name as the ledger shows it ("导入 Name" is the
	// source of every change); the base of Path by default.
	Name string
	// Scope is the importer's: org.Everything limited to a community for
	// the CLI, the user's for the web. Only households in it are matched,
	// changed or created.
	Scope org.Scope
	// Actor makes the changes; with no name, the ledger's actor is the
	// import itself ("导入 FILE").
	Actor household.Actor
	// Community is the community of rows without a 社区 column (0: the
	// only community in scope). Its saved mapping is used, and Mapping
	// saved for it when the import is applied.
	Community int64
	// Mapping maps headers to fields, over the saved mapping.
	Mapping Mapping
	// CreatePlaces creates the compounds and buildings not yet known, in
	// the household's grid; without it they are errors.
	CreatePlaces bool
	// Partial applies the valid households of a file with errors.
	Partial bool
	// DryRun checks everything and writes nothing.
	DryRun bool
	// Progress, when set, is called every few hundred rows.
	Progress func(Progress)
	// Log, when set, records an applied import ("import.households") with
	// Entry's user.
	Log   *audit.Log
	Entry audit.Entry
	// Commit, when set, is called in the import's transaction before an
	// applied import commits, with its report (Applied not yet set):
	// what it writes commits with the import or not at all, and an error
	// rolls the import back (internal/importjob records a job's end so).
	Commit func(ctx context.Context, tx *store.Tx, rep *Report) error
}

// Progress is how far an import has come.
type Progress struct {
	Rows int
	// Fraction is how much of the file has been read, 0 to 1 (0 when
	// unknown).
	Fraction float64
}

// Report is what an import did, or would do: the JSON answer of the CLI
// and the API.
type Report struct {
	Households int       `json:"households"`
	Persons    int       `json:"persons"`
	Created    int       `json:"created"`
	Updated    int       `json:"updated"`
	Unchanged  int       `json:"unchanged"`
	Errors     []Problem `json:"errors"`
	// ErrorsTotal counts every problem; Errors holds the first maxErrors.
	ErrorsTotal int  `json:"errors_total"`
	Applied     bool `json:"applied"`
	DryRun      bool `json:"dry_run"`
	// MovedOutOffered are the current members that the file no longer
	// lists in their household: not changed, to be recorded as moved out
	// by hand.
	MovedOutOffered []Offer `json:"moved_out_offered"`
	// NewPlaces are the compounds and buildings created (or, refused or
	// dry, that would be).
	NewPlaces []string `json:"new_places"`
	// Columns says what each column was read as.
	Columns []Column `json:"columns"`
	// SkippedSheets are sheets with text but no recognisable header.
	SkippedSheets []string `json:"skipped_sheets"`
	Encoding      string   `json:"encoding,omitempty"`
}

// Problem is one thing wrong in the file: where, the value (ID and phone
// numbers masked), a stable code and what is wrong.
type Problem struct {
	Sheet   string `json:"sheet"`
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Value   string `json:"value"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// Cell is the cell's name in the sheet ("C5"), when the problem has a
	// column.
	Cell string `json:"cell,omitempty"`
	// Args fill the translation of Code (as apperr.FieldError's do).
	Args []any `json:"-"`
	col  int   // 0-based, -1 for none
}

// Offer is a member offered as moved out.
type Offer struct {
	Sheet       string `json:"sheet"`
	Row         int    `json:"row"`
	HouseholdID int64  `json:"household_id"`
	PersonID    int64  `json:"person_id"`
	Name        string `json:"name"`
}

// Column is what a column of a sheet was read as.
type Column struct {
	Sheet  string `json:"sheet"`
	Header string `json:"header"`
	Field  string `json:"field"`
}

// bulkCacheMB is the SQLite page cache of an import's connection, in
// megabytes (store.Tx.Bulk). Twice as much made a million-person import
// no faster (bench/import.sh) and its peak memory 120 MB higher.
const bulkCacheMB = 64

// maxErrors is how many problems a report lists.
const maxErrors = 100_000

// errRollback ends the transaction of a refused or dry import.
var errRollback = errors.New("import rolled back")

// Run imports the file of o into db and reports what it did. An error is
// returned only when the import could not run (an unreadable file, a
// database failure); problems in the file are in the report, and the
// import is applied only when there are none, or with o.Partial.
func Run(ctx context.Context, db *store.DB, o Options) (*Report, error) {
	src, err := openSource(o.Path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	if o.Name == "" {
		o.Name = filepath.Base(o.Path)
	}
	actor := o.Actor
	if actor.Name == "" {
		actor.Name = "导入 " + o.Name
	} else {
		actor.Name += "（导入 " + o.Name + "）"
	}
	r := &run{o: o, src: src, actor: actor, seed: maphash.MakeSeed(), ids: map[uint64]rowRef{}, closed: map[uint64]bool{},
		rep: &Report{DryRun: o.DryRun, Encoding: src.encoding(), Errors: []Problem{}, MovedOutOffered: []Offer{},
			NewPlaces: []string{}, Columns: []Column{}, SkippedSheets: []string{}}}
	err = db.InTx(ctx, func(tx *store.Tx) (err error) {
		ctx := store.WithTx(ctx, tx)
		if r.restore, err = tx.Bulk(ctx, bulkCacheMB); err != nil {
			return err
		}
		defer func() { err = errors.Join(err, r.restore()) }()
		if err := r.prepare(ctx, db, tx); err != nil {
			return err
		}
		if r.rebuild, err = household.DeferIndexes(ctx, tx); err != nil {
			return err
		}
		for _, sheet := range src.sheets() {
			if err := r.sheet(ctx, sheet); err != nil {
				return err
			}
		}
		if o.Progress != nil {
			o.Progress(Progress{Rows: r.rows, Fraction: 1})
		}
		if o.DryRun || r.rep.ErrorsTotal > 0 && !o.Partial {
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
	r.rep.Applied = !o.DryRun && (r.rep.ErrorsTotal == 0 || o.Partial)
	return r.rep, nil
}

// run is one import under way.
type run struct {
	o         Options
	src       source
	actor     household.Actor
	rep       *Report
	hs        *household.Store
	places    *places
	community int64 // of rows without a 社区 column
	mapping   Mapping
	tags      map[string]household.Tag // by code and by Chinese name
	today     calendar.Date
	rows      int

	seed   maphash.Seed
	ids    map[uint64]rowRef // ID numbers seen, to find duplicates in the file
	closed map[uint64]bool   // keys of households whose rows have ended
	cur    *group
	batch  []pending // households read, not yet applied
	// restore puts back the page cache store.Tx.Bulk enlarged.
	restore func() error
	// rebuild builds the indexes dropped for a first import into a
	// database with no households (household.DeferIndexes).
	rebuild func() error
	// zeros are the rows of the sheet whose ID number ends in 000 with a
	// valid check digit; lost says an ID number of the sheet lost its
	// digits (see idNumber).
	zeros []*record
	lost  bool
}

// rowRef is a row of the file.
type rowRef struct {
	sheet string
	row   int
}

// prepare reads what the run needs from the database: places, tags, the
// default community and its saved mapping.
func (r *run) prepare(ctx context.Context, db *store.DB, tx *store.Tx) error {
	r.hs = household.NewStore(db).In(r.o.Scope)
	r.today = calendar.Today()
	var err error
	if r.places, err = newPlaces(ctx, tx, r.o.Scope, r.o.CreatePlaces); err != nil {
		return err
	}
	r.community = r.o.Community
	if r.community == 0 && len(r.places.communities) == 1 {
		r.community = r.places.communities[0].ID
	}
	r.mapping = Mapping{}
	if r.community != 0 {
		if r.mapping, err = SavedMapping(ctx, tx, r.community); err != nil {
			return err
		}
	}
	r.mapping = r.mapping.merged(r.o.Mapping)
	all, err := household.Tags(ctx, tx)
	if err != nil {
		return err
	}
	r.tags = map[string]household.Tag{}
	for _, t := range all {
		r.tags[t.Code], r.tags[t.NameZH] = t, t
	}
	return nil
}

// finish builds the indexes deferred, calls o.Commit, saves the mapping
// and records the import in the audit log.
func (r *run) finish(ctx context.Context, tx *store.Tx) error {
	// SQLite's sorter builds an index faster, and in a fraction of the
	// memory, with the connection's usual page cache.
	if err := r.restore(); err != nil {
		return err
	}
	if err := r.rebuild(); err != nil {
		return err
	}
	if r.o.Commit != nil {
		if err := r.o.Commit(ctx, tx, r.rep); err != nil {
			return err
		}
	}
	if len(r.o.Mapping) > 0 && r.community != 0 {
		if err := SaveMapping(ctx, tx, r.community, r.o.Mapping, time.Now()); err != nil {
			return err
		}
	}
	if r.o.Log == nil {
		return nil
	}
	e := r.o.Entry
	e.Action, e.Object, e.Result = "import.households", "file:"+r.o.Name, audit.OK
	e.Detail = fmt.Sprintf("%d households (%d created, %d updated, %d unchanged), %d persons, %d errors",
		r.rep.Households, r.rep.Created, r.rep.Updated, r.rep.Unchanged, r.rep.Persons, r.rep.ErrorsTotal)
	return r.o.Log.RecordTx(ctx, tx, e)
}

// problem adds p to the report.
func (r *run) problem(p Problem) {
	r.rep.ErrorsTotal++
	if len(r.rep.Errors) < maxErrors {
		r.rep.Errors = append(r.rep.Errors, p)
	}
}

// progress reports progress every 500 rows.
func (r *run) progress() {
	r.rows++
	if r.o.Progress != nil && r.rows%500 == 0 {
		r.o.Progress(Progress{Rows: r.rows, Fraction: r.src.progress(r.rows)})
	}
}
