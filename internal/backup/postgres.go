package backup

// PostgreSQL: the backup holds each of Wanhu's tables in COPY's text
// format, copied through pgx on one connection in one REPEATABLE READ READ
// ONLY transaction, so every table is of the same moment while the
// servers go on writing. The sequences are read in it too: their values
// are not transactional, so they may run ahead of the rows, never behind.
//
// Restore drops Wanhu's tables of the target schema, migrates it to the
// backup's schema version, and then, in one transaction, drops the
// foreign keys, empties the tables (the migrations seed some), loads each
// with COPY (checking its row count against the manifest), adds the
// foreign keys back (which checks them) and sets the sequences, as
// pg_restore does. If it fails, the schema is left migrated and empty.

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"wanhu/internal/store"
)

// afterTable, when set (by tests), is called after each table is copied
// into a backup.
var afterTable func(table string)

// withPgx runs fn on one connection of db as a pgx connection.
func withPgx(ctx context.Context, db *store.DB, fn func(c *pgx.Conn) error) error {
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("backup: not a pgx connection")
		}
		return fn(c.Conn())
	})
}

// snapshotPostgres copies Wanhu's tables of db into zw and fills m.
func snapshotPostgres(ctx context.Context, db *store.DB, zw *zip.Writer, m *Manifest) error {
	tables, err := db.WanhuTables(ctx)
	if err != nil {
		return err
	}
	return withPgx(ctx, db, func(c *pgx.Conn) error {
		tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return fmt.Errorf("backup: begin: %w", err)
		}
		defer tx.Rollback(ctx)
		// The first query takes the snapshot.
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM `+store.VersionTable).Scan(&m.Schema); err != nil {
			return fmt.Errorf("not a Wanhu database (%s): %w", store.VersionTable, err)
		}
		if err := tx.QueryRow(ctx, `SHOW server_version`).Scan(&m.Server); err != nil {
			return err
		}
		for _, t := range tables {
			cols, err := columns(ctx, tx, t)
			if err != nil {
				return err
			}
			w, err := entry(zw, tablesDir+t+".copy", m.MadeAt)
			if err != nil {
				return err
			}
			tag, err := c.PgConn().CopyTo(ctx, w, `COPY `+t+` (`+strings.Join(cols, ", ")+`) TO STDOUT`)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t, err)
			}
			m.Tables = append(m.Tables, Table{Name: t, Columns: cols, Rows: tag.RowsAffected()})
			if afterTable != nil {
				afterTable(t)
			}
		}
		if m.Sequences, err = sequences(ctx, tx); err != nil {
			return err
		}
		m.Keys, err = scanKeyUse(ctx, func(ctx context.Context, q string) (string, bool, error) {
			var v string
			err := tx.QueryRow(ctx, q).Scan(&v)
			if errors.Is(err, pgx.ErrNoRows) {
				return "", false, nil
			}
			return v, err == nil, err
		})
		if err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// columns returns the columns of table t in the current schema, in order.
func columns(ctx context.Context, tx pgx.Tx, t string) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, t)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", t, err)
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", t, err)
	}
	return cols, nil
}

// sequences returns the sequences of the current schema with their
// values, read from each (pg_sequences shows none for a sequence set by
// setval(…, false)), but goose's, whose table restore makes anew.
func sequences(ctx context.Context, tx pgx.Tx) ([]Sequence, error) {
	rows, err := tx.Query(ctx, `SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() ORDER BY sequencename`)
	if err != nil {
		return nil, fmt.Errorf("sequences: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("sequences: %w", err)
	}
	var seqs []Sequence
	for _, name := range names {
		if name == store.VersionTable+"_id_seq" {
			continue
		}
		s := Sequence{Name: name}
		if err := tx.QueryRow(ctx, `SELECT last_value, is_called FROM `+pgx.Identifier{name}.Sanitize()).Scan(&s.Value, &s.Called); err != nil {
			return nil, fmt.Errorf("sequence %s: %w", name, err)
		}
		seqs = append(seqs, s)
	}
	return seqs, nil
}

// restorePostgres replaces Wanhu's tables of db with the backup zr holds
// (described by m).
func restorePostgres(ctx context.Context, db *store.DB, zr *zip.Reader, m Manifest) error {
	if err := db.DropWanhuTables(ctx); err != nil {
		return err
	}
	if err := db.MigrateTo(ctx, m.Schema); err != nil {
		return err
	}
	tables, err := db.WanhuTables(ctx)
	if err != nil {
		return err
	}
	return withPgx(ctx, db, func(c *pgx.Conn) error {
		tx, err := c.Begin(ctx)
		if err != nil {
			return fmt.Errorf("restore: begin: %w", err)
		}
		defer tx.Rollback(ctx)
		fks, err := dropForeignKeys(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `TRUNCATE `+strings.Join(tables, ", ")); err != nil {
			return fmt.Errorf("restore: empty the tables: %w", err)
		}
		for _, t := range m.Tables {
			if err := loadTable(ctx, c, zr, t); err != nil {
				return err
			}
		}
		for _, fk := range fks {
			if _, err := tx.Exec(ctx, `ALTER TABLE `+fk.table+` ADD CONSTRAINT `+fk.name+` `+fk.def); err != nil {
				return fmt.Errorf("restore: the backup breaks the foreign key %s of %s: %w", fk.name, fk.table, err)
			}
		}
		for _, s := range m.Sequences {
			if _, err := tx.Exec(ctx, `SELECT setval(quote_ident($1)::regclass, $2, $3)`, s.Name, s.Value, s.Called); err != nil {
				return fmt.Errorf("restore: sequence %s: %w", s.Name, err)
			}
		}
		return tx.Commit(ctx)
	})
}

// loadTable loads table t from its entry of zr with COPY, and checks it
// loaded as many rows as the manifest says.
func loadTable(ctx context.Context, c *pgx.Conn, zr *zip.Reader, t Table) error {
	f, err := zr.Open(tablesDir + t.Name + ".copy")
	if err != nil {
		return fmt.Errorf("the backup holds no data of %s: %w", t.Name, err)
	}
	defer f.Close()
	tag, err := c.PgConn().CopyFrom(ctx, f, `COPY `+t.Name+` (`+strings.Join(t.Columns, ", ")+`) FROM STDIN`)
	if err != nil {
		return fmt.Errorf("restore %s: %w", t.Name, err)
	}
	if tag.RowsAffected() != t.Rows {
		return fmt.Errorf("restore %s: loaded %d rows, the manifest says %d", t.Name, tag.RowsAffected(), t.Rows)
	}
	return nil
}

// foreignKey is a foreign key constraint as ALTER TABLE adds it.
type foreignKey struct{ table, name, def string }

// dropForeignKeys drops the foreign keys of the current schema's tables
// and returns them, to be added back once the data is in.
func dropForeignKeys(ctx context.Context, tx pgx.Tx) ([]foreignKey, error) {
	rows, err := tx.Query(ctx, `SELECT quote_ident(cl.relname), quote_ident(co.conname), pg_get_constraintdef(co.oid)
		FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
		WHERE co.contype = 'f' AND co.connamespace = current_schema()::regnamespace ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("restore: foreign keys: %w", err)
	}
	fks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (foreignKey, error) {
		var fk foreignKey
		err := r.Scan(&fk.table, &fk.name, &fk.def)
		return fk, err
	})
	if err != nil {
		return nil, fmt.Errorf("restore: foreign keys: %w", err)
	}
	for _, fk := range fks {
		if _, err := tx.Exec(ctx, `ALTER TABLE `+fk.table+` DROP CONSTRAINT `+fk.name); err != nil {
			return nil, fmt.Errorf("restore: drop foreign key %s: %w", fk.name, err)
		}
	}
	return fks, nil
}
