package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

func runHousehold(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	fs := newFlags("household " + sub)
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	grid := fs.Int64("grid", 0, "list: only this grid (its id, as in GET /api/v1/grids)")
	colour := fs.String("colour", "", "list: red, yellow or green")
	kind := fs.String("kind", "", "list: residential, commercial or mixed")
	tag := fs.String("tag", "", "list: households with this tag, or a member with it")
	q := fs.String("q", "", "list: search a name prefix, address, phone or ID number")
	format := fs.String("format", "json", "output: json or csv (list), json or text (show)")
	id := fs.Int64("id", 0, "show: household id")
	on := fs.String("on", "", "recolour: as on this China day (YYYY-MM-DD; default today), for checks and benchmarks")
	since := fs.String("since", "", "recolour: only the households with a member whose age moved since this day (YYYY-MM-DD, at most 31 days before), as the server's daily job does; default all")
	keyFile := keyFileFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openSealedDB(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	hs := household.NewStore(db)
	switch sub {
	case "list":
		items, total, err := hs.List(ctx, household.Filter{GridID: *grid, Colour: household.Colour(*colour),
			Kind: household.Kind(*kind), Tag: *tag, Q: *q, PerPage: -1})
		if err != nil {
			return err
		}
		switch *format {
		case "json":
			return writeJSON(out, map[string]any{"items": items, "total": total})
		case "csv":
			return writeHouseholdCSV(out, items)
		}
		return fmt.Errorf("--format must be json or csv")
	case "show":
		h, err := hs.HouseholdByID(ctx, *id)
		if err != nil {
			return fmt.Errorf("household %d: %w", *id, err)
		}
		// Like every face, the CLI shows ID and phone numbers masked (the
		// store masks them); the full values are for the audited reveal of
		// the web and API.
		if *format == "text" {
			return writeHouseholdText(out, h)
		}
		return writeJSON(out, h)
	case "recolour":
		actor := household.Actor{Name: "wanhu household recolour"}
		if *on == "" && *since == "" {
			n, err := hs.Recolour(ctx, actor)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%d households changed colour\n", n)
			return nil
		}
		today, from := calendar.Today(), calendar.Date{}
		var fromAt time.Time
		if *on != "" {
			if today, err = calendar.ParseDate("on", *on); err != nil {
				return fmt.Errorf("--on %q: give a day as YYYY-MM-DD", *on)
			}
		}
		if *since != "" {
			if from, err = calendar.ParseDate("since", *since); err != nil {
				return fmt.Errorf("--since %q: give a day as YYYY-MM-DD", *since)
			}
			fromAt = from.Midnight()
		}
		r, err := hs.RecolourDaily(ctx, actor, from, fromAt, today)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%d households changed colour, %d read (%s)\n", r.Changed, r.Read, r.Why)
		return nil
	}
	return fmt.Errorf("usage: wanhu household list|show|recolour --db … (recolour recomputes colours as ages move on; wanhu serve does it daily, see --daily-at)")
}

func writeJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeHouseholdCSV writes households as CSV with Chinese headers and a
// byte-order mark, so Excel opens it correctly.
func writeHouseholdCSV(out io.Writer, items []household.Household) error {
	io.WriteString(out, "\ufeff")
	w := csv.NewWriter(out)
	w.Write([]string{"编号", "网格", "地址", "类型", "商户名称", "居住情况", "户主", "人数", "颜色", "原因", "电话"})
	for _, h := range items {
		var why []string
		for _, r := range h.ColourReasons {
			why = append(why, r.NameZH)
		}
		w.Write([]string{strconv.FormatInt(h.ID, 10), h.GridName, h.Address, string(h.Kind), h.ShopName, h.Occupancy,
			h.Householder, strconv.Itoa(h.MemberCount), string(h.Colour), strings.Join(why, "；"), h.Phone})
	}
	w.Flush()
	return w.Error()
}

func writeHouseholdText(out io.Writer, h *household.Household) error {
	fmt.Fprintf(out, "一户一档 #%d  %s  (%s)\n", h.ID, h.Address, h.GridName)
	fmt.Fprintf(out, "颜色: %s", h.Colour)
	for _, r := range h.ColourReasons {
		fmt.Fprintf(out, "  [%s %s]", r.NameZH, r.Person)
	}
	fmt.Fprintf(out, "\n类型: %s %s  居住: %s  电话: %s  标签: %s\n", h.Kind, h.ShopName, h.Occupancy,
		h.Phone, strings.Join(h.Tags, ","))
	for _, p := range h.Members {
		state := ""
		if !p.Current() {
			state = " (不在户)"
		}
		fmt.Fprintf(out, "  %-6s %-12s %s %3d岁 %s %s%s\n", p.Name, p.Relation, p.Gender, p.Age,
			p.IDNumber, strings.Join(p.Tags, ","), state)
	}
	for _, n := range h.Needs {
		fmt.Fprintf(out, "  需求: %s %s %s\n", n.Kind, n.Status, n.Note)
	}
	for _, m := range h.Measures {
		fmt.Fprintf(out, "  一户一策: %s %s %s %s\n", m.Kind, m.Frequency, m.Status, m.OwnerName)
	}
	return nil
}
