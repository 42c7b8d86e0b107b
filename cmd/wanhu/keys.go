package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"

	"wanhu/internal/audit"
	"wanhu/internal/household"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// keyFileFlag adds --key-file: the file of the keys that seal ID numbers and
// phone numbers (internal/secret). It is never stored in the database.
func keyFileFlag(fs *flag.FlagSet) *string {
	return fs.String("key-file", "", "key file that encrypts ID and phone numbers (default for a SQLite database: DB.key beside it, if present)")
}

// keyFileFor returns the key file to use with dsn: the given one, or
// "<db>.key" beside a SQLite database, or "" when there is none.
func keyFileFor(dsn, keyFile string) string {
	if keyFile != "" {
		return keyFile
	}
	if dsn != "" && !store.IsPostgresURL(dsn) && secret.Exists(dsn+".key") {
		return dsn + ".key"
	}
	return ""
}

// openSealedDB opens the database like openDB and gives it the keys of the
// key file (see keyFileFor), then seals what an older version left in
// clear (health notes). Without a key file it opens anyway, and reading or
// writing ID and phone numbers fails naming --key-file.
func openSealedDB(ctx context.Context, dsn, keyFile string) (*store.DB, error) {
	var keys *secret.Keyring
	if path := keyFileFor(dsn, keyFile); path != "" {
		var err error
		if keys, err = secret.Load(path); err != nil {
			return nil, fmt.Errorf("--key-file: %w", err)
		}
	}
	db, err := openDB(ctx, dsn)
	if err != nil {
		return nil, err
	}
	db.SetKeys(keys)
	if keys != nil {
		if err := sealLeftovers(ctx, db); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// sealLeftovers seals the health notes that a database made before they
// were sealed keeps in clear, and derives the search forms (pinyin, the
// hash of a phone's last four digits) of rows written before they
// existed; once done, each only reads a mark.
func sealLeftovers(ctx context.Context, db *store.DB) error {
	if _, err := household.SealHealthNotes(ctx, db, 0); err != nil {
		return fmt.Errorf("seal the health notes kept in clear: %w", err)
	}
	if _, err := household.FillSearchForms(ctx, db, 0); err != nil {
		return fmt.Errorf("derive the search forms of households and persons: %w", err)
	}
	return nil
}

// ensureKeyFile loads the key file at path, creating it when absent, and
// says so on out.
func ensureKeyFile(path string, out io.Writer) (*secret.Keyring, error) {
	if secret.Exists(path) {
		return secret.Load(path)
	}
	k, err := secret.NewKeyFile(path)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "Created the key file %s (mode 0600). Keep it safe and out of backups of the database: without it the ID and phone numbers cannot be read.\n", path)
	return k, nil
}

// demoKeys gives the demo database its key file: the given one, or
// "<db>.key" beside a SQLite file, or wanhu-demo.key for PostgreSQL,
// created when absent, unless the database already holds data sealed with
// a key that is now missing.
func demoKeys(db *store.DB, dsn, keyFile string, hasData bool, out io.Writer) error {
	path := keyFile
	switch {
	case path != "":
	case store.IsPostgresURL(dsn):
		path = "wanhu-demo.key"
	default:
		path = dsn + ".key"
	}
	if hasData && !secret.Exists(path) {
		return fmt.Errorf("the demo database holds data sealed with a key file that is missing (%s): give --key-file, or start over with a new database", path)
	}
	keys, err := ensureKeyFile(path, out)
	if err != nil {
		return fmt.Errorf("--key-file: %w", err)
	}
	db.SetKeys(keys)
	return nil
}

func runKey(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	fs := newFlags("key " + sub)
	dsn := fs.String("db", "", "rotate, retire: database, a SQLite file path or a postgres:// URL")
	keyFile := keyFileFlag(fs)
	keyID := fs.Uint("key-id", 0, "retire: id of the key to remove from the key file")
	batch := fs.Int("batch", 1000, "rotate: rows re-encrypted per transaction")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch sub {
	case "new":
		if *keyFile == "" {
			return errors.New("--key-file is required: where to create the key file")
		}
		if secret.Exists(*keyFile) {
			return fmt.Errorf("%s exists already; it is not overwritten (its keys may be the only way to read a database)", *keyFile)
		}
		_, err := ensureKeyFile(*keyFile, out)
		return err
	case "rotate", "retire":
	default:
		return fmt.Errorf("unknown key command %q: use new, rotate or retire", sub)
	}
	path := keyFileFor(*dsn, *keyFile)
	if path == "" {
		return errors.New("--key-file is required (or WANHU_KEY_FILE)")
	}
	db, err := openSealedDB(ctx, *dsn, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "retire" {
		return retireKey(ctx, db, uint32(*keyID), out)
	}
	return rotateKeys(ctx, db, *batch, out)
}

// rotateKeys adds a new current key (or resumes a rotation that was
// interrupted), re-encrypts every value under it and says which keys may
// now be retired.
func rotateKeys(ctx context.Context, db *store.DB, batch int, out io.Writer) (err error) {
	keys := db.Keys()
	resuming := keys.Rotating()
	id, err := keys.BeginRotation()
	if err != nil {
		return err
	}
	obj := "key:" + strconv.FormatUint(uint64(id), 10)
	defer func() {
		res, detail := audit.OK, "every value re-encrypted under the new key"
		if err != nil {
			res, detail = audit.Error, "interrupted; run wanhu key rotate again to continue"
		}
		if aerr := audit.New(db).Record(context.WithoutCancel(ctx), audit.Entry{Username: cliUser(), Role: "cli",
			Action: "key.rotate", Object: obj, Result: res, Detail: detail}); aerr != nil && err == nil {
			err = aerr
		}
	}()
	if resuming {
		fmt.Fprintf(out, "Resuming the rotation to key %d in %s.\n", id, keys.Path())
	} else {
		fmt.Fprintf(out, "Added key %d to %s; it is now the current key.\n", id, keys.Path())
	}
	n, err := household.Reseal(ctx, db, batch, func(done, total int) {
		fmt.Fprintf(out, "\r  re-encrypted %d / %d rows", done, total)
	})
	if err != nil {
		fmt.Fprintf(out, "\nStopped after %d rows; run the same command again to continue.\n", n)
		return err
	}
	if err := keys.EndRotation(); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nDone: %d rows re-encrypted, every value is under key %d.\n", n, id)
	old := slices.DeleteFunc(keys.IDs(), func(k uint32) bool { return k == id })
	for _, k := range old {
		fmt.Fprintf(out, "Key %d can now be retired (every server must have the new key file): wanhu key retire --key-id %d\n", k, k)
	}
	return nil
}

// retireKey removes a key from the key file, refusing while any stored value
// is still sealed with it.
func retireKey(ctx context.Context, db *store.DB, id uint32, out io.Writer) (err error) {
	if id == 0 {
		return errors.New("--key-id is required")
	}
	if id == db.Keys().Current() {
		return fmt.Errorf("key %d is the current key: rotate first (wanhu key rotate)", id)
	}
	n, err := household.CountSealedWith(ctx, db, id)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("key %d still seals %d values: run wanhu key rotate first", id, n)
	}
	if err := db.Keys().Retire(id); err != nil {
		return err
	}
	fmt.Fprintf(out, "Key %d removed from %s.\n", id, db.Keys().Path())
	return audit.New(db).Record(ctx, audit.Entry{Username: cliUser(), Role: "cli", Action: "key.retire",
		Object: "key:" + strconv.FormatUint(uint64(id), 10), Result: audit.OK})
}

// cliUser names who ran a command, for the audit log: the operating
// system's user.
func cliUser() string {
	for _, v := range []string{"USER", "USERNAME"} {
		if u := os.Getenv(v); u != "" {
			return "cli:" + u
		}
	}
	return "cli"
}
