package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"sync"
	"time"

	"wanhu/bench/benchkit"
)

// result is what one case measured.
type result struct {
	status     []int
	times      []time.Duration
	other      map[int]string // the body of an answer neither 201 nor 400 nor 503
	stored     string         // the size of a photo as stored, "-" if none was
	start, end benchkit.Mem
}

func (r result) count(status int) (n int) {
	for _, s := range r.status {
		if s == status {
			n++
		}
	}
	return n
}

// runCase starts a fresh server, records atOnce visits as visitor1, sends
// the case's photo to each of them at once and reads the server's memory.
func runCase(bin, dsn, password string, serveArgs []string, c photoCase, atOnce int) (result, error) {
	s, err := startServer(bin, dsn, serveArgs)
	if err != nil {
		return result{}, err
	}
	defer s.stop()
	r := result{other: map[int]string{}, stored: "-"}
	if r.start, err = s.memory(); err != nil {
		return r, err
	}
	cl, err := signIn(s.base, "visitor1", password)
	if err != nil {
		return r, err
	}
	visits, err := cl.visits(atOnce)
	if err != nil {
		return r, err
	}
	r.status, r.times = make([]int, atOnce), make([]time.Duration, atOnce)
	bodies := make([][]byte, atOnce)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i, v := range visits {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			t := time.Now()
			status, body, err := cl.do("POST", fmt.Sprintf("/api/v1/visits/%d/photos", v), c.contentType, c.data)
			r.times[i] = time.Since(t)
			if err != nil {
				status, body = 0, []byte(err.Error())
			}
			r.status[i], bodies[i] = status, body
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	if r.end, err = s.memory(); err != nil {
		return r, err
	}
	for i, st := range r.status {
		switch st {
		case 201:
			if r.stored == "-" {
				r.stored = cl.storedSize(visits[i], bodies[i])
			}
		case 400, 503:
		default:
			r.other[st] = string(bodies[i])
		}
	}
	return r, nil
}

// client is signed in to the API with a bearer token.
type client struct{ base, token string }

// signIn gets an API token.
func signIn(base, username, password string) (*client, error) {
	tok, err := benchkit.Token(base, username, password)
	return &client{base, tok}, err
}

// do sends one request and reads the whole answer.
func (c *client) do(method, path, contentType string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// visits records n visits (met) to the households in the client's scope,
// in turn, and returns their ids.
func (c *client) visits(n int) ([]int64, error) {
	status, body, err := c.do("GET", "/api/v1/households?per_page=100", "", nil)
	if err != nil || status != 200 {
		return nil, fmt.Errorf("households: %d %v", status, err)
	}
	var hs struct{ Items []struct{ ID int64 } }
	if err := json.Unmarshal(body, &hs); err != nil || len(hs.Items) == 0 {
		return nil, fmt.Errorf("no household in scope: %v", err)
	}
	ids := make([]int64, n)
	for i := range ids {
		in, _ := json.Marshal(map[string]any{"client_id": fmt.Sprintf("bench-photo-%d-%d", time.Now().UnixNano(), i),
			"household_id": hs.Items[i%len(hs.Items)].ID, "outcome": "met"})
		status, body, err := c.do("POST", "/api/v1/visits", "application/json", in)
		if err != nil || status != 201 {
			return nil, fmt.Errorf("record a visit: %d %s %v", status, body, err)
		}
		var v struct{ ID int64 }
		json.Unmarshal(body, &v)
		ids[i] = v.ID
	}
	return ids, nil
}

// storedSize fetches the first photo of an answer to an upload and says
// its size as stored: "1600×1200".
func (c *client) storedSize(visit int64, answer []byte) string {
	var l struct{ Items []struct{ ID int64 } }
	if json.Unmarshal(answer, &l) != nil || len(l.Items) == 0 {
		return "?"
	}
	status, body, err := c.do("GET", fmt.Sprintf("/api/v1/visits/%d/photos/%d", visit, l.Items[0].ID), "", nil)
	if err != nil || status != 200 {
		return "?"
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(body))
	if err != nil {
		return "?"
	}
	return fmt.Sprintf("%d×%d", cfg.Width, cfg.Height)
}
