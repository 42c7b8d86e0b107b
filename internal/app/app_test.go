package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/household"
	"wanhu/internal/server"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// lockedBuffer collects the server's log lines from concurrent handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// sensitive matches what must never be logged: 18-character ID numbers and
// 11-digit mobile numbers.
var sensitive = regexp.MustCompile(`\d{17}[\dXx]|1[3-9]\d{9}`)

// requestID is a request's id as the log carries it on its lines
// (server.ContextLog): random hex, all digits now and then.
var requestID = regexp.MustCompile(`"(id|request)":"[0-9a-f]{12}"`)

// TestNoPersonalDataInLogs drives the app through searches by phone and ID
// number, bad input that echoes them, a reveal and failed logins, at debug
// level, and fails if the log holds an ID or phone number.
func TestNoPersonalDataInLogs(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	f, err := testworld.NewOrg(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	d := server.NewDeps(db, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	const id, phone = "11010519491231002X", "13912345678"
	h, err := d.Households.CreateHousehold(ctx, household.Actor{Name: "t"}, household.Household{BuildingID: f.Buildings[0].ID, Room: "101", Phone: phone},
		[]household.Person{{Name: "王秀兰", IDNumber: id, Phone: phone}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Auth.CreateUser(ctx, "admin", "管理员", "dongxing-admin-2025", auth.Grant{Role: auth.Admin, OrgUnitID: f.City.ID}); err != nil {
		t.Fatal(err)
	}
	// The fixture's administrators and grid leaders sign in with the
	// password alone; two-step sign-in has tests of its own.
	if err := d.Auth.SetTOTPRoles(ctx, nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(d))
	defer srv.Close()

	call := func(method, path, token, body string) string {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	var login struct{ Token string }
	json.Unmarshal([]byte(call("POST", "/api/v1/auth/login", "", `{"username":"admin","password":"dongxing-admin-2025"}`)), &login)
	if login.Token == "" {
		t.Fatal("no token")
	}
	call("POST", "/api/v1/auth/login", "", `{"username":"`+phone+`","password":"`+id+`"}`)
	call("GET", "/api/v1/households?q="+phone, login.Token, "")
	call("GET", "/api/v1/households?q="+id, login.Token, "")
	call("POST", "/api/v1/households/"+itoa(h.ID)+"/members", login.Token, `{"name":"甲","id_number":"`+id+`"}`)
	call("POST", "/api/v1/households/"+itoa(h.ID)+"/members", login.Token, `{"name":"乙","id_number":"`+id[:17]+`0","phone":"`+phone+`x"}`)
	call("PATCH", "/api/v1/households/"+itoa(h.ID), login.Token, `{"version":1,"phone":"`+phone+`abc"}`)
	call("POST", "/api/v1/persons/"+itoa(h.Members[0].ID)+"/reveal", login.Token, `{"field":"id_number","reason":"核对"}`)
	call("GET", "/households?q="+url.QueryEscape(phone), "", "")
	call("POST", "/login", "", "username="+phone+"&password="+id)

	out := logs.b.String()
	if !strings.Contains(out, `"msg":"request"`) {
		t.Fatalf("the server logged no requests: %.500s", out)
	}
	// Request ids are random hex, which can read like a phone number.
	out = requestID.ReplaceAllString(out, `"$1":""`)
	if m := sensitive.FindAllString(out, 5); m != nil {
		t.Errorf("personal data in the logs: %q", m)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
