package open311

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// DemoKey is the API key `wanhu demo` creates.
const DemoKey = "demo-open311-key"

// Key is an API key as listed: never the key itself, which is kept only
// as a hash.
type Key struct {
	ID        int64
	Name      string
	OrgUnit   string // the name of the community its requests belong to
	CreatedAt time.Time
	RevokedAt *time.Time
}

func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// AddKey creates a key named name whose requests belong to the
// community named community ("" when the database has only one), and
// returns the key, which is shown once and stored only as a hash.
func AddKey(ctx context.Context, db *store.DB, name, community string) (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	key := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	if err := putKey(ctx, db, name, key, community, false); err != nil {
		return "", err
	}
	return key, nil
}

// EnsureDemoKey creates the demo's key DemoKey (named "demo") unless it
// exists, for the demo community: the first one made, also when the demo
// runs on a generated city of many communities.
func EnsureDemoKey(ctx context.Context, db *store.DB) error {
	var community string
	if err := db.QueryRowContext(ctx, `SELECT name FROM org_units WHERE kind = 'community' ORDER BY id LIMIT 1`).Scan(&community); err != nil {
		return fmt.Errorf("demo key: no community: %w", err)
	}
	return putKey(ctx, db, "demo", DemoKey, community, true)
}

func putKey(ctx context.Context, db *store.DB, name, key, community string, idempotent bool) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return apperr.Field("name", "required", "give the key a name (the client it is for)")
	}
	unit, err := communityID(ctx, db, community)
	if err != nil {
		return err
	}
	q := `INSERT INTO open311_keys(name, key_hash, org_unit_id, created_at) VALUES (?, ?, ?, ?)`
	if idempotent {
		q += ` ON CONFLICT DO NOTHING`
	} else {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM open311_keys WHERE name = ?`, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Field("name", "taken", "a key named %q exists", name)
		}
	}
	_, err = db.ExecContext(ctx, q, name, hashKey(key), unit, time.Now().UTC())
	return err
}

// communityID returns the id of the community named name, or of the only
// community when name is "".
func communityID(ctx context.Context, db *store.DB, name string) (int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, name FROM org_units WHERE kind = 'community' ORDER BY id`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var ids []int64
	var names []string
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return 0, err
		}
		if n == name {
			return id, nil
		}
		ids, names = append(ids, id), append(names, n)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	switch {
	case name != "":
		return 0, apperr.Field("community", "not_found", "no community named %q (there are: %s)", name, strings.Join(names, ", "))
	case len(ids) == 1:
		return ids[0], nil
	case len(ids) == 0:
		return 0, apperr.Field("community", "not_found", "the database has no community yet")
	}
	return 0, apperr.Field("community", "required", "give the community its requests belong to (one of: %s)", strings.Join(names, ", "))
}

// RevokeKey stops the key named name from working.
func RevokeKey(ctx context.Context, db *store.DB, name string) error {
	res, err := db.ExecContext(ctx, `UPDATE open311_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL`, time.Now().UTC(), name)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, fmt.Errorf("no key named %q in use", name))
	}
	return nil
}

// Keys lists the keys, the newest first.
func Keys(ctx context.Context, db *store.DB) ([]Key, error) {
	rows, err := db.QueryContext(ctx, `SELECT k.id, k.name, u.name, k.created_at, k.revoked_at
		FROM open311_keys k JOIN org_units u ON u.id = k.org_unit_id ORDER BY k.id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Key
	for rows.Next() {
		var k Key
		if err := rows.Scan(&k.ID, &k.Name, &k.OrgUnit, &k.CreatedAt, &k.RevokedAt); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// client is a key in use, as a POST finds it.
type client struct {
	id      int64
	name    string
	orgPath string
}

// clientOf returns the client of key, or a 403 failure.
func (h *handler) clientOf(ctx context.Context, key string) (*client, error) {
	if key == "" {
		return nil, &failure{403, "api_key is missing: creating a request needs an API key"}
	}
	var c client
	err := h.db.QueryRowContext(ctx, `SELECT k.id, k.name, u.path FROM open311_keys k JOIN org_units u ON u.id = k.org_unit_id
		WHERE k.key_hash = ? AND k.revoked_at IS NULL`, hashKey(key)).Scan(&c.id, &c.name, &c.orgPath)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &failure{403, "invalid api_key received: cannot create the request"}
	}
	return &c, err
}
