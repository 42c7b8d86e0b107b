package notify_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"wanhu/internal/household"
	"wanhu/internal/notify"
	"wanhu/internal/request"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

const (
	tcSecretID  = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
	tcSecretKey = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
)

// sendSmsBody is the body of SendSms as Tencent's documentation lists
// it; decoding refuses any other field.
type sendSmsBody struct {
	PhoneNumberSet   []string
	SmsSdkAppId      string
	SignName         string
	TemplateId       string
	TemplateParamSet []string
}

// tencentServer stands in for sms.tencentcloudapi.com. It checks each
// request as the API documentation specifies (POST, the X-TC headers, the
// JSON body) and recomputes its TC3-HMAC-SHA256 signature from the secret
// key, then answers like Tencent: a status per number, "Ok" unless codes
// names another code for the number.
type tencentServer struct {
	t     *testing.T
	mu    sync.Mutex
	codes map[string]string // E.164 number → the status code to answer
	got   []sendSmsBody
}

var authHeader = regexp.MustCompile(`^TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/sms/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$`)

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func (s *tencentServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := s.t
	body, _ := io.ReadAll(r.Body)
	fail := func(code, msg string) {
		t.Errorf("%s: %s", code, msg)
		fmt.Fprintf(w, `{"Response":{"Error":{"Code":%q,"Message":%q},"RequestId":"test-error"}}`, code, msg)
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" || r.URL.RawQuery != "" {
		fail("InvalidParameter", r.Method+" "+r.URL.String())
		return
	}
	h := r.Header
	if h.Get("X-TC-Action") != "SendSms" || h.Get("X-TC-Version") != "2021-01-11" || h.Get("X-TC-Region") != "ap-beijing" ||
		!strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		fail("InvalidParameter", fmt.Sprintf("headers %v", h))
		return
	}
	ts, err := strconv.ParseInt(h.Get("X-TC-Timestamp"), 10, 64)
	if err != nil {
		fail("MissingParameter", "X-TC-Timestamp")
		return
	}
	// The signature, recomputed by the documented algorithm.
	m := authHeader.FindStringSubmatch(h.Get("Authorization"))
	if m == nil {
		fail("AuthFailure.SignatureFailure", "Authorization "+h.Get("Authorization"))
		return
	}
	id, date, signed, signature := m[1], m[2], m[3], m[4]
	if id != tcSecretID || date != time.Unix(ts, 0).UTC().Format("2006-01-02") || !slices.Contains(strings.Split(signed, ";"), "host") ||
		!slices.Contains(strings.Split(signed, ";"), "content-type") {
		fail("AuthFailure.SignatureFailure", "credential "+m[0])
		return
	}
	var canonHeaders strings.Builder
	for _, name := range strings.Split(signed, ";") {
		v := h.Get(name)
		if name == "host" {
			v = r.Host
		}
		canonHeaders.WriteString(name + ":" + strings.ToLower(strings.TrimSpace(v)) + "\n")
	}
	canonical := strings.Join([]string{"POST", "/", "", canonHeaders.String(), signed, sha256Hex(body)}, "\n")
	scope := date + "/sms/tc3_request"
	toSign := "TC3-HMAC-SHA256\n" + strconv.FormatInt(ts, 10) + "\n" + scope + "\n" + sha256Hex([]byte(canonical))
	key := hmacSHA256(hmacSHA256(hmacSHA256([]byte("TC3"+tcSecretKey), date), "sms"), "tc3_request")
	if want := hex.EncodeToString(hmacSHA256(key, toSign)); signature != want {
		fail("AuthFailure.SignatureFailure", "signature "+signature+", want "+want)
		return
	}

	var b sendSmsBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil || len(b.PhoneNumberSet) == 0 {
		fail("InvalidParameter", fmt.Sprintf("body %s: %v", body, err))
		return
	}
	s.mu.Lock()
	s.got = append(s.got, b)
	s.mu.Unlock()
	type status struct {
		SerialNo, PhoneNumber string
		Fee                   int
		SessionContext        string
		Code, Message         string
		IsoCode               string
	}
	var set []status
	for _, n := range b.PhoneNumberSet {
		st := status{SerialNo: "5000:1045710669157053657849499619", PhoneNumber: n, Fee: 1, Code: "Ok", Message: "send success", IsoCode: "CN"}
		if c := s.codes[n]; c != "" {
			st = status{PhoneNumber: n, Code: c, Message: "the number of sms messages sent from a single mobile number every day exceeds the upper limit: " + n, IsoCode: "CN"}
		}
		set = append(set, st)
	}
	json.NewEncoder(w).Encode(map[string]any{"Response": map[string]any{"SendStatusSet": set, "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279"}})
}

