package backup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"wanhu/internal/household"
	"wanhu/internal/secret"
)

// KeyUse says which keys of the key file a backup's sealed values need:
// their ids, one sealed value of each (restore opens it to tell the right
// key from another key under the same id), and a check of the index key
// (a keyed hash of a constant, which tells nothing of the key) when the
// backup was made with the key file at hand.
type KeyUse struct {
	IDs        []uint32          `json:"ids"`
	Samples    map[uint32]string `json:"samples,omitempty"`
	IndexCheck string            `json:"index_check,omitempty"`
}

// indexCheck is the check of keys' index key that a backup keeps.
func indexCheck(keys *secret.Keyring) string {
	return keys.Hash("backup_index_check", "wanhu")
}

// queryOne runs a query that returns one text value, or none.
type queryOne func(ctx context.Context, query string) (value string, found bool, err error)

// scanKeyUse finds the keys the sealed values (household.SealedColumns)
// use: per column, it asks for a value under a key not yet found until
// there is none, so it reads each column once per key and once more.
func scanKeyUse(ctx context.Context, q queryOne) (KeyUse, error) {
	use := KeyUse{Samples: map[uint32]string{}}
	for _, c := range household.SealedColumns() {
		var not []string // values passed over: malformed, so no key to name
		for {
			cond := c.Column + " LIKE '" + secret.Prefix + "%'"
			for id := range use.Samples {
				cond += " AND " + c.Column + " NOT LIKE '" + secret.Prefix + strconv.FormatUint(uint64(id), 10) + ".%'"
			}
			for _, v := range not {
				cond += " AND " + c.Column + " <> '" + strings.ReplaceAll(v, "'", "''") + "'"
			}
			if c.Where != "" {
				cond = "(" + c.Where + ") AND " + cond
			}
			v, found, err := q(ctx, `SELECT `+c.Column+` FROM `+c.Table+` WHERE `+cond+` LIMIT 1`)
			if err != nil {
				return use, fmt.Errorf("keys of %s.%s: %w", c.Table, c.Column, err)
			}
			if !found {
				break
			}
			if id, ok := secret.KeyID(v); ok {
				use.Samples[id] = v
				continue
			}
			if len(not) == 100 { // a column of malformed values: enough
				break
			}
			not = append(not, v)
		}
	}
	for id := range use.Samples {
		use.IDs = append(use.IDs, id)
	}
	slices.Sort(use.IDs)
	return use, nil
}

// KeyError says why the key file given to restore cannot open a backup's
// data: no key file, keys it lacks, keys that do not open the values
// sealed under their id, or another index key. It names keys by id,
// never shows a value.
type KeyError struct {
	KeyFile  string   // the key file given, or ""
	Missing  []uint32 // keys the backup needs that the key file lacks
	Wrong    []uint32 // keys of the key file that do not open the backup's values
	IndexKey bool     // the index key is not the backup's
	NoKeys   bool     // no key file was given
}

// ErrKey matches every *KeyError with errors.Is.
var ErrKey = errors.New("the key file does not fit the backup")

func (e *KeyError) Is(target error) bool { return target == ErrKey }

func (e *KeyError) Error() string {
	const hint = "give --key-file with the key file of the database the backup was made from (it is never in the backup)"
	if e.NoKeys {
		if len(e.Missing) > 0 {
			return fmt.Sprintf("the backup's personal data is sealed with %s, and no key file was given: %s", KeyNames(e.Missing), hint)
		}
		return "the backup was made with a key file (its audit log and search are keyed with it), and no key file was given: " + hint
	}
	var why []string
	if len(e.Missing) > 0 {
		why = append(why, fmt.Sprintf("the key file %s lacks %s, which the backup's personal data is sealed with", e.KeyFile, KeyNames(e.Missing)))
	}
	if len(e.Wrong) > 0 {
		why = append(why, fmt.Sprintf("%s of the key file %s does not open the backup's personal data (another key under the same id)", KeyNames(e.Wrong), e.KeyFile))
	}
	if e.IndexKey {
		why = append(why, fmt.Sprintf("the key file %s is not the one the backup was made with (its index key differs, so search and the audit log would not match)", e.KeyFile))
	}
	return strings.Join(why, "; ") + ": " + hint
}

// KeyNames names keys: "key 2", "keys 1 and 2", "keys 1, 2 and 3".
func KeyNames(ids []uint32) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatUint(uint64(id), 10)
	}
	if len(s) == 1 {
		return "key " + s[0]
	}
	return "keys " + strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// CheckKeys checks that keys (loaded from keyFile; nil when none was
// given) open what the backup of m holds: every key its sealed values
// use, each opening its sample, and the same index key. It returns a
// *KeyError otherwise.
func CheckKeys(m Manifest, keys *secret.Keyring, keyFile string) error {
	e := &KeyError{KeyFile: keyFile}
	if keys == nil {
		if len(m.Keys.IDs) == 0 && m.Keys.IndexCheck == "" {
			return nil
		}
		e.NoKeys, e.Missing = true, m.Keys.IDs
		return e
	}
	have := keys.IDs()
	for _, id := range m.Keys.IDs {
		if !slices.Contains(have, id) {
			e.Missing = append(e.Missing, id)
			continue
		}
		if _, err := keys.Open(m.Keys.Samples[id]); err != nil {
			e.Wrong = append(e.Wrong, id)
		}
	}
	e.IndexKey = m.Keys.IndexCheck != "" && m.Keys.IndexCheck != indexCheck(keys)
	if len(e.Missing) > 0 || len(e.Wrong) > 0 || e.IndexKey {
		return e
	}
	return nil
}
