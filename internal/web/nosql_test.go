package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoSQL keeps SQL out of the web package: what a page reads and how
// it is scoped belongs to the domain that owns it (issue 11 found two
// hand-written scope conditions here), so a page cannot forget the scope.
func TestNoSQL(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, call := range []string{".QueryContext(", ".QueryRowContext(", ".ExecContext(", "SELECT ", "UPDATE ", "INSERT INTO"} {
			if strings.Contains(string(b), call) {
				t.Errorf("%s contains %q: move the query into its domain package", f, call)
			}
		}
	}
}
