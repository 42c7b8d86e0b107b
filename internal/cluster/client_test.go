package cluster

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// httpc is the load's client: short timeouts, so a request to the killed
// server fails fast.
var httpc = &http.Client{Timeout: 20 * time.Second}

// call sends a JSON request to base+path with token (if any) and headers
// in extra pairs, and returns the status and the decoded body; a status
// of 0 is a network error (the server is gone).
func call(base, token, method, path string, body any, extra ...string) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		req.Header.Set(extra[i], extra[i+1])
	}
	res, err := httpc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, nil, err // cut off mid-answer: as good as no answer
	}
	out := map[string]any{}
	if len(b) > 0 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &out); err != nil {
			return res.StatusCode, nil, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, b)
		}
	}
	if res.StatusCode/100 != 2 {
		return res.StatusCode, out, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	return res.StatusCode, out, nil
}

// login signs username in through the API of base from address addr
// (X-Forwarded-For; the servers trust it) and returns the token.
func login(base, username, password, addr string) (string, int, error) {
	status, out, err := call(base, "", "POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password}, "X-Forwarded-For", addr)
	if err != nil {
		return "", status, err
	}
	tok, _ := out["token"].(string)
	return tok, status, nil
}

// open311Post submits a request through Open311, form-encoded, and
// returns its id.
func open311Post(base string, form url.Values) (int, int64, error) {
	res, err := httpc.PostForm(base+"/open311/v2/requests.json", form)
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, 0, err
	}
	if res.StatusCode/100 != 2 {
		return res.StatusCode, 0, fmt.Errorf("open311 POST: %d %s", res.StatusCode, b)
	}
	var out []struct {
		ID string `json:"service_request_id"`
	}
	if err := json.Unmarshal(b, &out); err != nil || len(out) != 1 {
		return res.StatusCode, 0, fmt.Errorf("open311 POST: %s: %v", b, err)
	}
	id, err := strconv.ParseInt(out[0].ID, 10, 64)
	return res.StatusCode, id, err
}

// num reads a JSON number of m as an int64.
func num(m map[string]any, key string) int64 {
	f, _ := m[key].(float64)
	return int64(f)
}

// jar keeps cookies for every server on 127.0.0.1 alike (cookies do not
// tell ports apart), as a browser behind one load balancer would.
type jar struct {
	mu sync.Mutex
	c  map[string]*http.Cookie
}

func newJar() *jar { return &jar{c: map[string]*http.Cookie{}} }

func (j *jar) SetCookies(_ *url.URL, cs []*http.Cookie) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, c := range cs {
		if c.MaxAge < 0 || c.Value == "" {
			delete(j.c, c.Name)
			continue
		}
		j.c[c.Name] = c
	}
}

func (j *jar) Cookies(*url.URL) []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []*http.Cookie
	for _, c := range j.c {
		out = append(out, &http.Cookie{Name: c.Name, Value: c.Value})
	}
	return out
}

func (j *jar) value(name string) string {
	j.mu.Lock()
	defer j.mu.Unlock()
	if c := j.c[name]; c != nil {
		return c.Value
	}
	return ""
}
