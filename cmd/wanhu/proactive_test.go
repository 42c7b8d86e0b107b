package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestProactiveRun: `wanhu proactive run --format json` prints exactly
// {"created","existing","tasks":[{"id","rule","household_id","reason","due"}]};
// a second run on the same day creates 0 and reports the same tasks; a
// bad day names the flag.
func TestProactiveRun(t *testing.T) {
	path, _ := seedDB(t)
	ctx := context.Background()
	runOnce := func() (map[string]json.RawMessage, []map[string]any) {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, []string{"proactive", "run", "--db", path, "--on", "2026-12-06", "--format", "json"}, &out); err != nil {
			t.Fatal(err)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(out.Bytes(), &top); err != nil {
			t.Fatalf("%v in %s", err, out.String())
		}
		var tasks []map[string]any
		if err := json.Unmarshal(top["tasks"], &tasks); err != nil {
			t.Fatal(err)
		}
		return top, tasks
	}
	top, tasks := runOnce()
	if keys := slices.Sorted(maps.Keys(top)); !slices.Equal(keys, []string{"created", "existing", "tasks"}) {
		t.Errorf("keys %v", keys)
	}
	// The widow, living alone and never met: a visit, the heating check,
	// the insurance payment and the anti-fraud outreach.
	if string(top["created"]) != "4" || string(top["existing"]) != "0" || len(tasks) != 4 {
		t.Fatalf("first run: %s created, %s existing, %d tasks", top["created"], top["existing"], len(tasks))
	}
	for _, task := range tasks {
		if keys := slices.Sorted(maps.Keys(task)); !slices.Equal(keys, []string{"due", "household_id", "id", "reason", "rule"}) {
			t.Errorf("task keys %v", keys)
		}
	}
	if tasks[0]["rule"] != "alone_elderly_visit" || tasks[0]["due"] != "2026-12-06" || !strings.Contains(tasks[0]["reason"].(string), "王秀兰") {
		t.Errorf("first task %v", tasks[0])
	}
	top, again := runOnce()
	if string(top["created"]) != "0" || string(top["existing"]) != "4" || len(again) != 4 || again[0]["id"] != tasks[0]["id"] {
		t.Errorf("second run: %s created, %s existing, %v", top["created"], top["existing"], again)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"proactive", "run", "--db", path, "--on", "2026-13-01"}, &out); err == nil || !strings.Contains(err.Error(), "--on") {
		t.Errorf("bad day: %v", err)
	}
	if err := run(ctx, []string{"proactive", "go", "--db", path}, &out); err == nil || !strings.Contains(err.Error(), "proactive run") {
		t.Errorf("unknown subcommand: %v", err)
	}
}
