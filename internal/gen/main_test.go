package gen_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/gen"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// TestMain makes the accounts of the tests cheap to hash
// (auth.UseTestHashCost) and removes the generated Dongxing at the end.
func TestMain(m *testing.M) {
	auth.UseTestHashCost()
	code := m.Run()
	if dongxing.dir != "" {
		os.RemoveAll(dongxing.dir)
	}
	os.Exit(code)
}

// dongxing is Dongxing generated on articleDay into a SQLite file once per
// run (it takes a while, more so under -race); tests get copies of it.
var dongxing struct {
	once sync.Once
	dir  string
	err  error
}

// generatedDongxing returns a copy of the generated Dongxing of its own,
// with the test keys.
func generatedDongxing(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	dongxing.once.Do(func() {
		if dongxing.dir, dongxing.err = os.MkdirTemp("", "wanhu-gen-test-"); dongxing.err != nil {
			return
		}
		db, err := store.Open(ctx, filepath.Join(dongxing.dir, "dongxing.db"))
		if err != nil {
			dongxing.err = err
			return
		}
		db.SetKeys(secret.TestKeyring())
		_, dongxing.err = gen.Generate(ctx, db, gen.Options{Today: articleDay})
		if err := db.Close(); dongxing.err == nil {
			dongxing.err = err
		}
	})
	if dongxing.err != nil {
		t.Fatalf("generate Dongxing: %v", dongxing.err)
	}
	path := filepath.Join(t.TempDir(), "dongxing.db")
	if err := copyFile(filepath.Join(dongxing.dir, "dongxing.db"), path); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetKeys(secret.TestKeyring())
	return db
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
