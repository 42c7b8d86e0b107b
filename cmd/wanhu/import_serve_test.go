package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wanhu/internal/importer/importtest"
)

// TestServeRunsImports: wanhu serve runs the import jobs that the API
// queues (an upload with dry_run=false imports at once): on a community
// just set up, a file of 20 households ends done with 20 created.
func TestServeRunsImports(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		key := filepath.Join(t.TempDir(), "wanhu.key")
		if code, out, errs := wanhu(t, "", "init", "--db", dsn, "--key-file", key, "--city", "西宁市", "--district", "城东区", "--street", "韵家口镇",
			"--community", "东兴社区", "--grids", "7", "--admin-username", "zhang", "--admin-password", "dongxing-init-2026"); code != 0 {
			t.Fatalf("init: exit %d\n%s\n%s", code, out, errs)
		}
		base, _ := serveProcess(t, dsn, key, 0)
		res, err := http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"zhang","password":"dongxing-init-2026"}`))
		if err != nil {
			t.Fatal(err)
		}
		var login struct{ Token string }
		json.NewDecoder(res.Body).Decode(&login)
		res.Body.Close()
		if login.Token == "" {
			t.Fatalf("login: %d", res.StatusCode)
		}
		path := filepath.Join(t.TempDir(), "住户.xlsx")
		if _, err := (importtest.Workbook{Households: 20, Grids: 7}).Write(path); err != nil {
			t.Fatal(err)
		}
		file, _ := os.ReadFile(path)
		q := url.Values{"name": {"住户.xlsx"}, "dry_run": {"false"}, "create_places": {"true"}}
		call := func(method, p string, body io.Reader) (int, []byte) {
			req, _ := http.NewRequest(method, base+"/api/v1"+p, body)
			req.Header.Set("Authorization", "Bearer "+login.Token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, b
		}
		status, body := call("POST", "/imports?"+q.Encode(), bytes.NewReader(file))
		var job struct {
			ID     int64
			State  string
			Report *struct{ Created int }
		}
		if json.Unmarshal(body, &job); status != http.StatusAccepted || job.ID == 0 {
			t.Fatalf("upload: %d %s", status, body)
		}
		// A guard against a runner that never comes, not a measure.
		for end := time.Now().Add(time.Minute); job.State != "done" && time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
			_, body = call("GET", fmt.Sprintf("/imports/%d", job.ID), nil)
			json.Unmarshal(body, &job)
			if job.State == "failed" || job.State == "refused" {
				break
			}
		}
		if job.State != "done" || job.Report == nil || job.Report.Created != 20 {
			t.Fatalf("the job is %s: %.600s", job.State, body)
		}
	})
}