// newAppointment books appointment of a new household in the first grid
// of fx, for phone.
func newAppointment(t *testing.T, db *store.DB, fx *testworld.Org, room, phone string) int64 {
	t.Helper()
	ctx := context.Background()
	h, err := household.NewStore(db).CreateHousehold(ctx, household.Actor{Name: "测试"},
		household.Household{BuildingID: fx.Buildings[0].ID, Room: room}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sealed, _, err := household.SealPhone(db.Keys(), phone)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.QueryRowContext(ctx, `INSERT INTO appointments(household_id, grid_id, slot_start, slot_end, slot_kind, phone, booked_via, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'evening', ?, 'staff', ?, ?) RETURNING id`, h.ID, fx.Grids[0].ID, sendNow, sendNow.Add(time.Hour), sealed, sendNow, sendNow).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// allTemplates configures every kind with template id 100000 + its
// index, or its own spec in custom ("kind=…").
func allTemplates(t *testing.T, custom ...string) map[string]notify.Template {
	t.Helper()
	var spec []string
	for i, tpl := range notify.SMSTemplates {
		item := fmt.Sprintf("%s=%d", tpl.Kind, 100000+i)
		if k := slices.IndexFunc(custom, func(c string) bool { return strings.HasPrefix(c, tpl.Kind+"=") }); k >= 0 {
			item = custom[k]
		}
		spec = append(spec, item)
	}
	ts, err := notify.ParseTemplates(strings.Join(spec, ";\n"))
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// TestTencentSMS: texts to residents go through Tencent Cloud SMS, signed
// TC3-HMAC-SHA256 (the test server recomputes the signature), with the
// registered signature and the template of their kind filled in order,
// to +86 numbers. "Ok" marks a message sent; another code keeps it for the
// outbox's retries with the code recorded, and fails it after the last
// attempt. No phone number reaches the recorded error.
func TestTencentSMS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		tc := &tencentServer{t: t, codes: map[string]string{"+8613800001111": "LimitExceeded.PhoneNumberDailyLimit"}}
		srv := httptest.NewServer(tc)
		t.Cleanup(srv.Close)
		gw, err := notify.NewTencentSMS(notify.TencentConfig{SecretID: tcSecretID, SecretKey: tcSecretKey, AppID: "1400006666",
			Sign: "东兴社区", Region: "ap-beijing", Endpoint: srv.URL,
			Templates: allTemplates(t, notify.AppointmentConfirmed+"=200001:date,start,end,community_phone")})
		if err != nil {
			t.Fatal(err)
		}

		ok := newAppointment(t, db, fx, "101", "139 1234 5678")
		limited := newAppointment(t, db, fx, "102", "13800001111")
		payload := map[string]any{"slot_start": sendNow.Add(24 * time.Hour), "slot_end": sendNow.Add(25 * time.Hour), "community": "东兴社区"}
		for _, id := range []int64{ok, limited} {
			if err := notify.Enqueue(ctx, db, notify.Message{Kind: notify.AppointmentConfirmed, Recipient: "appointment:" + strconv.FormatInt(id, 10), Payload: payload}); err != nil {
				t.Fatal(err)
			}
		}
		rq, err := request.NewStore(db, household.NewStore(db)).SubmitPublic(ctx, request.Input{Category: "repairs", Description: "楼道灯坏了", Address: "一化小区 2号楼",
			GridID: fx.Grids[1].ID, Phone: "13700002222"}, "203.0.113.7", request.PublicLimits)
		if err != nil {
			t.Fatal(err)
		}
		var okMsg, limitedMsg, requestMsg int64
		for _, c := range []struct {
			recipient string
			id        *int64
		}{{"appointment:" + strconv.FormatInt(ok, 10), &okMsg}, {"appointment:" + strconv.FormatInt(limited, 10), &limitedMsg},
			{"request:" + strconv.FormatInt(rq.ID, 10), &requestMsg}} {
			storetest.Scan(t, db.QueryRowContext(ctx, `SELECT id FROM outbox WHERE recipient = ? AND channel = 'sms'`, c.recipient), c.id)
		}

		now := time.Now().UTC().Add(time.Hour).Truncate(time.Second) // the messages are due
		opts := notify.Options{MaxAttempts: 2, Backoff: []time.Duration{time.Minute}, Now: func() time.Time { return now }}
		senders := []notify.Sender{notify.SMSSender{DB: db, Gateway: gw, PublicURL: "https://wanhu.example.cn"}}
		n, err := notify.Deliver(ctx, db, senders, opts)
		if err != nil || n != 2 {
			t.Fatalf("delivered %d, %v", n, err)
		}
		byPhone := map[string]sendSmsBody{}
		for _, b := range tc.got {
			if len(b.PhoneNumberSet) != 1 || b.SmsSdkAppId != "1400006666" || b.SignName != "东兴社区" {
				t.Errorf("request %+v", b)
			}
			byPhone[b.PhoneNumberSet[0]] = b
		}
		if b := byPhone["+8613912345678"]; b.TemplateId != "200001" || !slices.Equal(b.TemplateParamSet, []string{"11月28日", "17:30", "18:30", "0971-8123456"}) {
			t.Errorf("appointment: %+v", b)
		}
		if b := byPhone["+8613700002222"]; b.TemplateId != "100002" || !slices.Equal(b.TemplateParamSet, []string{rq.TrackingCode}) {
			t.Errorf("request: %+v", b)
		}
		if len(tc.got) != 3 {
			t.Errorf("%d requests to Tencent, want 3", len(tc.got))
		}
		for _, id := range []int64{okMsg, requestMsg} {
			if r := rowOf(t, db, id); r.State != "sent" || r.SentAt == nil || r.LastError != "" {
				t.Errorf("message %d: %+v", id, r)
			}
		}
		r := rowOf(t, db, limitedMsg)
		if r.State != "pending" || r.Attempts != 1 || !r.Next.Equal(now.Add(time.Minute)) ||
			!strings.HasPrefix(r.LastError, "tencent sms: LimitExceeded.PhoneNumberDailyLimit: ") || strings.Contains(r.LastError, "13800001111") {
			t.Fatalf("refused by Tencent: %+v", r)
		}
		now = now.Add(time.Minute)
		notify.Deliver(ctx, db, senders, opts)
		if r := rowOf(t, db, limitedMsg); r.State != "failed" || r.Attempts != 2 || r.SentAt != nil ||
			!strings.HasPrefix(r.LastError, "tencent sms: LimitExceeded.PhoneNumberDailyLimit") {
			t.Errorf("after the last attempt: %+v", r)
		}
		if len(tc.got) != 4 {
			t.Errorf("%d requests to Tencent, want 4", len(tc.got))
		}
	})
}

