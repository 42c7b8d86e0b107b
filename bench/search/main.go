// Command search is the household search benchmark of bench/search.sh:
// each search through the HTTP API, signed in as real accounts with their
// scopes (the city's administrator, a grid leader), against the very
// statements the store runs for that account in the engine's own shell
// (sqlite3 on the same file, psql on the same database).
//
//	search -base http://127.0.0.1:PORT -db DSN [-key FILE] [-users cityadmin,leader1]
//	       [-password demo-pass-2026] [-runs 11] [-sqlite3 sqlite3] [-psql psql] [-explain]
//
// The server must serve the same database (bench/search.sh starts one).
// For each account and query it prints the total, the plan's first
// statement, the median time of the API call (client side, the JSON read
// in full), the median time of the same statements in the shell (its
// start-up subtracted) and their ratio, and checks that both count the
// same.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"wanhu/bench/benchkit"
	"wanhu/internal/access"
	"wanhu/internal/auth"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "search:", err)
		os.Exit(1)
	}
}

// account is a signed-in user: their API token and scope.
type account struct {
	name  string
	token string
	scope org.Scope
}

func run(args []string) error {
	fs := flag.NewFlagSet("search", flag.ExitOnError)
	base := fs.String("base", "", "the server's address, http://127.0.0.1:PORT")
	dsn := fs.String("db", "", "the SQLite file or postgres:// URL the server serves")
	keyFile := fs.String("key", "", "its key file (default DB.key beside a SQLite file)")
	users := fs.String("users", "cityadmin,leader1", "accounts to sign in as")
	password := fs.String("password", "demo-pass-2026", "their password")
	runs := fs.Int("runs", 11, "timed runs of each side (after one warm-up)")
	sqlite3 := fs.String("sqlite3", "sqlite3", "the sqlite3 command-line shell")
	psql := fs.String("psql", "psql", "the psql command-line shell")
	explain := fs.Bool("explain", false, "print the plan of each statement")
	only := fs.String("q", "", "run only this query")
	fs.Parse(args)
	if *keyFile == "" && !store.IsPostgresURL(*dsn) {
		*keyFile = *dsn + ".key"
	}
	ctx := context.Background()
	db, err := store.OpenNoMigrate(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	keys, err := secret.Load(*keyFile)
	if err != nil {
		return err
	}
	db.SetKeys(keys)
	var accounts []account
	for _, name := range strings.Split(*users, ",") {
		u, err := auth.NewStore(db).UserByUsername(ctx, name)
		if err != nil {
			return fmt.Errorf("account %s: %w", name, err)
		}
		token, err := benchkit.Token(*base, name, *password)
		if err != nil {
			return err
		}
		accounts = append(accounts, account{name, token, access.Scope(u)})
	}
	qs, err := queries(ctx, db, accounts[len(accounts)-1].scope)
	if err != nil {
		return err
	}
	sh := newShell(db.Dialect(), *dsn, *sqlite3, *psql)
	fmt.Printf("%-10s %-28s %7s %-7s %9s %9s %7s\n", "account", "query", "total", "plan", "API (ms)", sh.cmd+" (ms)", "ratio")
	for _, a := range accounts {
		for _, q := range qs {
			if *only != "" && q.q != *only {
				continue
			}
			f := household.Filter{Q: q.q, PerPage: 20}
			st, err := household.ListSQL(ctx, db, a.scope, f)
			if err != nil {
				return fmt.Errorf("%s %q: %w", a.name, q.q, err)
			}
			var api []time.Duration
			var total int
			var more bool
			for i := 0; i <= *runs; i++ {
				start := time.Now()
				n, m, err := get(*base, a.token, q.q)
				if err != nil {
					return fmt.Errorf("%s %q: %w", a.name, q.q, err)
				}
				if i > 0 {
					api = append(api, time.Since(start))
				}
				total, more = n, m
			}
			shellTotal, err := sh.count(st)
			if err != nil {
				return fmt.Errorf("%s %q: %s: %w", a.name, q.q, sh.cmd, err)
			}
			if shellTotal != total {
				return fmt.Errorf("%s %q: the API counted %d, the same SQL in %s %d", a.name, q.q, total, sh.cmd, shellTotal)
			}
			bare, err := sh.time(st, *runs)
			if err != nil {
				return fmt.Errorf("%s %q: %s: %w", a.name, q.q, sh.cmd, err)
			}
			shown := fmt.Sprint(total)
			if more {
				shown += "+"
			}
			mo, mb := median(api), median(bare)
			fmt.Printf("%-10s %-28s %7s %-7s %9.1f %9.1f %6.2fx\n", a.name, q.label, shown, st.Plan, ms(mo), ms(mb), float64(mo)/float64(max(mb, time.Microsecond)))
			if *explain {
				for _, s := range append(slices.Clip(st.Asked), st.Count, st.Page) {
					if s.SQL == "" {
						continue
					}
					plan, err := sh.explain(s)
					if err != nil {
						return err
					}
					fmt.Print(indent(plan))
				}
			}
		}
	}
	return nil
}

// get runs search q through the API as the account of token and returns
// its total and whether that is a lower bound.
func get(base, token, q string) (int, bool, error) {
	req, err := http.NewRequest("GET", base+"/api/v1/households?per_page=20&q="+url.QueryEscape(q), nil)
	if err != nil {
		return 0, false, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, false, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, false, fmt.Errorf("status %d: %s", resp.StatusCode, body)
	}
	var l struct {
		Total int  `json:"total"`
		More  bool `json:"total_more"`
	}
	err = json.Unmarshal(body, &l)
	return l.Total, l.More, err
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}
