package household

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
	"wanhu/internal/store"
)

// TestJSONRows: jsonRows reads what SQLite's json_group_array(json_array())
// and PostgreSQL's json_agg(json_build_array()) write: strings with and
// without escapes, numbers, nulls, white space between values; and refuses
// anything else, or rows of the wrong length.
func TestJSONRows(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []jsonRow
	}{
		{`[]`, nil},
		{`[[1,"a",null]]`, []jsonRow{{{S: "1"}, {S: "a"}, {Null: true}}}},
		{"[[-12, \"王 \\\"强\\\"\\n\\\\ \\u00e9\\ud83d\\ude00\", null], \n [3,\"\",\"x,y\"]]",
			[]jsonRow{{{S: "-12"}, {S: "王 \"强\"\n\\ é😀"}, {Null: true}}, {{S: "3"}, {S: ""}, {S: "x,y"}}}},
	} {
		got, err := jsonRows(c.in, 3)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("jsonRows(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{``, `[`, `[[1,2]]`, `[[1,2,3,4]]`, `[[1,2,3]] x`, `[[1,2,true]]`, `[[1,2,"x]]`, `{"a":1}`, `[[1,2,3],]`} {
		if got, err := jsonRows(bad, 3); err == nil {
			t.Errorf("jsonRows(%q) = %+v, want an error", bad, got)
		}
	}
	r := jsonRow{{S: "42"}, {Null: true}, {S: "x"}}
	var n int64
	var m int
	if err := r.int64To(0, &n); err != nil || n != 42 {
		t.Errorf("int64To: %d %v", n, err)
	}
	if err := r.intTo(1, &m); err != nil || m != 0 || r.scan(1) != nil || r.scan(2) != "x" {
		t.Errorf("null: %d %v %v", m, err, r.scan(1))
	}
	if err := r.int64To(2, &n); err == nil {
		t.Errorf("int64To of a string: no error")
	}
}

// FuzzJSONRows: whatever string and number a row holds, jsonRows reads
// back what encoding/json wrote (with and without HTML escapes, as the
// two databases differ there), and no input makes it panic.
func FuzzJSONRows(f *testing.F) {
	f.Add("王 \"强\"\n\\ é😀 <a&b>", int64(-12), `[[1,"a",null]]`)
	f.Add("", int64(0), `[[`)
	f.Add("\u2028\x00\x7f", int64(1<<62), `[["\ud83d"]]`)
	f.Fuzz(func(t *testing.T, s string, n int64, raw string) {
		jsonRows(raw, 3) // must not panic
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		rows := [][]any{{n, s, nil}, {s, nil, n}}
		for _, escapeHTML := range []bool{true, false} {
			var b strings.Builder
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(escapeHTML)
			if err := enc.Encode(rows); err != nil {
				t.Fatal(err)
			}
			got, err := jsonRows(b.String(), 3)
			want := []jsonRow{{{S: strconv.FormatInt(n, 10)}, {S: s}, {Null: true}}, {{S: s}, {Null: true}, {S: strconv.FormatInt(n, 10)}}}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("jsonRows(%q) = %+v, %v; want %+v", b.String(), got, err, want)
			}
		}
	})
}

// TestTagCodes: SQLite's tag lists ("sort:code", in no order) come out by
// sort, then code byte by byte, whatever order they came in; PostgreSQL's
// (codes, in order already) as they are.
func TestTagCodes(t *testing.T) {
	want := []string{"z", "B", "a", "a_b", "ab", "c"}
	for _, in := range []string{"0:B,0:a,-3:z,10:c,0:ab,0:a_b", "10:c,0:ab,0:a_b,0:a,0:B,-3:z"} {
		if got := tagCodes(store.SQLite, in); !slices.Equal(got, want) {
			t.Errorf("tagCodes(SQLite, %q) = %q, want %q", in, got, want)
		}
	}
	if got := tagCodes(store.Postgres, "b,a"); !slices.Equal(got, []string{"b", "a"}) {
		t.Errorf("tagCodes(Postgres) = %q", got)
	}
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		if got := tagCodes(d, ""); got == nil || len(got) != 0 {
			t.Errorf("tagCodes(%v, \"\") = %#v, want an empty list", d, got)
		}
	}
}
