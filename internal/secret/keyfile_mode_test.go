//go:build unix

package secret

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestKeyFilePrivate: a new key file is readable by its owner only, even
// under a umask that would leave a file readable by all, and stays so when
// a rotation rewrites it.
func TestKeyFilePrivate(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0))
	path := filepath.Join(t.TempDir(), "wanhu.key")
	k, err := NewKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wantMode(t, path, 0o600)
	if _, err := k.BeginRotation(); err != nil {
		t.Fatal(err)
	}
	wantMode(t, path, 0o600)
	if err := k.EndRotation(); err != nil {
		t.Fatal(err)
	}
	wantMode(t, path, 0o600)
}

func wantMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != want {
		t.Errorf("%s: mode %04o, want %04o", filepath.Base(path), m, want)
	}
}
