package household

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"wanhu/internal/apperr"
	"wanhu/internal/pii"
)

// idFuzzCodes are the error codes ParseIDNumber documents.
var idFuzzCodes = []string{"required", "id_format", "id_region", "id_date", "id_future", "id_check_digit"}

// FuzzParseIDNumber feeds ParseIDNumber anything. It must never panic; a
// refusal is a *apperr.FieldError on the field with a documented code that
// does not repeat the number; a number it accepts is canonical (18 ASCII
// characters, the right check character, parts that agree with the
// digits), parses again to the same value, and its mask shows no more
// than its first two characters. Run it with
// go test -run='^$' -fuzz='^FuzzParseIDNumber$' ./internal/household/
func FuzzParseIDNumber(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", " \t11010519491231002X \u3000", "630102198001011230",
		"630104200002290027", "630102800101123", "６３０１０２１９８００１０１１２３０", "６３０１０２１９８００１０１１２３ｘ",
		"810000199001010019", "830000199001010020", "710000199001010018", idTestNum("63010220260301001"),
		"", "   ", "6301021980010112", "63010219800101X230", "63010280010112X", "110105194912310021",
		idTestNum("63010319900230001"), idTestNum("63010218991231001"), idTestNum("63010220260302001"),
		idTestNum("99010219800101123"), "630102800230123", "63010219800101123é", "é30102198001011230",
		"63010219800101123\x00", "\xff\xfe0102198001011230", "630102199902291234",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseIDNumber("id_number", s, idTestToday)
		if err != nil {
			checkIDRefusal(t, s, err)
			return
		}
		checkIDNumber(t, s, id)
	})
}

// checkIDRefusal fails t unless err is a documented field error that does
// not repeat the number given.
func checkIDRefusal(t *testing.T, s string, err error) {
	t.Helper()
	fe, ok := err.(*apperr.FieldError)
	if !ok {
		t.Fatalf("ParseIDNumber(%q): %T %v, want *apperr.FieldError", s, err, err)
	}
	if fe.Field != "id_number" || !slices.Contains(idFuzzCodes, fe.Code) {
		t.Fatalf("ParseIDNumber(%q): field %q code %q, want id_number and one of %v", s, fe.Field, fe.Code, idFuzzCodes)
	}
	if n := idNormalize(s); utf8.RuneCountInString(n) >= 15 && strings.Contains(fe.Msg, n) {
		t.Fatalf("ParseIDNumber(%q): the error repeats the number: %s", s, fe.Msg)
	}
}

// checkIDNumber fails t unless id, parsed from s, is canonical, parses
// again to itself and masks to its first two characters.
func checkIDNumber(t *testing.T, s string, id IDNumber) {
	t.Helper()
	n := id.Number
	if len(n) != 18 || strings.Trim(n[:17], "0123456789") != "" || !strings.ContainsRune("0123456789X", rune(n[17])) {
		t.Fatalf("ParseIDNumber(%q) = %q, not 17 digits and a check character", s, n)
	}
	if c := IDCheckChar(n[:17]); c != n[17] {
		t.Fatalf("ParseIDNumber(%q) = %q, check character should be %c", s, n, c)
	}
	if id.Region != n[:6] || strings.ReplaceAll(id.Birth.String(), "-", "") != n[6:14] {
		t.Fatalf("ParseIDNumber(%q) = %+v: region or birth date disagree with the digits", s, id)
	}
	if want := map[bool]Gender{true: Male, false: Female}[(n[16]-'0')%2 == 1]; id.Gender != want {
		t.Fatalf("ParseIDNumber(%q) = %+v: gender should be %s", s, id, want)
	}
	if id.Birth.Before(idEarliestBirth) || id.Birth.After(idTestToday) {
		t.Fatalf("ParseIDNumber(%q) = %+v: birth date out of range", s, id)
	}
	again, err := ParseIDNumber("id_number", n, idTestToday)
	if err != nil || again != id {
		t.Fatalf("ParseIDNumber(%q) = %+v, but its canonical form %q parses to %+v, %v", s, id, n, again, err)
	}
	m := pii.MaskIDNumber(n)
	if len(m) != 18 || strings.Trim(m[2:], "*") != "" || (m[:2] != n[:2] && m[:2] != "**") {
		t.Fatalf("MaskIDNumber(%q) = %q shows more than the first 2 characters", n, m)
	}
}
