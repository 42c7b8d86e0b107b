package household

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzDecodeReasons: the colour reasons decode as encoding/json decodes
// them, whether plainReasons reads them (EncodeReasons's form) or leaves
// them to encoding/json; and EncodeReasons's form is plainReasons's.
func FuzzDecodeReasons(f *testing.F) {
	f.Add(`[]`, "elderly_alone", "独居老人 \"<&>\"\n", int64(-7))
	f.Add(`[{"code":"a","Code":"b"}]`, "", "", int64(0))
	f.Add(`[{"code":"a","person_id":01}]`, "a\xffb", "\u2028", int64(1<<62))
	f.Add(`[{"code":"a","person_id":1.0},{"note":null}] `, "x", "y", int64(3))
	f.Add(`null`, "", "\x01", int64(0))
	f.Fuzz(func(t *testing.T, raw, code, note string, id int64) {
		var want []Reason
		json.Unmarshal([]byte(raw), &want)
		if got := decodeReasons(raw); raw != "" && !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeReasons(%q) = %#v; encoding/json: %#v", raw, got, want)
		}
		rs := []Reason{{Code: code, Colour: Red, NameZH: note, NameEN: code, PersonID: id, Person: note, Note: note}, {Code: code}}
		stored := EncodeReasons(rs)
		var want2 []Reason
		json.Unmarshal([]byte(stored), &want2)
		got, ok := plainReasons(stored)
		if !ok || !reflect.DeepEqual(got, want2) {
			t.Fatalf("plainReasons(%q) = %#v, %v; encoding/json: %#v", stored, got, ok, want2)
		}
	})
}
