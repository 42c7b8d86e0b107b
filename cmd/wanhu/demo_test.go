package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"wanhu/internal/calendar"
	"wanhu/internal/visit"
)

// readyWriter collects a command's output and closes ready once the output
// holds mark.
type readyWriter struct {
	mu    sync.Mutex
	b     bytes.Buffer
	mark  string
	ready chan struct{}
	once  sync.Once
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.b.Write(p)
	if strings.Contains(w.b.String(), w.mark) {
		w.once.Do(func() { close(w.ready) })
	}
	return n, err
}

func (w *readyWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// TestDemoThisWeek: a fresh wanhu demo says what it does after making the
// households (each step, then the accounts' passwords), and serves this
// ISO week's plan of grid 1 at GET /api/v1/plans?grid=1&week=… (the
// contract scripts rely on), with households for its visitors.
func TestDemoThisWeek(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const pw = "demo-week-2026"
	out := &readyWriter{mark: "Press Ctrl+C", ready: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--db", filepath.Join(t.TempDir(), "demo.db"), "--addr", "127.0.0.1:0", "--households", "300", "--admin-password", pw}, out)
	}()
	select {
	case <-out.ready:
	case err := <-done:
		t.Fatalf("demo stopped before serving: %v\n%s", err, out.String())
	}
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo: %v", err)
		}
	}()
	week := visit.WeekOf(calendar.Today()).String()
	text := out.String()
	for _, line := range []string{"\n  Making the requests …", "\n  Making the training records …",
		"\n  Making this week's visit plans and visits (" + week + ") …", "\nThis week (" + week + "): 7 visit plans of ",
		"\nSetting the password of the demo accounts …\n"} {
		if !strings.Contains(text, line) {
			t.Errorf("the demo did not print %q:\n%s", line, text)
		}
	}
	m := regexp.MustCompile(`Open: +(http://\S+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no address in the output:\n%s", text)
	}
	base := m[1] + "/api/v1"
	res, err := http.Post(base+"/auth/login", "application/json", strings.NewReader(fmt.Sprintf(`{"username":"leader1","password":%q}`, pw)))
	if err != nil {
		t.Fatal(err)
	}
	var login struct{ Token string }
	json.NewDecoder(res.Body).Decode(&login)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || login.Token == "" {
		t.Fatalf("login as leader1: %d", res.StatusCode)
	}
	req, _ := http.NewRequest("GET", base+"/plans?grid=1&week="+week, nil)
	req.Header.Set("Authorization", "Bearer "+login.Token)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var plan visit.Plan
	if res.StatusCode != http.StatusOK || json.Unmarshal(b, &plan) != nil {
		t.Fatalf("GET /api/v1/plans?grid=1&week=%s: %d %s", week, res.StatusCode, b)
	}
	if plan.GridID != 1 || plan.Week != week || plan.Total == 0 || len(plan.Visitors) == 0 || len(plan.Visitors[0].Households) == 0 {
		t.Errorf("grid 1's plan of %s: grid %d, week %s, %d households, %d visitors", week, plan.GridID, plan.Week, plan.Total, len(plan.Visitors))
	}
	// The volunteer who joined late, without the pre-job training, is
	// flagged, as on the plan page; no one else.
	var untrained []string
	for _, v := range plan.Visitors {
		if v.WithoutPreJob {
			untrained = append(untrained, fmt.Sprintf("%s (%s)", v.User, v.Role))
		}
	}
	if len(untrained) != 1 || !strings.Contains(untrained[0], "(volunteer)") {
		t.Errorf("visitors without the pre-job training: %v, want the late volunteer", untrained)
	}
	for _, v := range plan.Visitors {
		for i, h := range v.Households {
			if h.Position != i+1 {
				t.Errorf("%s's household %d is at position %d, listed %d", v.User, h.HouseholdID, h.Position, i+1)
			}
		}
	}
}
