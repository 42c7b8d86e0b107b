package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// The structure from the command line: `wanhu org` for the org tree,
// `wanhu place` for compounds and buildings. The CLI is the system: it
// reaches every unit. Each change runs in one transaction with its audit
// entry, and a grid retired or a building moved takes its households
// along, each a ledger event, as on the web (internal/org.Structure).

// structureCmd is what both commands share: the database, the structure
// editor as the CLI's user, and the output.
type structureCmd struct {
	db     *store.DB
	st     *org.Structure
	out    io.Writer
	format string
}

// openStructure opens the database with its key file for a structure
// command; a change needs the key file (the audit log is keyed), a list
// does not.
func openStructure(ctx context.Context, dsn, keyFile, format string, out io.Writer) (*structureCmd, error) {
	if format != "text" && format != "json" {
		return nil, fmt.Errorf("--format %q: give text or json", format)
	}
	db, err := openSealedDB(ctx, dsn, keyFile)
	if err != nil {
		return nil, err
	}
	st := household.NewStore(db).Structure(household.Actor{Name: cliUser()})
	return &structureCmd{db: db, st: st, out: out, format: format}, nil
}

// change runs fn, which returns the object it changed, what to audit and
// what to print, in one transaction with the audit entry of action.
func (c *structureCmd) change(ctx context.Context, action string, fn func(ctx context.Context) (object, detail string, result any, err error)) error {
	if c.db.Keys() == nil {
		return audit.ErrNoKey
	}
	var result any
	var detail string
	err := c.db.InTx(ctx, func(tx *store.Tx) error {
		ctx := store.WithTx(ctx, tx)
		object, d, res, err := fn(ctx)
		if err != nil {
			return err
		}
		result, detail = res, d
		return audit.New(c.db).RecordTx(ctx, tx, audit.Entry{Username: cliUser(), Role: "cli", Action: action, Object: object, Result: audit.OK, Detail: d})
	})
	if err != nil {
		return err
	}
	if c.format == "json" {
		return writeJSON(c.out, result)
	}
	_, err = fmt.Fprintln(c.out, detail)
	return err
}

func runOrg(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	fs := newFlags("org " + sub)
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	keyFile := keyFileFlag(fs)
	format := fs.String("format", "text", "output: text or json (as the API answers)")
	id := fs.Int64("id", 0, "the org unit (rename, move, renumber, retire)")
	parent := fs.Int64("parent", 0, "add: the unit to add under; move: the new parent")
	kind := fs.String("kind", "", "add: city, district, street, community, grid or department")
	name := fs.String("name", "", "add, rename: the name (a grid without one is named 第N网格)")
	number := fs.Int("number", 0, "add, renumber: a grid's number")
	code := fs.String("code", "", "add: the administrative division code")
	phone := fs.String("phone", "", "add: the unit's phone")
	to := fs.Int64("to", 0, "retire: the grid of the same community that takes a grid's households, buildings and team")
	retired := fs.Bool("retired", false, "list: include retired units")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := openStructure(ctx, *dsn, *keyFile, *format, out)
	if err != nil {
		return err
	}
	defer c.db.Close()
	obj := fmt.Sprintf("org-unit:%d", *id)
	change := func(ch org.UnitChange, what string) error {
		if *id == 0 {
			return errors.New("--id is required")
		}
		return c.change(ctx, "org."+sub, func(ctx context.Context) (string, string, any, error) {
			before, err := c.st.Unit(ctx, *id)
			if err != nil {
				return "", "", nil, err
			}
			u, err := c.st.ChangeUnit(ctx, *id, ch)
			return obj, fmt.Sprintf("%s %s: %s", before.Kind, before.Name, what+describe(u)), u, cliField(err)
		})
	}
	switch sub {
	case "list":
		return c.listUnits(ctx, *retired)
	case "add":
		return c.change(ctx, "org.add", func(ctx context.Context) (string, string, any, error) {
			u := org.Unit{ParentID: *parent, Kind: org.Kind(*kind), Name: *name, Number: *number, Code: *code, Phone: *phone}
			if err := c.st.CreateUnit(ctx, &u); err != nil {
				return "", "", nil, cliField(err)
			}
			return fmt.Sprintf("org-unit:%d", u.ID), "added " + describe(u), u, nil
		})
	case "rename":
		if !flagSet(fs, "name") {
			return errors.New("--name is required")
		}
		return change(org.UnitChange{Name: name}, "renamed ")
	case "move":
		if *parent == 0 {
			return errors.New("--parent is required")
		}
		return change(org.UnitChange{ParentID: parent}, "moved ")
	case "renumber":
		if !flagSet(fs, "number") {
			return errors.New("--number is required")
		}
		return change(org.UnitChange{Number: number}, "renumbered ")
	case "retire":
		if *id == 0 {
			return errors.New("--id is required")
		}
		return c.change(ctx, "org.retire", func(ctx context.Context) (string, string, any, error) {
			r, err := c.st.RetireUnit(ctx, *id, *to)
			return obj, r.Detail(), r, cliField(err)
		})
	default:
		return errors.New("usage: wanhu org list|add|rename|move|renumber|retire --db … [--id ID] [--parent ID] [--kind K] [--name N] [--number N] [--to GRID]")
	}
}

