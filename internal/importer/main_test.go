package importer

import (
	"os"
	"testing"

	"wanhu/internal/auth"
)

// TestMain makes the accounts the structure import makes cheap to hash
// (auth.UseTestHashCost).
func TestMain(m *testing.M) {
	auth.UseTestHashCost()
	os.Exit(m.Run())
}
