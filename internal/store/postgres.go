package store

// PostgreSQL through pgx's database/sql driver, so domain code is the same
// for both engines. Several `wanhu serve` processes may share one database;
// nothing held in memory is the source of truth.

import (
	"database/sql"
	"fmt"

	_ "github.com/jackc/pgx/v5/stdlib"
)

func openPostgres(dsn string) (*DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(20)
	return &DB{sql: db, dialect: Postgres, dsn: dsn}, nil
}
