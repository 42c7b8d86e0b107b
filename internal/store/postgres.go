package store

// PostgreSQL through pgx's database/sql driver, so domain code is the same
// for both engines. Several `wanhu serve` processes may share one database;
// nothing held in memory is the source of truth.

import (
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// postgresConns is the size of each server's pool. Its connections stay
// open while in use (database/sql keeps only 2 idle by default, so under
// load the others were closed and opened again: a new backend process,
// authentication and a TLS handshake each time); one idle for 5 minutes is
// closed, so a quiet server leaves the database's connection slots free
// for the others.
const postgresConns = 20

// openPostgres opens a pool on dsn. Its sessions run without JIT
// compilation unless dsn sets jit: compiling a plan took 15–300 ms of a
// request's statements that read a few thousand rows (a community's
// search or statistics at a million households), for nothing.
func openPostgres(dsn string) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if _, set := cfg.RuntimeParams["jit"]; !set {
		cfg.RuntimeParams["jit"] = "off"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(postgresConns)
	db.SetMaxIdleConns(postgresConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{sql: db, dialect: Postgres, dsn: dsn}, nil
}
