package main

import (
	"bytes"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
)

// account is one signed-in account: an API bearer token and a web
// session cookie.
type account struct {
	name, token, cookie string
}

// world is what the clients share: the servers, their accounts and the
// households the visitor is to visit today.
type world struct {
	bases                        []string // the servers, all on one database
	perRequest                   bool     // each request to the next server in turn (else each client sticks to one)
	hc                           *http.Client
	visitor, leader, admin, city *account
	today                        []int64 // the visitor's day list
	grid                         int64   // its grid, leader1's
	seq                          atomic.Int64
}

// base returns the server c's next request goes to, and notes its index
// in c: a client sticks to its server (c.server), as behind a proxy that
// balances connections, or with perRequest each request goes to the next
// server in turn. A nil c goes to the first.
func (w *world) base(c *clientState) string {
	if c == nil {
		return w.bases[0]
	}
	i := c.server
	if w.perRequest {
		i = int(w.seq.Add(1))
	}
	c.last = i % len(w.bases)
	return w.bases[c.last]
}

// op is one kind of request of the mix: its route (the name it is
// reported under), its weight in the mix, and what it does.
type op struct {
	route  string
	weight int
	read   bool // a read that can run alone (solo phase)
	do     func(w *world, c *clientState) (status, size int, err error)
}

// clientState is what one client keeps between its requests: the request
// it is taking through its steps.
type clientState struct {
	rng         *rand.Rand
	server      int // the server this client sticks to (world.base)
	last        int // the server of its last request
	reqID, reqV int64
	reqState    string
	reqProgress int
}

// searches are the search terms: names (surname and given name, surname
// alone) and addresses with and without a space.
var searches = []string{"王伟", "李秀英", "张", "刘洋", "3号楼", "一化小区 3号楼", "马"}

// mix is the morning: 60% visitors (day list, household file as JSON and
// as a page, a visit recorded), 20% searches (the grid leader, the
// community's and the city's administrators), 10% request steps, 10%
// dashboards.
func mix() []op {
	return []op{
		{"visitor GET /api/v1/visits/due", 12, true, func(w *world, c *clientState) (int, int, error) {
			return w.get(c, w.visitor, "/api/v1/visits/due?per_page=50", false)
		}},
		{"visitor GET /api/v1/households/{id}", 20, true, func(w *world, c *clientState) (int, int, error) {
			return w.get(c, w.visitor, fmt.Sprintf("/api/v1/households/%d", w.pick(c)), false)
		}},
		{"visitor GET /households/{id} (page)", 18, true, func(w *world, c *clientState) (int, int, error) {
			return w.get(c, w.visitor, fmt.Sprintf("/households/%d", w.pick(c)), true)
		}},
		{"visitor POST /api/v1/visits", 10, false, func(w *world, c *clientState) (int, int, error) {
			return w.send(c, w.visitor, "POST", "/api/v1/visits", map[string]any{
				"client_id": "load-" + randHex(), "household_id": w.pick(c), "outcome": "not_home"}, nil)
		}},
		{"leader GET /api/v1/households?q=", 10, true, func(w *world, c *clientState) (int, int, error) {
			return w.get(c, w.leader, "/api/v1/households?q="+url.QueryEscape(searches[c.rng.IntN(len(searches))]), false)
		}},
		{"admin GET /api/v1/households?q=", 6, true, func(w *world, c *clientState) (int, int, error) {
			return w.get(c, w.admin, "/api/v1/households?q="+url.QueryEscape(searches[c.rng.IntN(len(searches))]), false)
		}},
		{"cityadmin GET /api/v1/households?q=", 4, true, func(w *world, c *clientState) (int, int, error) {
			return w.get(c, w.city, "/api/v1/households?q="+url.QueryEscape(searches[c.rng.IntN(len(searches))]), false)
		}},
		{"admin request step (submit, accept, progress)", 10, false, func(w *world, c *clientState) (int, int, error) {
			return w.requestStep(c)
		}},
		{"leader GET /api/v1/visits/progress", 4, true, func(w *world, c *clientState) (int, int, error) {
			return w.get(c, w.leader, fmt.Sprintf("/api/v1/visits/progress?grid=%d", w.grid), false)
		}},
		{"admin GET /api/v1/stats/households", 4, true, func(w *world, c *clientState) (int, int, error) {
			return w.get(c, w.admin, "/api/v1/stats/households", false)
		}},
		{"cityadmin GET /api/v1/stats/households (city-wide)", 2, true, func(w *world, c *clientState) (int, int, error) {
			return w.get(c, w.city, "/api/v1/stats/households", false)
		}},
	}
}

