package importjob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// chunkBytes is how much of a file one row of import_job_chunks holds.
const chunkBytes = 1 << 20

// storeFile stores the file at path as job id's, chunk by chunk, each
// sealed with the key file.
func storeFile(ctx context.Context, tx *store.Tx, id int64, path string) error {
	keys := tx.Keys()
	if keys == nil {
		return secret.ErrNoKeys
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, chunkBytes)
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(f, buf)
		if n > 0 {
			sealed, serr := keys.Seal(string(buf[:n]))
			if serr != nil {
				return serr
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO import_job_chunks(job_id, seq, data) VALUES (?, ?, ?)`, id, seq, sealed); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// restoreFile writes job id's file into a new temporary file (mode 0600)
// named like name, and returns its path: the caller removes it.
// ErrFileRemoved says the job's file is no longer stored.
func restoreFile(ctx context.Context, db *store.DB, id int64, name string) (string, error) {
	f, err := tempFile(name)
	if err != nil {
		return "", err
	}
	err = copyFile(ctx, db, id, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		removeTemp(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// tempFile creates a file named name (mode 0600) in a new temporary
// folder of its own. The name is the user's: the importer names a CSV
// file's one sheet after its file, which the report's problems and its
// highlighted copy must agree on, check after check.
func tempFile(name string) (*os.File, error) {
	dir, err := os.MkdirTemp("", "wanhu-import-")
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, safeName(name)), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return f, nil
}

// removeTemp removes a file of tempFile and its folder.
func removeTemp(path string) { os.RemoveAll(filepath.Dir(path)) }

// safeName replaces the characters a file name may not hold on Windows
// or Linux.
func safeName(name string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || strings.ContainsRune(`<>:"/\|?*`, r) {
			return '_'
		}
		return r
	}, name)
}

// copyFile writes the chunks of job id's file to w, opened.
func copyFile(ctx context.Context, db *store.DB, id int64, w io.Writer) error {
	keys := db.Keys()
	if keys == nil {
		return secret.ErrNoKeys
	}
	rows, err := db.QueryContext(ctx, `SELECT data FROM import_job_chunks WHERE job_id = ? ORDER BY seq`, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var sealed string
		if err := rows.Scan(&sealed); err != nil {
			return err
		}
		plain, err := keys.Open(sealed)
		if err != nil {
			return fmt.Errorf("import job %d: chunk %d: %w", id, n, err)
		}
		if _, err := io.WriteString(w, plain); err != nil {
			return err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n == 0 {
		return ErrFileRemoved
	}
	return nil
}

// removeFile deletes job id's file and records when.
func removeFile(ctx context.Context, q store.Querier, id int64, now any) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM import_job_chunks WHERE job_id = ?`, id); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `UPDATE import_jobs SET file_removed_at = ? WHERE id = ? AND file_removed_at IS NULL`, now, id)
	return err
}
