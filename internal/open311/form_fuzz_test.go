package open311

import (
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"wanhu/internal/request"
	"wanhu/internal/store/storetest"
)

// postContentTypes are the content types a fuzzed POST is sent with.
var postContentTypes = []string{"application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=gbk",
	"multipart/form-data; boundary=x", "text/plain", ""}

// formSite is the Open311 endpoint of a site, served in process so that a
// panic reaches the fuzzer instead of being recovered by net/http.
type formSite struct {
	engine string
	s      *site
	mux    *http.ServeMux
}

func newFormSite(t testing.TB, engine string, s *site) *formSite {
	fs := &formSite{engine: engine, s: s, mux: http.NewServeMux()}
	h := &handler{db: s.db, requests: s.reqs, log: slog.New(slog.DiscardHandler), now: func() time.Time { return s.now }}
	// The fuzzer reads back thousands of requests from one address: the
	// limit of public reads (tested in TestReadsLimited) would answer 429.
	h.reads = request.ReadLimit{Max: math.MaxInt32, Window: time.Hour}
	h.register(fs.mux)
	return fs
}

func (fs *formSite) serve(method, path, contentType, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	fs.mux.ServeHTTP(rec, r)
	return rec
}

// check posts body and fails t unless the answer is the request created or
// a 4xx in the spec's error format; a request created must then read back
// (one and in the list, in both formats), with lat and long both or
// neither.
func (fs *formSite) check(t *testing.T, format, contentType, body string) {
	t.Helper()
	rec := fs.serve("POST", Base+"requests."+format, contentType, body)
	where := fmt.Sprintf("%s: POST requests.%s (%s) %q", fs.engine, format, contentType, body)
	if rec.Code != http.StatusOK {
		if rec.Code < 400 || rec.Code >= 500 {
			t.Fatalf("%s: status %d: %s", where, rec.Code, rec.Body)
		}
		checkErrors(t, where, format, rec)
		return
	}
	id := createdID(t, where, format, rec.Body.Bytes())
	one := fs.serve("GET", fmt.Sprintf("%srequests/%d.json", Base, id), "", "")
	var got []struct {
		Lat  *float64 `json:"lat"`
		Long *float64 `json:"long"`
	}
	if err := json.Unmarshal(one.Body.Bytes(), &got); one.Code != http.StatusOK || err != nil || len(got) != 1 || (got[0].Lat == nil) != (got[0].Long == nil) {
		t.Fatalf("%s created %d, which reads back as %d %s: want lat and long both or neither", where, id, one.Code, one.Body)
	}
	for _, path := range []string{fmt.Sprintf("requests/%d.json", id), fmt.Sprintf("requests/%d.xml", id), "requests.json", "requests.xml"} {
		if got := fs.serve("GET", Base+path, "", ""); got.Code != http.StatusOK || !strings.Contains(got.Body.String(), fmt.Sprint(id)) {
			t.Fatalf("%s created %d, then GET %s: %d %s", where, id, path, got.Code, got.Body)
		}
	}
}

// checkErrors fails t unless rec is the spec's error list in format.
func checkErrors(t *testing.T, where, format string, rec *httptest.ResponseRecorder) {
	t.Helper()
	var errs []apiError
	var err error
	if format == "json" {
		err = json.Unmarshal(rec.Body.Bytes(), &errs)
	} else {
		var doc struct {
			Errors []apiError `xml:"error"`
		}
		err = xml.Unmarshal(rec.Body.Bytes(), &doc)
		errs = doc.Errors
	}
	if err != nil || len(errs) == 0 || errs[0].Code != rec.Code || errs[0].Description == "" {
		t.Fatalf("%s: status %d, not the spec's error list (%v): %s", where, rec.Code, err, rec.Body)
	}
}

// createdID returns the service_request_id of a POST's answer.
func createdID(t *testing.T, where, format string, body []byte) int64 {
	t.Helper()
	var out []created
	var err error
	if format == "json" {
		err = json.Unmarshal(body, &out)
	} else {
		var doc struct {
			Requests []created `xml:"request"`
		}
		err = xml.Unmarshal(body, &doc)
		out = doc.Requests
	}
	if err != nil || len(out) != 1 || out[0].ID == 0 {
		t.Fatalf("%s: 200 but no request created (%v): %s", where, err, body)
	}
	return out[0].ID
}

// FuzzOpen311Post posts any form, with or without the demo key, in either
// format and with any of postContentTypes, to the Open311 endpoint. It must
// never panic nor answer 5xx: a request is created and then reads back, or
// the form is refused with a 4xx in the spec's error format.
//
// Plain go test runs the seeds on SQLite and, when WANHU_TEST_POSTGRES_URL
// is set, on PostgreSQL; fuzzing runs on SQLite: go test -run='^$'
// -fuzz='^FuzzOpen311Post$' ./internal/open311/
func FuzzOpen311Post(f *testing.F) {
	for _, s := range []string{
		"service_code=sanitation&lat=36.6171&long=101.7782&address_string=一化小区+3号楼+东侧&description=化粪池外溢",
		"service_code=sanitation&address_string=x&phone=13912345678&first_name=秀兰&last_name=王&email=a@b.c&account_id=7",
		"service_code=ev_charging&lat=36.6&long=101.7",
		"service_code=sanitation&lat=91&long=0", "service_code=sanitation&lat=1&long=", "service_code=sanitation&lat=1e999&long=0",
		"service_code=sanitation&address_id=5", "service_code=nope&address_string=x", "service_code=&address_string=x",
		"service_code=sanitation&address_string=x&phone=call+me", "service_code=sanitation&address_string=%ZZ",
		"service_code=sanitation&address_string=x&description=" + strings.Repeat("长", 4001),
		"service_code=sanitation&lat=NaN&long=0", "service_code=sanitation&lat=0&long=-NaN",
		"service_code=sanitation&address_string=x%00y", "service_code=sanitation&address_string=x&description=%FF%FE",
		"service_code=sanitation&address_string=x&first_name=%00", "service_code=sanitation&address_string=x&email=%C3",
		"", "&&&", "api_key=wrong&service_code=sanitation&address_string=x",
	} {
		f.Add(true, true, uint8(0), s)
		f.Add(false, true, uint8(0), s)
	}
	f.Add(true, false, uint8(0), "service_code=sanitation&address_string=x")
	f.Add(true, true, uint8(2), "--x\r\nContent-Disposition: form-data; name=\"service_code\"\r\n\r\nsanitation\r\n--x--\r\n")
	f.Add(false, true, uint8(3), "service_code=sanitation&address_string=x")
	sites := []*formSite{newFormSite(f, "sqlite", newSite(f, storetest.SQLite(f)))}
	if os.Getenv(storetest.PostgresURLEnv) != "" && !fuzzing() {
		sites = append(sites, newFormSite(f, "postgres", newSite(f, storetest.Postgres(f))))
	}
	f.Fuzz(func(t *testing.T, asJSON, withKey bool, contentType uint8, body string) {
		format := map[bool]string{true: "json", false: "xml"}[asJSON]
		if withKey {
			body = "api_key=" + DemoKey + "&" + body
		}
		for _, fs := range sites {
			fs.check(t, format, postContentTypes[int(contentType)%len(postContentTypes)], body)
		}
	})
}

// fuzzing reports whether the test binary runs with -test.fuzz (the
// fuzzer or one of its workers), as opposed to plain go test, which runs
// the seeds only.
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}
