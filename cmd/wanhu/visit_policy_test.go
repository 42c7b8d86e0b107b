package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wanhu/internal/visit"
)

// TestVisitPolicyCLI: `wanhu visit policy` prints the default policy, sets
// one from a file and prints it back; a bad file changes nothing.
func TestVisitPolicyCLI(t *testing.T) {
	path, _ := seedDB(t)
	ctx := context.Background()
	show := func() visit.Policy {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, []string{"visit", "policy", "--db", path}, &out); err != nil {
			t.Fatal(err)
		}
		var p visit.Policy
		if err := json.Unmarshal(out.Bytes(), &p); err != nil {
			t.Fatalf("%v in %s", err, out.String())
		}
		return p
	}
	if p := show(); p.Colours["green"] != "half_yearly" || p.Tags["living_alone_elderly"] != "weekly" || p.Floor != "yearly" {
		t.Errorf("default policy %+v", p)
	}
	file := func(body string) string {
		f := filepath.Join(t.TempDir(), "policy.json")
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	var out bytes.Buffer
	good := file(`{"tags":{"disabled":"monthly"},"colours":{"red":"weekly","green":"quarterly"},"floor":"half_yearly"}`)
	if err := run(ctx, []string{"visit", "policy", "--db", path, "--set", good}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "households have a new due date") {
		t.Errorf("set said %q", out.String())
	}
	if p := show(); p.Colours["red"] != "weekly" || p.Colours["yellow"] != "" || p.Tags["disabled"] != "monthly" || len(p.Tags) != 1 || p.Floor != "half_yearly" {
		t.Errorf("policy after set %+v", p)
	}
	for body, want := range map[string]string{
		`{"colours":{"red":"daily"},"floor":"yearly"}`: "colours.red",
		`{"tags":{"nope":"weekly"},"floor":"yearly"}`:  `unknown tag "nope"`,
		`{"floor":"yearly","often":"weekly"}`:          "unknown field",
	} {
		err := run(ctx, []string{"visit", "policy", "--db", path, "--set", file(body)}, &out)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", body, err, want)
		}
	}
	if p := show(); p.Floor != "half_yearly" {
		t.Errorf("a refused file changed the policy: %+v", p)
	}
}