// describe names a unit as the CLI prints it: kind, name, id, number.
func describe(u org.Unit) string {
	s := fmt.Sprintf("%s %s (id %d", u.Kind, u.Name, u.ID)
	if u.Kind == org.GridKind {
		s += fmt.Sprintf(", number %d", u.Number)
	}
	if u.ParentID != 0 {
		s += fmt.Sprintf(", under %d", u.ParentID)
	}
	return s + ")"
}

// cliFlags are the flags of the fields the structure's errors name.
var cliFlags = map[string]string{"parent_id": "--parent", "kind": "--kind", "name": "--name", "number": "--number", "code": "--code",
	"phone": "--phone", "target_grid_id": "--to", "id": "--id", "community_id": "--community", "compound_id": "--compound",
	"grid_id": "--grid", "floors": "--floors", "units": "--units", "built_year": "--built-year", "address": "--address", "notes": "--notes"}

// cliField names the flag of a FieldError of the structure.
func cliField(err error) error {
	if fe, ok := apperr.AsField(err); ok {
		if f, ok := cliFlags[fe.Field]; ok {
			return fmt.Errorf("%s: %s", f, fe.Msg)
		}
	}
	return err
}

// listUnits prints the tree, indented, or its JSON.
func (c *structureCmd) listUnits(ctx context.Context, retired bool) error {
	us, err := c.st.Tree(ctx, retired)
	if err != nil {
		return err
	}
	if c.format == "json" {
		if us == nil {
			us = []org.Unit{}
		}
		return writeJSON(c.out, us)
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tNUMBER\tNAME\tRETIRED")
	top := 0
	for i, u := range us {
		if d := strings.Count(u.Path, "/"); i == 0 || d < top {
			top = d
		}
	}
	for _, u := range us {
		num, gone := "", ""
		if u.Kind == org.GridKind {
			num = fmt.Sprint(u.Number)
		}
		if u.RetiredAt != nil {
			gone = u.RetiredAt.Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s%s\t%s\n", u.ID, u.Kind, num, strings.Repeat("  ", strings.Count(u.Path, "/")-top), u.Name, gone)
	}
	return tw.Flush()
}

func runPlace(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	fs := newFlags("place " + sub)
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	keyFile := keyFileFlag(fs)
	format := fs.String("format", "text", "output: text or json (as the API answers)")
	community := fs.Int64("community", 0, "add: the community of a new compound")
	compound := fs.Int64("compound", 0, "the compound (add a building to it; rename, retire it)")
	building := fs.Int64("building", 0, "the building (rename, move, retire it)")
	grid := fs.Int64("grid", 0, "add: a new building's grid; move: the building's new grid (its households move along)")
	name := fs.String("name", "", "add, rename: the name")
	address := fs.String("address", "", "add: a compound's address")
	year := fs.Int("built-year", 0, "add: the year a compound was built")
	floors := fs.Int("floors", 0, "add: a building's floors")
	units := fs.Int("units", 0, "add: a building's units (单元)")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := openStructure(ctx, *dsn, *keyFile, *format, out)
	if err != nil {
		return err
	}
	defer c.db.Close()
	one := func() error {
		if (*compound == 0) == (*building == 0) {
			return errors.New("give --compound or --building")
		}
		return nil
	}
	switch sub {
	case "list":
		return c.listPlaces(ctx)
	case "add":
		if *building != 0 || (*community == 0) == (*compound == 0) {
			return errors.New("give --community (a new compound) or --compound (a new building in it)")
		}
		if *community != 0 {
			return c.change(ctx, "place.add", func(ctx context.Context) (string, string, any, error) {
				cp := org.Compound{CommunityID: *community, Name: *name, Address: *address, BuiltYear: *year}
				err := c.st.CreateCompound(ctx, &cp)
				return fmt.Sprintf("compound:%d", cp.ID), fmt.Sprintf("added compound %s (id %d)", cp.Name, cp.ID), cp, cliField(err)
			})
		}
		return c.change(ctx, "place.add", func(ctx context.Context) (string, string, any, error) {
			b := org.Building{CompoundID: *compound, GridID: *grid, Name: *name, Floors: *floors, Units: *units}
			err := c.st.CreateBuilding(ctx, &b)
			return fmt.Sprintf("building:%d", b.ID), fmt.Sprintf("added building %s (id %d) in grid %d", b.Name, b.ID, b.GridID), b, cliField(err)
		})
	case "rename":
		if err := one(); err != nil {
			return err
		}
		if *compound != 0 {
			return c.change(ctx, "place.rename", func(ctx context.Context) (string, string, any, error) {
				cp, err := c.st.ChangeCompound(ctx, *compound, org.CompoundChange{Name: name})
				return fmt.Sprintf("compound:%d", *compound), "renamed compound to " + cp.Name, cp, cliField(err)
			})
		}
		return c.change(ctx, "place.rename", func(ctx context.Context) (string, string, any, error) {
			b, _, err := c.st.ChangeBuilding(ctx, *building, org.BuildingChange{Name: name})
			return fmt.Sprintf("building:%d", *building), "renamed building to " + b.Name, b, cliField(err)
		})
	case "move":
		if *building == 0 || *grid == 0 {
			return errors.New("give --building and --grid")
		}
		return c.change(ctx, "place.move", func(ctx context.Context) (string, string, any, error) {
			b, moved, err := c.st.ChangeBuilding(ctx, *building, org.BuildingChange{GridID: grid})
			return fmt.Sprintf("building:%d", *building), fmt.Sprintf("moved building %s to grid %d with %d households", b.Name, b.GridID, moved),
				map[string]any{"building": b, "households_moved": moved}, cliField(err)
		})
	case "retire":
		if err := one(); err != nil {
			return err
		}
		if *compound != 0 {
			return c.change(ctx, "place.retire", func(ctx context.Context) (string, string, any, error) {
				cp, err := c.st.RetireCompound(ctx, *compound)
				return fmt.Sprintf("compound:%d", *compound), "retired compound " + cp.Name, cp, cliField(err)
			})
		}
		return c.change(ctx, "place.retire", func(ctx context.Context) (string, string, any, error) {
			b, err := c.st.RetireBuilding(ctx, *building)
			return fmt.Sprintf("building:%d", *building), "retired building " + b.Name, b, cliField(err)
		})
	default:
		return errors.New("usage: wanhu place list|add|rename|move|retire --db … [--community ID | --compound ID | --building ID] [--grid ID] [--name N]")
	}
}

// listPlaces prints the compounds and their buildings, or their JSON.
func (c *structureCmd) listPlaces(ctx context.Context) error {
	cs, err := c.st.Compounds(ctx)
	if err != nil {
		return err
	}
	if c.format == "json" {
		if cs == nil {
			cs = []org.Compound{}
		}
		return writeJSON(c.out, cs)
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCOMPOUND/BUILDING\tCOMMUNITY/GRID\tFLOORS\tUNITS")
	for _, cp := range cs {
		fmt.Fprintf(tw, "%d\t%s\t%d\t\t\n", cp.ID, cp.Name, cp.CommunityID)
		for _, b := range cp.Buildings {
			fmt.Fprintf(tw, "%d\t  %s\t%d\t%d\t%d\n", b.ID, b.Name, b.GridID, b.Floors, b.Units)
		}
	}
	return tw.Flush()
}
