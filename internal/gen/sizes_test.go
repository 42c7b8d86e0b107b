package gen

import (
	"slices"
	"testing"
)

// TestCommunitySizes: Dongxing keeps its 4,470 households; the rest is cut
// into communities of about the size asked for, adding up exactly.
func TestCommunitySizes(t *testing.T) {
	for _, c := range []struct {
		n, size int
		want    []int
	}{
		{600, DongxingHouseholds, []int{600}},
		{DongxingHouseholds + 1000, 500, []int{DongxingHouseholds, 500, 500}},
		{DongxingHouseholds + 1001, 500, []int{DongxingHouseholds, 333, 334, 334}},
		{DongxingHouseholds + 5000, DongxingHouseholds, []int{DongxingHouseholds, 2500, 2500}},
	} {
		if got := communitySizes(c.n, c.size); !slices.Equal(got, c.want) {
			t.Errorf("communitySizes(%d, %d) = %v, want %v", c.n, c.size, got, c.want)
		}
	}
}
