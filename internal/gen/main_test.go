package gen_test

import (
	"os"
	"testing"

	"wanhu/internal/auth"
)

// TestMain makes the accounts of the tests cheap to hash (auth.UseTestHashCost).
func TestMain(m *testing.M) {
	auth.UseTestHashCost()
	os.Exit(m.Run())
}
