package store

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzUnquote: a string with escapes of a JSON array decodes as
// encoding/json decodes it, whether unquote takes it (plain escapes) or leaves it to
// encoding/json (invalid UTF-8, lone surrogates, control characters).
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`"a"`, `"\"王\" \\ \/ \b\f\n\r\t"`, `"\u00e9\u2028\u0000"`, `"\ud83d\ude00"`, `"\ud83d"`,
		"\"\xff\\n\"", "\"a\x01\\n\"", `"\x"`, `"\u12"`, `"\u+123"`, `"[{\"code\":\"a\",\"person\":\"张三\"}]"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' || !strings.Contains(raw, `\`) {
			return
		}
		var want string
		werr := json.Unmarshal([]byte(raw), &want)
		got, err := (&JSONParser{s: raw}).Value()
		if werr != nil {
			// Not one JSON string: the parser refuses it too, or reads
			// a shorter string (an unescaped quote inside ends it).
			if err == nil && len(got.S) >= len(raw)-2 && got.S == raw[1:len(raw)-1] {
				t.Fatalf("Value(%q) = %q, encoding/json refuses it: %v", raw, got.S, werr)
			}
			return
		}
		if err != nil || got.S != want || got.Null {
			t.Fatalf("Value(%q) = %+v, %v; encoding/json: %q", raw, got, err, want)
		}
	})
}
