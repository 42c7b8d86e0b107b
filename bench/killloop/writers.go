package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"wanhu/internal/importer/importtest"
)

// world is what the loop knows: the server's address, the token, the
// households it visits and every write the server acknowledged.
type world struct {
	cfg        Config
	db, base   string
	token      string
	households []int64
	acked      *acked
	// base counts, per household, of needs and need_added ledger events
	// before the loop wrote any.
	baseNeeds, baseLedger map[int64]int
	applying              atomic.Bool
}

// acked holds the writes that got a 2xx answer, with what identifies them.
type acked struct {
	mu       sync.Mutex
	visits   map[string]int64 // client_id → household
	requests map[int64]*ackedRequest
	steps    int
	imports  []ackedImport
}

// ackedRequest is a request's furthest acknowledged state (its index in
// stateOrder) and how many of its steps were acknowledged (each writes a
// request event).
type ackedRequest struct {
	state int
	steps int
}

// stateOrder is the path the request writer takes.
var stateOrder = []string{"submitted", "accepted", "resolved"}

// ackedImport is an import job accepted with 202: its workbook's compound
// holds Households households once the job is applied, none before.
type ackedImport struct {
	job        int64
	compound   string
	households int
}

func newAcked() *acked {
	return &acked{visits: map[string]int64{}, requests: map[int64]*ackedRequest{}}
}

func (a *acked) counts() (visits, steps, imports int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.visits), a.steps, len(a.imports)
}

var client = &http.Client{Timeout: 30 * time.Second}

// call sends a JSON (or other) body and decodes a 2xx answer into out.
// It returns the status, 0 when no answer came.
func (w *world) call(ctx context.Context, method, path, typ string, body io.Reader, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, w.base+"/api/v1"+path, body)
	if err != nil {
		return 0, err
	}
	if typ != "" {
		req.Header.Set("Content-Type", typ)
	}
	if w.token != "" {
		req.Header.Set("Authorization", "Bearer "+w.token)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err // the answer was cut: not acknowledged
	}
	if res.StatusCode/100 != 2 {
		return res.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, bytes.TrimSpace(b))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return 0, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return res.StatusCode, nil
}

func (w *world) post(ctx context.Context, path string, in, out any) (int, error) {
	b, _ := json.Marshal(in)
	return w.call(ctx, "POST", path, "application/json", bytes.NewReader(b), out)
}

// signIn signs in as the demo community's administrator.
func (w *world) signIn(ctx context.Context) error {
	w.token = ""
	var out struct {
		Token string `json:"token"`
	}
	if _, err := w.post(ctx, "/auth/login", map[string]string{"username": "admin", "password": password}, &out); err != nil {
		return err
	}
	w.token = out.Token
	return nil
}

// pickHouseholds lists the households the visit writers visit.
func (w *world) pickHouseholds(ctx context.Context) error {
	var out struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if _, err := w.call(ctx, "GET", "/households?per_page=100", "", nil, &out); err != nil {
		return err
	}
	for _, h := range out.Items {
		w.households = append(w.households, h.ID)
	}
	if len(w.households) == 0 {
		return errors.New("the demo community has no households")
	}
	return nil
}

// visits records visits until ctx ends: each met, with one need found
// (so the visit, the need and its ledger event must commit together).
func (w *world) visits(ctx context.Context, round, writer int) {
	rnd := rand.New(rand.NewPCG(uint64(round), uint64(writer)))
	for n := 0; ctx.Err() == nil; n++ {
		id := fmt.Sprintf("kl-%d-%d-%d", round, writer, n)
		h := w.households[rnd.IntN(len(w.households))]
		in := map[string]any{"client_id": id, "household_id": h, "outcome": "met",
			"needs": []map[string]string{{"kind": "other", "note": id}}}
		var out struct {
			ClientID string `json:"client_id"`
		}
		if status, err := w.post(ctx, "/visits", in, &out); err == nil && status == http.StatusCreated && out.ClientID == id {
			w.acked.mu.Lock()
			w.acked.visits[id] = h
			w.acked.mu.Unlock()
		}
	}
}

