package importer

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// MaxUploadBytes is the largest structure workbook the web and the API
// take: a city's team of thousands fits many times over.
const MaxUploadBytes = 10 << 20

// UploadLifetime is how long a workbook uploaded on the web waits for its
// confirmation.
const UploadLifetime = time.Hour

// SaveUpload keeps a workbook that user uploaded on the web between its
// check and its confirmation (structure_uploads: several servers share
// the database, not their disks), forgets the uploads older than
// UploadLifetime, and returns the token that names it.
func SaveUpload(ctx context.Context, db *store.DB, user int64, name string, data []byte, now time.Time) (string, error) {
	b := make([]byte, 24)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM structure_uploads WHERE created_at < ?`, now.Add(-UploadLifetime).UTC()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO structure_uploads(id, user_id, name, data, created_at) VALUES (?, ?, ?, ?, ?)`,
			uploadID(token), user, name, data, now.UTC())
		return err
	})
	return token, err
}

// Upload returns the name and bytes of user's upload token, or
// apperr.ErrNotFound when there is none (another user's, an expired one).
// It forgets the expired uploads of everyone first.
func Upload(ctx context.Context, db *store.DB, user int64, token string, now time.Time) (string, []byte, error) {
	if _, err := db.ExecContext(ctx, `DELETE FROM structure_uploads WHERE created_at < ?`, now.Add(-UploadLifetime).UTC()); err != nil {
		return "", nil, err
	}
	var name string
	var data []byte
	err := db.QueryRowContext(ctx, `SELECT name, data FROM structure_uploads WHERE id = ? AND user_id = ? AND created_at >= ?`,
		uploadID(token), user, now.Add(-UploadLifetime).UTC()).Scan(&name, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, apperr.ErrNotFound
	}
	return name, data, err
}

// DeleteUpload forgets user's upload token.
func DeleteUpload(ctx context.Context, db *store.DB, user int64, token string) error {
	_, err := db.ExecContext(ctx, `DELETE FROM structure_uploads WHERE id = ? AND user_id = ?`, uploadID(token), user)
	return err
}

// uploadID is the stored id of an upload token: its SHA-256, so that the
// database alone does not name a page's upload.
func uploadID(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// uploadExts are the extensions an uploaded file keeps in its copy, so
// that it is read as it was written (see openSource).
var uploadExts = []string{".xlsx", ".xlsm", ".xls", ".csv", ".txt"}

// TempCopy writes data, the file uploaded as name, to a temporary file
// for RunStructure, and returns its path and the function that removes
// it. Nothing of name but its extension is used.
func TempCopy(name string, data []byte) (string, func(), error) {
	ext := strings.ToLower(filepath.Ext(name))
	if !slices.Contains(uploadExts, ext) {
		ext = ""
	}
	f, err := os.CreateTemp("", "wanhu-structure-*"+ext)
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.Remove(f.Name()) }
	if _, err := f.Write(data); err != nil {
		f.Close()
		cleanup()
		return "", nil, err
	}
	if err := f.Close(); err != nil {
		cleanup()
		return "", nil, err
	}
	return f.Name(), cleanup, nil
}
