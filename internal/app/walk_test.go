package app

import (
	"cmp"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"wanhu/internal/api"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/web"
)

// paramKind names the kind of record a path parameter holds: for {id} the
// segment before it, otherwise the parameter itself.
func paramKind(segs []string, i int) string {
	name := strings.Trim(segs[i], "{}")
	if name == "code" && segs[i-1] == "requests" { // the resident's public API
		return "tracking"
	}
	if name != "id" {
		return map[string]string{"household_id": "household", "photo": "photo", "token": "card", "name": "roster",
			"year": "year", "username": "username", "code": map[bool]string{true: "tracking", false: "survey"}[segs[i-1] == "r"]}[name]
	}
	prev := segs[i-1]
	if prev == "feedback" {
		return "feedback"
	}
	if prev == "training" || prev == "saved" || prev == "tokens" {
		return map[string]string{"training": "training", "saved": "saved", "tokens": "token"}[prev]
	}
	return map[string]string{"households": "household", "persons": "person", "needs": "need", "plan": "measure", "visits": "visit",
		"requests": "request", "appointments": "appointment", "plans": "plan", "team": "member", "staff": "member", "scorecards": "member",
		"grids": "grid", "saved-rosters": "saved", "notifications": "notification",
		"org-units": "grid", "org": "grid", "compounds": "compound", "places": "compound", "buildings": "building",
		"benefits": "benefit", // benefit cases (issue 17)

		"imports": "import", "import": "import", "talk-sessions": "talk", "talk": "talk", "mediation-cases": "case", "mediation": "case",
		"tasks": "task", "rounds": "round"}[prev]
}

// walkRoles are the demo's accounts with the grid whose records they may
// see (0: none they can walk to) and one whose records they may not (0:
// they see the whole community).
var walkRoles = []struct {
	user    string
	in, out int // grid numbers
}{
	{"admin", 1, 0}, {"leader1", 1, 3}, {"leader3", 3, 1}, {"visitor1", 1, 3}, {"dept1", 0, 1}, {"auditor1", 0, 1},
}

// TestWalkEveryRoute is issue 11's guard that masking and scope cannot be
// forgotten: every route of the API and of the web app, called as every
// role of the demo community. No answer holds a full ID or phone number of
// a resident, nor, to a role that manages no one, a team member's phone;
// an id out of the caller's scope is answered exactly as an id that does
// not exist (reads with 404 or 403). A new route without a row in
// walkRows fails the test.
func TestWalkEveryRoute(t *testing.T) {
	var routes []string
	routes = append(routes, api.Routes()...)
	routes = append(routes, web.Routes()...)
	for _, r := range routes {
		if _, ok := walkRows[r]; !ok {
			t.Errorf("route %q has no row in walkRows: add one saying how to walk it", r)
		}
	}
	for r := range walkRows {
		if !slices.Contains(routes, r) {
			t.Errorf("walkRows has %q, which is no route", r)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWalk(t, db)
		for _, role := range walkRoles {
			t.Run(role.user, func(t *testing.T) {
				c := w.signIn(t, role.user)
				for _, r := range routes {
					w.route(t, c, role.user, role.in, role.out, r)
				}
				// The walk reached the pages: a role with a grid of its
				// own is answered dozens of them.
				t.Logf("%d calls, %d answered 2xx", c.calls, c.ok)
				if c.calls < 200 || c.ok < 20 || role.in != 0 && c.ok < 60 {
					t.Errorf("%d calls, %d answered 2xx: the walk did not get far", c.calls, c.ok)
				}
			})
		}
	})
}

// route walks one route as user: with the records of grid in, with ids
// that do not exist, and with the records of grid out, which must be
// answered as the missing ones are. Writes are not called with records in
// scope, so the walk changes nothing.
func (w *walk) route(t *testing.T, c *walker, user string, in, out int, pattern string) {
	row := walkRows[pattern]
	if row.skip != "" {
		return
	}
	method, path, _ := strings.Cut(pattern, " ")
	path = strings.TrimSuffix(path, "{$}")
	segs := strings.Split(path, "/")
	scoped := false // a parameter is a record of a grid
	for i, s := range segs {
		if name := strings.Trim(s, "{}"); strings.HasPrefix(s, "{") && row.fixed[name] == "" {
			_, fixed := w.fixed[paramKind(segs, i)]
			scoped = scoped || !fixed
		}
	}
	// fill returns the path with the records of grid n, or with ids that
	// do not exist; false when there is no such record.
	fill := func(n int, missing bool) (string, bool) {
		p := slices.Clone(segs)
		for i, s := range segs {
			name := strings.Trim(s, "{}")
			if !strings.HasPrefix(s, "{") {
				continue
			}
			if v, ok := row.fixed[name]; ok {
				p[i] = v
				continue
			}
			kind := paramKind(segs, i)
			v := w.idFor(t, kind, n)
			if missing {
				v = cmp.Or(map[string]string{"card": "NoSuchCard000", "tracking": "NOSUCHCODE", "survey": "no_such_question",
					"roster": "no_such_roster", "year": "1899", "username": "no-such-user"}[kind], "987654321")
			}
			if v == "" {
				return "", false
			}
			p[i] = v
		}
		return strings.Join(p, "/") + row.fixed[""], true
	}
	call := func(p string) (int, string) {
		status, body := c.do(t, method, p, row.body)
		c.calls++
		if status < 300 {
			c.ok++
		}
		if leak := w.leak(body, user, row.staffPhones == ""); leak != "" {
			t.Errorf("%s %s as %s: the answer holds a full number (%s)", method, p, user, leak)
		}
		return status, body
	}
	write := method != "GET"
	if !scoped {
		if p, ok := fill(in, false); ok {
			call(p)
		}
		if p, ok := fill(0, true); ok && p != path {
			call(p)
		}
		return
	}
	if !write && in != 0 {
		if p, ok := fill(in, false); ok {
			call(p)
		}
	}
	missing, _ := fill(0, true)
	noneStatus, noneBody := call(missing)
	if out == 0 {
		return
	}
	p, ok := fill(out, false)
	if !ok {
		t.Errorf("%s as %s: no record of grid %d to walk to", pattern, user, out)
		return
	}
	status, body := call(p)
	if !write && status != http.StatusNotFound && status != http.StatusForbidden {
		t.Errorf("%s %s as %s (out of scope): %d, want 404 or 403", method, p, user, status)
	}
	if a, b := normalize(body), normalize(noneBody); status != noneStatus || a != b {
		t.Errorf("%s as %s: out of scope %s answers %d, a missing id %s answers %d; they must look the same: %s",
			pattern, user, p, status, missing, noneStatus, difference(a, b))
	}
}

