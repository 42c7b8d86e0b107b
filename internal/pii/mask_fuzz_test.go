package pii

import "testing"

// FuzzMaskIDNumber checks that MaskIDNumber, given anything (a number
// that did not parse, half a number, text), keeps the length in
// characters and shows at most the first two of them. A full-width number
// (as a Chinese input method types it) once kept two bytes of its first
// character. Run it with
// go test -run='^$' -fuzz='^FuzzMaskIDNumber$' ./internal/pii/
func FuzzMaskIDNumber(f *testing.F) {
	for _, s := range []string{"63010219800101123X", "810000199001010019", "630102800101123", "６３０１０２１９８００１０１１２３０", "", "x", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := MaskIDNumber(s)
		r, mr := []rune(s), []rune(m)
		if len(mr) != len(r) {
			t.Fatalf("MaskIDNumber(%q) = %q: %d characters, want %d", s, m, len(mr), len(r))
		}
		for i, c := range mr {
			if c != '*' && (i >= 2 || c != r[i]) {
				t.Fatalf("MaskIDNumber(%q) = %q shows character %d", s, m, i+1)
			}
		}
	})
}
