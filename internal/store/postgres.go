package store

// PostgreSQL through pgx's database/sql driver, so domain code is the same
// for both engines. Several `wanhu serve` processes may share one database;
// nothing held in memory is the source of truth.

import (
	"database/sql"
	"fmt"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// postgresConns is the size of each server's pool. Its connections stay
// open while in use (database/sql keeps only 2 idle by default, so under
// load the others were closed and opened again: a new backend process,
// authentication and a TLS handshake each time); one idle for 5 minutes is
// closed, so a quiet server leaves the database's connection slots free
// for the others.
const postgresConns = 20

func openPostgres(dsn string) (*DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(postgresConns)
	db.SetMaxIdleConns(postgresConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{sql: db, dialect: Postgres, dsn: dsn}, nil
}