// digits are the runs of digits normalize takes out.
var digits = regexp.MustCompile(`\d+`)

// normalize takes the numbers out of an answer, ids among them, and the
// forms' CSRF tokens (masked differently in every response), so that the
// answers to two ids can be compared.
func normalize(body string) string {
	return digits.ReplaceAllString(csrfValues.ReplaceAllString(body, `$1"…"`), "#")
}

// csrfValues are the CSRF tokens of a page: its forms' and the offline
// queue's.
var csrfValues = regexp.MustCompile(`(name="csrf" value=|data-csrf=)"[^"]*"`)

// difference shows where two answers part.
func difference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	at := func(s string) string { return strings.ToValidUTF8(s[max(i-80, 0):min(i+160, len(s))], "") }
	return fmt.Sprintf("\n…%s\n---\n…%s", at(a), at(b))
}

// numberLike finds the runs of digits (an ID number may end in X) that
// could be a number.
var numberLike = regexp.MustCompile(`\d[\d\- ]{5,}[\dXx]`)

// leak returns a full number the body holds that user may not see, or "".
func (w *walk) leak(body, user string, staffHidden bool) string {
	staff := staffHidden && (user == "visitor1" || user == "dept1" || user == "auditor1")
	for _, m := range numberLike.FindAllString(body, -1) {
		n := number(m)
		for i := 0; i+11 <= len(n); i++ {
			for _, l := range []int{18, 15, 12, 11} {
				if i+l > len(n) {
					continue
				}
				s := n[i : i+l]
				if w.resident[s] {
					return "a resident's " + s[:3] + "…"
				}
				if staff && w.staff[s] {
					return "a team member's " + s[:3] + "…"
				}
			}
		}
	}
	return ""
}

// walker is one signed-in user: the API token and a browser's cookies and
// session token.
type walker struct {
	calls, ok int // requests sent, and answered 2xx
	base      string
	token     string
	csrf      string
	http      *http.Client
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (w *walk) signIn(t *testing.T, user string) *walker {
	jar, _ := cookiejar.New(nil)
	c := &walker{base: w.url, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	status, body := c.do(t, "POST", "/api/v1/auth/login", fmt.Sprintf(`{"username":%q,"password":%q}`, user, walkPassword))
	m := regexp.MustCompile(`"token":"([^"]+)"`).FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("API login as %s: %d %s", user, status, body)
	}
	c.token = m[1]
	_, page := c.do(t, "GET", "/login", "")
	form := url.Values{"username": {user}, "password": {walkPassword}, "next": {"/settings"}}
	if m := csrfField.FindStringSubmatch(page); m != nil {
		form.Set("csrf", m[1])
	}
	if status, _ := c.do(t, "POST", "/login", form.Encode()); status != http.StatusSeeOther {
		t.Fatalf("web login as %s: %d", user, status)
	}
	_, page = c.do(t, "GET", "/settings", "")
	if m := csrfField.FindStringSubmatch(page); m != nil {
		c.csrf = m[1]
	}
	if c.csrf == "" {
		t.Fatalf("no session token on /settings for %s", user)
	}
	return c
}

// do sends a request: to the API with the token and a JSON body, to the
// web with the cookies and a form carrying the session token.
func (c *walker) do(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	apiPath := strings.HasPrefix(path, "/api/")
	if !apiPath && method != "GET" && c.csrf != "" {
		v, _ := url.ParseQuery(body)
		v.Set("csrf", c.csrf)
		body = v.Encode()
	}
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if apiPath {
		req.Header.Set("Content-Type", "application/json")
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
	} else if method != "GET" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
