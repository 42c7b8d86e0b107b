package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/term"

	"wanhu/internal/store"
)

// parse parses args into fs; a flag not given on the command line takes its
// value from the environment variable WANHU_<NAME> (dashes as underscores),
// if set.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		env := "WANHU_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok && !given[f.Name] && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", env, e)
			}
		}
	})
	return err
}

// newFlags returns a flag set for a subcommand whose usage lists the
// environment variables too.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("wanhu "+name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: wanhu %s [flags]\n\nFlags (each also as WANHU_<FLAG>):\n", name)
		fs.PrintDefaults()
	}
	return fs
}

// logFlags adds --log-format and --log-level and returns a constructor for
// the logger they describe: text in a terminal, JSON otherwise, unless set.
func logFlags(fs *flag.FlagSet) func() *slog.Logger {
	format := fs.String("log-format", "auto", "log format: auto, text or json")
	level := fs.String("log-level", "info", "log level: debug, info, warn or error")
	return func() *slog.Logger {
		var lv slog.Level
		lv.UnmarshalText([]byte(*level))
		opts := &slog.HandlerOptions{Level: lv}
		var w io.Writer = os.Stderr
		if *format == "json" || *format == "auto" && !term.IsTerminal(int(os.Stderr.Fd())) {
			return slog.New(slog.NewJSONHandler(w, opts))
		}
		return slog.New(slog.NewTextHandler(w, opts))
	}
}

// openDB opens (and migrates) the database named by --db.
func openDB(ctx context.Context, dsn string) (*store.DB, error) {
	if dsn == "" {
		return nil, fmt.Errorf("--db is required: a SQLite file path or a postgres:// URL")
	}
	return store.Open(ctx, dsn)
}

// subcommand splits a leading word that is not a flag ("status", "add")
// off args.
func subcommand(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}
