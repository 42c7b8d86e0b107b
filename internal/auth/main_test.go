package auth

import (
	"os"
	"testing"
)

// TestMain makes password hashes cheap (UseTestHashCost), the dummy hash
// of unknown account names too (it is made at its first use): the
// throttle's tests check hundreds of passwords. A hash carries its
// parameters, so verifying works the same.
func TestMain(m *testing.M) {
	UseTestHashCost()
	os.Exit(m.Run())
}
