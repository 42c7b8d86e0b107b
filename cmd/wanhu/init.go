package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/setup"
	"wanhu/internal/store"
)

// runInit sets up a community on an empty database (internal/setup): the
// key file if absent, the places from the city down to the community,
// its grids and the first administrator. What the flags leave out it
// asks on the terminal; with every flag given it never asks. On a
// database that is not empty it changes nothing and fails.
func runInit(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("init")
	dsn := fs.String("db", "", "database to set up: a SQLite file path (created) or a postgres:// URL")
	keyFile := keyFileFlag(fs)
	var p setup.Plan
	fs.StringVar(&p.City, "city", "", "the city (市), e.g. 西宁市")
	fs.StringVar(&p.District, "district", "", "the district (区), e.g. 城东区")
	fs.StringVar(&p.Street, "street", "", "the street or town (街道/镇), e.g. 韵家口镇")
	fs.StringVar(&p.Community, "community", "", "the community (社区), e.g. 东兴社区")
	fs.IntVar(&p.Grids, "grids", 0, fmt.Sprintf("how many grids the community has (1–%d), numbered 1… and named 第一网格…", setup.MaxGrids))
	fs.StringVar(&p.AdminUsername, "admin-username", "", "username of the first administrator (admin over the city)")
	fs.StringVar(&p.AdminPassword, "admin-password", "", "their password (at least 10 characters, not a common one)")
	fs.StringVar(&p.AdminName, "admin-name", "", "their name as the app shows it (default: the username)")
	fs.DurationVar(&p.TOTPGrace, "totp-grace", setup.DefaultTOTPGrace, "how long the administrator may sign in to the API with the password alone before setting up two-step sign-in on the web (0: not at all)")
	if err := parse(fs, args); err != nil {
		return err
	}
	keyPath, err := initKeyPath(*dsn, *keyFile)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if reason, err := setup.Initialised(ctx, db); err != nil {
		return err
	} else if reason != "" {
		return &setup.InitialisedError{Reason: reason}
	}
	if err := ask(fs, &p, newTerminal(os.Stdin, os.Stderr)); err != nil {
		return err
	}
	if err := p.Check(true); err != nil {
		return planFlagError(err)
	}
	keys, err := ensureKeyFile(keyPath, out)
	if err != nil {
		return fmt.Errorf("--key-file: %w", err)
	}
	db.SetKeys(keys)
	res, err := setup.Run(ctx, db, p, audit.Entry{Username: cliUser(), Role: "cli"})
	if err != nil {
		return planFlagError(err)
	}
	printInit(out, *dsn, keyPath, res)
	return nil
}

// initKeyPath is the key file init uses: the given one, or DB.key beside
// a SQLite database; PostgreSQL needs --key-file.
func initKeyPath(dsn, keyFile string) (string, error) {
	switch {
	case dsn == "":
		return "", errors.New("--db is required: a SQLite file path or a postgres:// URL")
	case keyFile != "":
		return keyFile, nil
	case store.IsPostgresURL(dsn):
		return "", errors.New("--key-file is required with PostgreSQL: where to keep (or find) the keys of ID and phone numbers")
	}
	return dsn + ".key", nil
}

// flagNames are the flags of the plan's fields, for errors.
var flagNames = map[string]string{"city": "--city", "district": "--district", "street": "--street", "community": "--community",
	"grids": "--grids", "admin_username": "--admin-username", "admin_password": "--admin-password", "admin_display_name": "--admin-name",
	"totp_grace": "--totp-grace"}

// planFlagError names the flag of a FieldError of the plan.
func planFlagError(err error) error {
	if fe, ok := apperr.AsField(err); ok {
		if f, ok := flagNames[fe.Field]; ok {
			return fmt.Errorf("%s: %s", f, fe.Msg)
		}
	}
	return err
}

// printInit says what init made and what comes next.
func printInit(out io.Writer, dsn, keyPath string, res *setup.Result) {
	fmt.Fprintf(out, "Set up %s > %s > %s > %s with %d grids (%s … %s).\n", res.City.Name, res.District.Name, res.Street.Name,
		res.Community.Name, len(res.Grids), res.Grids[0].Name, res.Grids[len(res.Grids)-1].Name)
	fmt.Fprintf(out, "Administrator: %s (admin over %s).\n", res.Admin.Username, res.City.Name)
	fmt.Fprintf(out, "\nStart the server:  wanhu serve --db %s --key-file %s\n", store.Redact(dsn), keyPath)
	fmt.Fprintf(out, "At their first sign-in on the web, %s sets up two-step sign-in (an authenticator app); the API asks for it too", res.Admin.Username)
	if !res.GraceUntil.IsZero() {
		fmt.Fprintf(out, " from %s (until then POST /api/v1/auth/login takes the password alone)", res.GraceUntil.In(calendar.China).Format("2006-01-02 15:04"))
	}
	fmt.Fprintln(out, ".")
}

// terminal asks for what the flags left out: prompts on w, answers from
// r, a password without echo when r is a terminal.
type terminal struct {
	in  *bufio.Reader
	out io.Writer
	fd  int // r's descriptor when it is a terminal, else -1
}

func newTerminal(r io.Reader, w io.Writer) *terminal {
	t := &terminal{in: bufio.NewReader(r), out: w, fd: -1}
	if f, ok := r.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		t.fd = int(f.Fd())
	}
	return t
}

// line asks for one answer; io.EOF means none came.
func (t *terminal) line(prompt string) (string, error) {
	fmt.Fprint(t.out, prompt)
	s, err := t.in.ReadString('\n')
	if err == io.EOF && s != "" {
		err = nil
	}
	return strings.TrimSpace(s), err
}

// password asks for a password, twice and without echo on a terminal.
func (t *terminal) password(prompt string) (string, error) {
	if t.fd < 0 {
		return t.line(prompt)
	}
	read := func(p string) (string, error) {
		fmt.Fprint(t.out, p)
		b, err := term.ReadPassword(t.fd)
		fmt.Fprintln(t.out)
		return string(b), err
	}
	pw, err := read(prompt)
	if err != nil {
		return "", err
	}
	again, err := read("再输入一次 / Again: ")
	if err != nil {
		return "", err
	}
	if pw != again {
		return "", errors.New("the two passwords differ")
	}
	return pw, nil
}

// ask fills the fields of p whose flags were not given, one prompt each.
func ask(fs *flag.FlagSet, p *setup.Plan, t *terminal) error {
	for _, q := range []struct {
		flag, prompt string
		to           *string
	}{
		{"city", "城市 City (e.g. 西宁市): ", &p.City},
		{"district", "区 District (e.g. 城东区): ", &p.District},
		{"street", "街道/镇 Street or town (e.g. 韵家口镇): ", &p.Street},
		{"community", "社区 Community (e.g. 东兴社区): ", &p.Community},
		{"grids", "网格数 Number of grids: ", nil},
		{"admin-username", "管理员用户名 Administrator's username: ", &p.AdminUsername},
		{"admin-password", "管理员密码 Administrator's password: ", &p.AdminPassword},
	} {
		if flagSet(fs, q.flag) || q.to != nil && *q.to != "" || q.to == nil && p.Grids != 0 {
			continue
		}
		var v string
		var err error
		if q.flag == "admin-password" {
			v, err = t.password(q.prompt)
		} else {
			v, err = t.line(q.prompt)
		}
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("--%s is required (no answer on standard input)", q.flag)
		}
		if err != nil {
			return err
		}
		if q.to != nil {
			*q.to = v
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("--grids: %q is not a number", v)
		}
		p.Grids = n
	}
	return nil
}
