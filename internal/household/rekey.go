package household

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// sealedColumns are the columns that hold sealed values, in the rows
// where picks (all rows when empty). Their hashes do not depend on the
// encryption keys, so rotation leaves them alone. Accounts' TOTP secrets,
// the phones left with appointments and requests, and the names and
// emails of Open311 reporters are sealed too, so a rotation covers them
// although they are the auth, visit, request and open311 packages'.
var sealedColumns = []struct {
	table, key string
	cols       []string
	where      string
}{
	{"persons", "id", []string{"id_number", "phone", "health_notes"}, ""},
	{"households", "id", []string{"phone"}, ""},
	{"ledger_events", "id", []string{"before", "after"}, "field = 'health_notes'"},
	{"user_totp", "user_id", []string{"secret"}, ""},
	{"appointments", "id", []string{"phone"}, ""},
	{"requests", "id", []string{"reporter_phone"}, ""},
	{"open311_requests", "request_id", []string{"reporter_name", "reporter_email"}, ""},
}

// rowsOf is the condition of the rows of t that hold sealed values, with
// cond: "cond" or "where AND cond".
func rowsOf(where, cond string) string {
	if where == "" {
		return cond
	}
	return "(" + where + ") AND " + cond
}

// sealedWith is the condition "some column holds a value sealed with key
// id" (or, with not, "with another key than id").
func sealedWith(cols []string, id uint32, not bool) string {
	like := "LIKE"
	if not {
		like = "NOT LIKE"
	}
	pattern := "'" + secret.Prefix + strconv.FormatUint(uint64(id), 10) + ".%'"
	var or []string
	for _, c := range cols {
		or = append(or, "("+c+" IS NOT NULL AND "+c+" <> '' AND "+c+" "+like+" "+pattern+")")
	}
	return "(" + strings.Join(or, " OR ") + ")"
}

// CountSealedWith returns how many stored values are sealed with key id.
func CountSealedWith(ctx context.Context, db *store.DB, id uint32) (int, error) {
	total := 0
	for _, t := range sealedColumns {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.table+` WHERE `+rowsOf(t.where, sealedWith(t.cols, id, false))).Scan(&n); err != nil {
			return 0, fmt.Errorf("count %s sealed with key %d: %w", t.table, id, err)
		}
		total += n
	}
	return total, nil
}

// Reseal seals again under the current key every value sealed with another
// one, batch rows at a time, each batch in its own transaction, and returns
// how many rows it changed. Rows already under the current key are passed
// over, so a run that was interrupted continues where it stopped. progress
// (may be nil) is called after each batch with the rows done and the rows
// that needed it when the run began.
func Reseal(ctx context.Context, db *store.DB, batch int, progress func(done, total int)) (int, error) {
	keys := db.Keys()
	if keys == nil {
		return 0, secret.ErrNoKeys
	}
	if batch <= 0 {
		batch = 500
	}
	current := keys.Current()
	total, err := countNotSealedWith(ctx, db, current)
	if err != nil {
		return 0, err
	}
	done := 0
	// A server that has not yet noticed the new key may write under the
	// old one behind the first pass; a second pass picks those up.
	for pass := 0; pass < 3; pass++ {
		if pass > 0 {
			left, err := countNotSealedWith(ctx, db, current)
			if err != nil || left == 0 {
				return done, err
			}
			total = done + left
		}
		if err := resealPass(ctx, db, current, batch, &done, total, progress); err != nil {
			return done, err
		}
	}
	return done, nil
}

