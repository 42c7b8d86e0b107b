package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"text/tabwriter"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/export"
	"wanhu/internal/org"
	"wanhu/internal/staff"
)

// runStaffHours is `wanhu staff hours`: the hours of service of the whole
// team by month, or one member's service record.
func runStaffHours(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("staff hours")
	dsn := fs.String("db", "wanhu.db", "database: a SQLite file path or a postgres:// URL")
	month := fs.String("month", "", "one month, YYYY-MM (default: --from … --to, or this year)")
	from := fs.String("from", "", "first day, YYYY-MM-DD")
	to := fs.String("to", "", "last day, YYYY-MM-DD (default today in China)")
	member := fs.Int64("member", 0, "one team member (their id); with --format xlsx their service record")
	format := fs.String("format", "text", "text, json or xlsx (xlsx needs --member)")
	outFile := fs.String("out", "", "write to this file instead of standard output")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !slices.Contains([]string{"text", "json", "xlsx"}, *format) {
		return fmt.Errorf("--format %q: give text, json or xlsx", *format)
	}
	if *format == "xlsx" && *member == 0 {
		return errors.New("--format xlsx: give --member, whose service record it is")
	}
	p, err := staff.PeriodOf(*from, *to, calendar.Today())
	if *month != "" && err == nil {
		p.From, p.To, err = staff.MonthOf("month", *month)
	}
	if fe, ok := apperr.AsField(err); ok {
		return fmt.Errorf("--%s: %s", fe.Field, fe.Msg)
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	hs, err := staff.Hours(ctx, db, org.Everything, p.From, p.To, *member)
	if errors.Is(err, apperr.ErrNotFound) {
		return fmt.Errorf("--member %d: no such team member", *member)
	}
	if err != nil {
		return err
	}
	if *outFile != "" {
		f, err := os.Create(*outFile)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	switch *format {
	case "json":
		b, err := json.Marshal(map[string]any{"from": p.From, "to": p.To, "items": hs, "total": len(hs)})
		if err != nil {
			return err
		}
		_, err = out.Write(append(b, '\n'))
		return err
	case "xlsx":
		t, err := staff.LoadTargets(ctx, db)
		if err != nil {
			return err
		}
		items, err := staff.Service(ctx, db, t, p.From, p.To, *member)
		if err != nil {
			return err
		}
		w, err := export.NewXLSX(out, "服务记录", staff.ServiceColumns)
		if err == nil {
			err = staff.WriteService(w, hs[0], items)
		}
		if err == nil {
			err = w.Close()
		}
		return err
	}
	fmt.Fprintf(out, "hours of service %s to %s\n", p.From, p.To)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprint(tw, "ID\tNAME\tROLE\tGRID")
	if len(hs) > 0 {
		for _, m := range hs[0].Months {
			fmt.Fprint(tw, "\t"+m.Month)
		}
	}
	fmt.Fprintln(tw, "\tTOTAL")
	for _, m := range hs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s", m.MemberID, m.Name, m.Role, m.GridName)
		for _, mo := range m.Months {
			fmt.Fprint(tw, "\t"+strconv.FormatFloat(mo.Total, 'f', -1, 64))
		}
		fmt.Fprintf(tw, "\t%s\n", strconv.FormatFloat(m.Total, 'f', -1, 64))
	}
	return tw.Flush()
}