// TestTencentAPIError: an error of the API itself (a wrong key) is the
// message's error, with Tencent's code.
func TestTencentAPIError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"The provided credentials could not be validated."},"RequestId":"b3f1"}}`)
	}))
	t.Cleanup(srv.Close)
	gw, err := notify.NewTencentSMS(notify.TencentConfig{SecretID: tcSecretID, SecretKey: "wrong", AppID: "1400006666", Sign: "东兴社区",
		Endpoint: srv.URL, Templates: allTemplates(t)})
	if err != nil {
		t.Fatal(err)
	}
	m := notify.TextMessage{Phone: "13912345678", Kind: "request.resolve", Params: map[string]string{"code": "7KXW2M9QHF"}}
	if err := gw.SendSMS(context.Background(), m); err == nil || err.Error() != "tencent sms: AuthFailure.SignatureFailure: The provided credentials could not be validated." {
		t.Errorf("API error: %v", err)
	}
	m.Phone = "0971-8123456"
	if err := gw.SendSMS(context.Background(), m); err == nil || strings.Contains(err.Error(), "8123456") || !strings.Contains(err.Error(), "not a mainland mobile number") {
		t.Errorf("a landline: %v", err)
	}
}

// TestParseTemplates: every kind of text needs a template; a kind may
// give its own order of parameters, from those Wanhu has.
func TestParseTemplates(t *testing.T) {
	ts := allTemplates(t, "request.accept=300001:code,due")
	if a := ts["request.accept"]; a.ID != "300001" || !slices.Equal(a.Params, []string{"code", "due"}) {
		t.Errorf("custom: %+v", a)
	}
	if r := ts["request.resolve"]; r.ID != "100006" || !slices.Equal(r.Params, []string{"code"}) {
		t.Errorf("default: %+v", r)
	}
	for spec, want := range map[string]string{
		"request.resolve=1":                       "no template for appointment.confirmed",
		"request.nothing=1":                       "give kind=TemplateID with a kind of",
		"request.resolve=T1":                      "is not a template id",
		"request.resolve=1:code,phone":            `parameter "phone" is not one of`,
		"request.resolve=1;request.resolve=2":     "given twice",
		"appointment.confirmed=1;request.resolve": "give kind=TemplateID",
	} {
		if _, err := notify.ParseTemplates(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", spec, err, want)
		}
	}
	// The suggested template texts have as many variables as parameters.
	for _, tpl := range notify.SMSTemplates {
		if n := strings.Count(tpl.Text, "{"); n != len(tpl.Params) || !strings.Contains(tpl.Text, fmt.Sprintf("{%d}", n)) {
			t.Errorf("%s: %q has %d variables for %v", tpl.Kind, tpl.Text, n, tpl.Params)
		}
	}
}

// TestSMSParams: a request's texts take the code and the deadline in
// China time.
func TestSMSParams(t *testing.T) {
	d := notify.Delivery{Kind: "request.accept", Channel: notify.SMS,
		Payload: json.RawMessage(`{"request_id":39,"tracking_code":"DX7K2Q","note":"","due_at":"2026-10-13T15:59:59Z"}`)}
	p := notify.SMSParams(d, notify.Community{Name: "东兴社区", Phone: "0971-8123456"})
	if p["code"] != "DX7K2Q" || p["due"] != "10月13日 23:59" || p["due_date"] != "10月13日" || p["due_time"] != "23:59" ||
		p["community"] != "东兴社区" || p["community_phone"] != "0971-8123456" {
		t.Errorf("params %v", p)
	}
}
