package auth

import (
	"os"
	"testing"
)

// TestMain makes password hashes cheap (UseTestHashCost), the dummy hash
// of unknown account names too: the throttle's tests check hundreds of
// passwords. A hash carries its parameters, so verifying works the same.
func TestMain(m *testing.M) {
	UseTestHashCost()
	dummyHash = HashPassword("not a real password")
	os.Exit(m.Run())
}