// probes are requests measured alone only, beside the mix's reads: an
// unsigned one and a signed-in one with a tiny answer, what a request
// costs before it does any work.
func probes() []op {
	return []op{
		{"GET /healthz (unsigned)", 0, true, func(w *world, c *clientState) (int, int, error) {
			return w.get(c, nil, "/healthz", false)
		}},
		{"leader GET /api/v1/grids (signed in, tiny)", 0, true, func(w *world, c *clientState) (int, int, error) {
			return w.get(c, w.leader, "/api/v1/grids", false)
		}},
	}
}

// pick returns one of the visitor's households of the day.
func (w *world) pick(c *clientState) int64 { return w.today[c.rng.IntN(len(w.today))] }

// get requests path for c (nil: to the first server) as a (nil: unsigned), with its web cookie for a page
// or its bearer token for the API, and returns the status and body size.
func (w *world) get(c *clientState, a *account, path string, page bool) (int, int, error) {
	req, err := http.NewRequest("GET", w.base(c)+path, nil)
	if err != nil {
		return 0, 0, err
	}
	return w.do(req, a, page, nil)
}

// send sends body as JSON and decodes the answer into out (if not nil).
func (w *world) send(c *clientState, a *account, method, path string, body any, out any) (int, int, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, w.base(c)+path, bytes.NewReader(b))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	return w.do(req, a, false, out)
}

func (w *world) do(req *http.Request, a *account, page bool, out any) (int, int, error) {
	switch {
	case a != nil && page:
		req.Header.Set("Cookie", a.cookie)
	case a != nil:
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := w.hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	var n int64
	if out != nil {
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return resp.StatusCode, len(b), err
		}
		n = int64(len(b))
		if resp.StatusCode < 300 {
			err = json.Unmarshal(b, out)
		}
		return resp.StatusCode, int(n), err
	}
	n, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, int(n), err
}

// requestStep takes the client's request one step further: a new one
// submitted for a household of the visitor's list, accepted, then noted
// three times as progress before the next one.
func (w *world) requestStep(c *clientState) (int, int, error) {
	var r struct {
		ID      int64  `json:"id"`
		Version int64  `json:"version"`
		State   string `json:"state"`
	}
	var status, size int
	var err error
	switch {
	case c.reqID == 0 || c.reqProgress >= 3:
		status, size, err = w.send(c, w.admin, "POST", "/api/v1/requests", map[string]any{"category": "sanitation",
			"description": "楼道下水道堵塞（负载测试）", "channel": "visit", "household_id": w.pick(c)}, &r)
		c.reqProgress = 0
	case c.reqState == "submitted":
		status, size, err = w.send(c, w.admin, "POST", fmt.Sprintf("/api/v1/requests/%d/accept", c.reqID),
			map[string]any{"version": c.reqV, "urgency": "general", "handling": "community"}, &r)
	default:
		status, size, err = w.send(c, w.admin, "POST", fmt.Sprintf("/api/v1/requests/%d/progress", c.reqID),
			map[string]any{"version": c.reqV, "note": "已联系物业，正在处理"}, &r)
		c.reqProgress++
	}
	if err == nil && status < 300 {
		c.reqID, c.reqV, c.reqState = r.ID, r.Version, r.State
	} else {
		c.reqID = 0 // start again with a new request
	}
	return status, size, err
}

func randHex() string {
	b := make([]byte, 12)
	crand.Read(b)
	return hex.EncodeToString(b)
}

// signIn signs in as username on the API and on the web.
func (w *world) signIn(username string) (*account, error) {
	a := &account{name: username}
	var s struct {
		Token string `json:"token"`
	}
	status, _, err := w.send(nil, nil, "POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password}, &s)
	if err != nil || status != 200 || s.Token == "" {
		return nil, fmt.Errorf("API sign-in as %s: status %d, %v (bench/load.sh creates the accounts with `load accounts`)", username, status, err)
	}
	a.token = s.Token
	// The web form's CSRF check compares a field with a cookie the login
	// page sets; any value sent in both passes it.
	csrf := randHex()
	form := url.Values{"csrf": {csrf}, "username": {username}, "password": {password}}
	req, _ := http.NewRequest("POST", w.bases[0]+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "wanhu_login_csrf="+csrf)
	resp, err := w.hc.Do(req)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == "wanhu_session" && ck.Value != "" {
			a.cookie = "wanhu_session=" + ck.Value
		}
	}
	if a.cookie == "" {
		return nil, fmt.Errorf("web sign-in as %s: status %d, no session cookie", username, resp.StatusCode)
	}
	return a, nil
}