// requests takes requests through submit, accept, progress and resolve
// until ctx ends, recording each acknowledged step.
func (w *world) requests(ctx context.Context, round int) {
	type answer struct {
		ID    int64  `json:"id"`
		State string `json:"state"`
	}
	steps := []struct {
		path string
		body any
	}{
		{"/accept", map[string]string{"urgency": "general", "handling": "community"}},
		{"/progress", map[string]string{"note": "已联系物业"}},
		{"/resolve", map[string]string{"note": "已处理"}},
	}
	for n := 0; ctx.Err() == nil; n++ {
		var r answer
		in := map[string]string{"category": "sanitation", "description": fmt.Sprintf("kl-%d-%d 楼道垃圾未清", round, n),
			"channel": "hotline", "address": "一化小区1号楼"}
		if _, err := w.post(ctx, "/requests", in, &r); err != nil || r.State != "submitted" {
			continue
		}
		w.ackStep(r.ID, r.State)
		for _, s := range steps {
			var out answer
			if _, err := w.post(ctx, fmt.Sprintf("/requests/%d%s", r.ID, s.path), s.body, &out); err != nil {
				break
			}
			w.ackStep(r.ID, out.State)
		}
	}
}

func (w *world) ackStep(id int64, state string) {
	w.acked.mu.Lock()
	defer w.acked.mu.Unlock()
	a := w.acked.requests[id]
	if a == nil {
		a = &ackedRequest{}
		w.acked.requests[id] = a
	}
	for i, s := range stateOrder {
		if s == state {
			a.state = max(a.state, i)
		}
	}
	a.steps++
	w.acked.steps++
}

// importHouseholds is how many households each workbook holds.
const importHouseholds = 300

// imports uploads one workbook a round, in a compound of its own, to be
// imported at once (dry_run=false), and follows the job until it is done
// or ctx ends. A refusal (another import still running) is no write.
func (w *world) imports(ctx context.Context, round int) {
	compound, path := workbookOf(w.cfg.Dir, round)
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	mapping, _ := json.Marshal(importtest.Mapping)
	q := url.Values{"name": {filepath.Base(path)}, "dry_run": {"false"}, "create_places": {"true"}, "mapping": {string(mapping)}}
	var job struct {
		ID    int64  `json:"id"`
		State string `json:"state"`
	}
	if _, err := w.call(ctx, "POST", "/imports?"+q.Encode(), "application/octet-stream", bytes.NewReader(b), &job); err != nil {
		return
	}
	w.acked.mu.Lock()
	w.acked.imports = append(w.acked.imports, ackedImport{job: job.ID, compound: compound, households: importHouseholds})
	w.acked.mu.Unlock()
	w.applying.Store(true)
	defer w.applying.Store(false)
	for ctx.Err() == nil && job.State != "done" && job.State != "failed" {
		select {
		case <-ctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
		w.call(ctx, "GET", fmt.Sprintf("/imports/%d", job.ID), "", nil, &job)
	}
}

// workbookOf names round's workbook and the compound it fills.
func workbookOf(dir string, round int) (compound, path string) {
	return fmt.Sprintf("断电%d小区", round), filepath.Join(dir, fmt.Sprintf("round-%d.xlsx", round))
}

// writeWorkbook writes round's workbook before the server starts, so
// that the round's time goes to the upload and the import.
func writeWorkbook(dir string, round int) error {
	compound, path := workbookOf(dir, round)
	_, err := importtest.Workbook{Households: importHouseholds, Grids: 1, Seed: uint64(round), Compounds: []string{compound}}.Write(path)
	return err
}

// importApplying reports whether an acknowledged import was not yet seen
// done.
func (w *world) importApplying() bool { return w.applying.Load() }
