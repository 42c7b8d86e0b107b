package cluster

import (
	"os"
	"testing"

	"wanhu/internal/auth"
)

// TestMain makes the demo accounts the test creates cheap to hash
// (auth.UseTestHashCost): under -race the full cost takes seconds each.
func TestMain(m *testing.M) {
	auth.UseTestHashCost()
	os.Exit(m.Run())
}
