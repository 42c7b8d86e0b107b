package api

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

// nasty are strings that encoding/json escapes one way or another: HTML
// characters, control characters, invalid UTF-8, U+2028 and U+2029, and
// plain text in Chinese.
var nasty = []string{"", "王秀兰", "a<b>&c", "line\nbreak\ttab\r\b\f", "quote\"back\\slash", "\x00\x01\x1f\x7f",
	"bad \xff\xfe utf8", "\u2028\u2029", "é😀", "139****5678", "\xe2\x80", "end\xe2\x80\xa8"}

// fill sets every field of the value v points to, recursively, to a random
// value (strings from nasty, slices of 0–3 elements, nil or not), so a
// field added to a household type and not to appendJSON changes
// json.Marshal's output and fails TestFileJSONMatchesEncodingJSON.
func fill(t *testing.T, rng *rand.Rand, v reflect.Value) {
	switch x := v.Addr().Interface().(type) {
	case *time.Time:
		if rng.IntN(4) > 0 {
			loc := time.UTC
			if rng.IntN(2) == 0 {
				loc = time.FixedZone("", rng.IntN(28*3600)-14*3600)
			}
			*x = time.Date(1900+rng.IntN(200), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60),
				[]int{0, 1, 120000000, 123456789}[rng.IntN(4)], loc)
		}
		return
	case *calendar.Date:
		if rng.IntN(3) > 0 {
			*x = calendar.Date{Y: 1920 + rng.IntN(100), M: time.Month(1 + rng.IntN(12)), D: 1 + rng.IntN(28)}
		}
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(nasty[rng.IntN(len(nasty))])
	case reflect.Int, reflect.Int64:
		v.SetInt([]int64{0, 1, -1, 42, 1 << 40, -1 << 62}[rng.IntN(6)])
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Slice:
		if rng.IntN(4) == 0 {
			return // nil
		}
		n := rng.IntN(4)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fill(t, rng, s.Index(i))
		}
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(t, rng, v.Field(i))
			}
		}
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(t, rng, p.Elem())
		v.Set(p)
	default:
		t.Fatalf("fill: no random values for %s", v.Type())
	}
}

// TestFileJSONMatchesEncodingJSON: a household file's hand-written JSON is
// encoding/json's, byte for byte, on random files with every field set
// (or left zero, nil or empty).
func TestFileJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 2026))
	for i := range 3000 {
		var h household.Household
		fill(t, rng, reflect.ValueOf(&h).Elem())
		f := householdFile{Household: &h, Members: h.Members, Needs: h.Needs, Plan: h.Measures}
		if i%2 == 0 {
			f = fileView(&h)
		}
		want, werr := json.Marshal(f)
		got, gerr := f.appendJSON([]byte("prefix"))
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("file %d: encoding/json's error %v, appendJSON's %v", i, werr, gerr)
		}
		if werr != nil {
			continue
		}
		if !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Fatalf("file %d:\nappendJSON:    %s\nencoding/json: prefix%s", i, got, want)
		}
	}
}

// TestFileJSONTimeOutOfRange: a time encoding/json refuses (year 10000) is
// refused by appendJSON too, not written.
func TestFileJSONTimeOutOfRange(t *testing.T) {
	h := household.Household{Needs: []household.Need{{CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}}
	if _, err := json.Marshal(fileView(&h)); err == nil {
		t.Fatal("encoding/json wrote a year 10000")
	}
	if b, err := fileView(&h).appendJSON(nil); err == nil {
		t.Fatalf("appendJSON wrote a year 10000: %s", b)
	}
}

// TestFileJSONNilHousehold: a file without its household encodes as
// encoding/json does (its lists alone).
func TestFileJSONNilHousehold(t *testing.T) {
	f := householdFile{Members: []household.Person{}}
	want, _ := json.Marshal(f)
	got, err := f.appendJSON(nil)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("appendJSON: %s, %v; encoding/json: %s", got, err, want)
	}
}

// FuzzJSONString: jsonString encodes any string as encoding/json does.
func FuzzJSONString(f *testing.F) {
	for _, s := range nasty {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := jsonString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("jsonString(%q) = %s, encoding/json %s", s, got, want)
		}
	})
}