func countNotSealedWith(ctx context.Context, db *store.DB, current uint32) (int, error) {
	total := 0
	for _, t := range sealedColumns {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.table+` WHERE `+rowsOf(t.where, sealedWith(t.cols, current, true))).Scan(&n); err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// resealPass walks every table once, from the first id to the last.
func resealPass(ctx context.Context, db *store.DB, current uint32, batch int, done *int, total int, progress func(done, total int)) error {
	for _, t := range sealedColumns {
		last := int64(0)
		for {
			n := 0
			err := db.InTx(ctx, func(tx *store.Tx) error {
				var err error
				n, last, err = resealBatch(ctx, tx, t.table, t.key, t.cols, t.where, current, last, batch)
				return err
			})
			if err != nil {
				return fmt.Errorf("re-encrypt %s: %w", t.table, err)
			}
			if n == 0 {
				break
			}
			*done += n
			if progress != nil {
				progress(*done, total)
			}
		}
	}
	return nil
}

// resealBatch re-encrypts up to batch rows of table after id last that hold
// a value under another key than current, locking them first, and returns
// how many it changed and the last id it saw.
func resealBatch(ctx context.Context, tx *store.Tx, table, key string, cols []string, where string, current uint32, last int64, batch int) (int, int64, error) {
	lock := ""
	if tx.Dialect() == store.Postgres {
		lock = " FOR UPDATE"
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+key+`, `+coalesced(cols)+` FROM `+table+` WHERE `+key+` > ? AND `+
		rowsOf(where, sealedWith(cols, current, true))+` ORDER BY `+key+` LIMIT ?`+lock, last, batch)
	if err != nil {
		return 0, last, err
	}
	type row struct {
		id   int64
		vals []string
	}
	var todo []row
	for rows.Next() {
		r := row{vals: make([]string, len(cols))}
		dest := []any{&r.id}
		for i := range r.vals {
			dest = append(dest, &r.vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return 0, last, err
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, last, err
	}
	keys := tx.Keys()
	var set []string
	for _, c := range cols {
		set = append(set, c+" = ?")
	}
	update := `UPDATE ` + table + ` SET ` + strings.Join(set, ", ") + ` WHERE ` + key + ` = ?`
	for _, r := range todo {
		args := make([]any, 0, len(cols)+1)
		for i, v := range r.vals {
			id, ok := secret.KeyID(v)
			if !ok && v != "" {
				return 0, last, fmt.Errorf("%s %d %s: %w", table, r.id, cols[i], secret.ErrCorrupt)
			}
			if ok && id != current {
				plain, err := keys.Open(v)
				if err != nil {
					return 0, last, fmt.Errorf("%s %d %s: %w", table, r.id, cols[i], err)
				}
				if v, err = keys.Seal(plain); err != nil {
					return 0, last, err
				}
			}
			args = append(args, keepNull(cols[i], v))
		}
		if _, err := tx.ExecContext(ctx, update, append(args, r.id)...); err != nil {
			return 0, last, err
		}
		last = r.id
	}
	return len(todo), last, nil
}

func coalesced(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = "COALESCE(" + c + ", '')"
	}
	return strings.Join(out, ", ")
}

// keepNull writes back "" as NULL in id_number, the one nullable sealed
// column.
func keepNull(col, v string) any {
	if col == "id_number" {
		return nullString(v)
	}
	return v
}

// doneOnce says whether the one-off job marked by setting key has run on
// this database (markDone).
func doneOnce(ctx context.Context, db *store.DB, key string) (bool, error) {
	var v string
	err := db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// markDone marks the one-off job of setting key as run.
func markDone(ctx context.Context, db *store.DB, key string) error {
	_, err := db.ExecContext(ctx, `INSERT INTO settings(key, value, updated_at) VALUES (?, '1', ?) ON CONFLICT (key) DO NOTHING`,
		key, time.Now().UTC())
	return err
}

// sealedHealthNotes is the setting that says every health note is sealed.
const sealedHealthNotes = "health_notes_sealed"

// SealHealthNotes seals the health notes that databases made before they
// were sealed still hold in clear (persons and the ledger's record of
// their changes), batch rows at a time, and then marks the database so
// later starts only look at the mark. It returns how many rows it sealed.
// Several servers may run it at once: a row is changed only while it
// still holds the clear text read.
func SealHealthNotes(ctx context.Context, db *store.DB, batch int) (int, error) {
	if done, err := doneOnce(ctx, db, sealedHealthNotes); done || err != nil {
		return 0, err
	}
	keys := db.Keys()
	if keys == nil {
		return 0, secret.ErrNoKeys
	}
	n := 0
	for _, t := range []struct{ table, where string }{{"persons", "1 = 1"}, {"ledger_events", "field = 'health_notes'"}} {
		for _, col := range []string{"health_notes", "before", "after"} {
			if (t.table == "persons") != (col == "health_notes") {
				continue
			}
			m, err := sealClear(ctx, db, keys, t.table, col, t.where, batch)
			n += m
			if err != nil {
				return n, fmt.Errorf("seal %s.%s: %w", t.table, col, err)
			}
		}
	}
	return n, markDone(ctx, db, sealedHealthNotes)
}

// sealClear seals the clear values of column col of table in the rows
// where picks, batch at a time.
func sealClear(ctx context.Context, db *store.DB, keys *secret.Keyring, table, col, where string, batch int) (int, error) {
	if batch <= 0 {
		batch = 500
	}
	n := 0
	for {
		rows, err := db.QueryContext(ctx, `SELECT id, `+col+` FROM `+table+` WHERE `+where+` AND `+col+` <> '' AND `+col+
			` NOT LIKE '`+secret.Prefix+`%' ORDER BY id LIMIT ?`, batch)
		if err != nil {
			return n, err
		}
		type row struct {
			id    int64
			clear string
		}
		var todo []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.clear); err != nil {
				rows.Close()
				return n, err
			}
			todo = append(todo, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(todo) == 0 {
			return n, err
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			for _, r := range todo {
				sealed, err := keys.Seal(r.clear)
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET `+col+` = ? WHERE id = ? AND `+col+` = ?`, sealed, r.id, r.clear); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(todo)
	}
}
