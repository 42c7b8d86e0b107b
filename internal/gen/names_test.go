package gen

import (
	"math/rand/v2"
	"testing"
)

// TestTibetanNamesNotDoubled: a Tibetan name is two different given
// names (扎西多杰), never one twice (央金央金, 尼玛尼玛), and the same seed
// still makes the same name.
func TestTibetanNamesNotDoubled(t *testing.T) {
	tibetan := map[string]bool{}
	for _, n := range append(tibetanMale, tibetanFemale...) {
		tibetan[n] = true
	}
	for seed := range uint64(2000) {
		male := seed%2 == 0
		name := personName(rand.New(rand.NewPCG(seed, 7)), "王", male, "藏族")
		r := []rune(name)
		if len(r) != 4 || !tibetan[string(r[:2])] || !tibetan[string(r[2:])] {
			t.Fatalf("seed %d: %q is not two Tibetan given names", seed, name)
		}
		if string(r[:2]) == string(r[2:]) {
			t.Errorf("seed %d: %q repeats one name", seed, name)
		}
		if again := personName(rand.New(rand.NewPCG(seed, 7)), "王", male, "藏族"); again != name {
			t.Errorf("seed %d: %q then %q", seed, name, again)
		}
	}
}
