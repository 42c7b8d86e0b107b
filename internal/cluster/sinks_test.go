package cluster

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"wanhu/internal/notify"
)

// receipt is one delivery a sink received, and when.
type receipt struct {
	key string // what identifies the message: the outbox id, or an SMS's template and parameters
	at  time.Time
}

// sink stands in for the receivers of the servers' notifications: the
// staff webhook (/staff), the anchor webhook (/anchor) and Tencent Cloud
// SMS (/, the API's only path, on a server of its own). It checks each
// delivery's format and records it. Each answer waits a little, so that
// a server killed while it sends leaves a delivery half done.
type sink struct {
	secret, anchorSecret string
	delay                time.Duration

	mu      sync.Mutex
	staff   []receipt // key: X-Wanhu-Delivery
	anchors []receipt // key: X-Wanhu-Delivery
	anchor  []byte    // the last anchor's body
	sms     []receipt // key: template id and parameters
	bad     []string  // deliveries whose format was wrong
}

func (s *sink) reject(w http.ResponseWriter, format string, args ...any) {
	s.mu.Lock()
	s.bad = append(s.bad, fmt.Sprintf(format, args...))
	s.mu.Unlock()
	http.Error(w, "bad delivery", http.StatusBadRequest)
}

var staffRecipient = regexp.MustCompile(`^(grid|unit|user):\d+$`)

// checkSigned checks the headers of a signed webhook delivery with secret
// and returns its delivery id.
func checkSigned(r *http.Request, body []byte, secret string) (string, error) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return "", fmt.Errorf("%s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
	}
	ts := r.Header.Get("X-Wanhu-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return "", fmt.Errorf("X-Wanhu-Timestamp %q", ts)
	}
	if got, want := r.Header.Get("X-Wanhu-Signature"), "sha256="+notify.Sign(secret, ts, body); got != want {
		return "", fmt.Errorf("X-Wanhu-Signature %q, want %q", got, want)
	}
	id := r.Header.Get("X-Wanhu-Delivery")
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return "", fmt.Errorf("X-Wanhu-Delivery %q", id)
	}
	return id, nil
}

func (s *sink) staffHook(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id, err := checkSigned(r, body, s.secret)
	if err != nil {
		s.reject(w, "staff webhook: %v", err)
		return
	}
	var m struct {
		ID        int64           `json:"id"`
		Kind      string          `json:"kind"`
		Recipient string          `json:"recipient"`
		Title     string          `json:"title"`
		Text      string          `json:"text"`
		Payload   json.RawMessage `json:"payload"`
		CreatedAt time.Time       `json:"created_at"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		s.reject(w, "staff webhook: body %s: %v", body, err)
		return
	}
	var p struct {
		RequestID    int64  `json:"request_id"`
		TrackingCode string `json:"tracking_code"`
	}
	if strconv.FormatInt(m.ID, 10) != id || !strings.HasPrefix(m.Kind, "request.") || !staffRecipient.MatchString(m.Recipient) ||
		m.Title == "" || m.Text == "" || m.CreatedAt.IsZero() || json.Unmarshal(m.Payload, &p) != nil || p.RequestID == 0 || p.TrackingCode == "" {
		s.reject(w, "staff webhook: delivery %s: %s", id, body)
		return
	}
	time.Sleep(s.delay)
	s.mu.Lock()
	s.staff = append(s.staff, receipt{id, time.Now()})
	s.mu.Unlock()
}

func (s *sink) anchorHook(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id, err := checkSigned(r, body, s.anchorSecret)
	if err != nil || r.Header.Get("X-Wanhu-Event") != "audit.anchor" {
		s.reject(w, "anchor webhook: %v (event %q)", err, r.Header.Get("X-Wanhu-Event"))
		return
	}
	var a struct {
		ID    int64     `json:"id"`
		Hash  string    `json:"hash"`
		At    time.Time `json:"at"`
		Count int64     `json:"count"`
	}
	if err := json.Unmarshal(body, &a); err != nil || a.At.IsZero() || a.Count < 0 || (a.ID > 0 && len(a.Hash) != 64) {
		s.reject(w, "anchor webhook: body %s: %v", body, err)
		return
	}
	s.mu.Lock()
	s.anchors = append(s.anchors, receipt{id, time.Now()})
	s.anchor = body
	s.mu.Unlock()
}

// smsTemplates gives each kind of text a template id of its own, so the
// SMS sink tells them apart.
const smsTemplates = "appointment.confirmed=1001;appointment.reminder=1002;request.submitted=1003;request.accept=1004;request.decline=1005;request.merge=1006;request.resolve=1007"

// tencentSMS answers as Tencent Cloud's SendSms does: "Ok" for every
// number. The signature itself is checked by the notify package's tests.
func (s *sink) tencentSMS(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var b struct {
		PhoneNumberSet   []string
		SmsSdkAppId      string
		SignName         string
		TemplateId       string
		TemplateParamSet []string
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if r.Header.Get("X-TC-Action") != "SendSms" || !strings.HasPrefix(r.Header.Get("Authorization"), "TC3-HMAC-SHA256 Credential=") ||
		dec.Decode(&b) != nil || len(b.PhoneNumberSet) != 1 || !strings.HasPrefix(b.PhoneNumberSet[0], "+86") || b.SignName == "" || b.TemplateId == "" {
		s.reject(w, "sms: headers %v body %s", r.Header, body)
		return
	}
	time.Sleep(s.delay)
	s.mu.Lock()
	s.sms = append(s.sms, receipt{b.TemplateId + " " + strings.Join(b.TemplateParamSet, ",") + " " + b.PhoneNumberSet[0], time.Now()})
	s.mu.Unlock()
	type status struct {
		SerialNo, PhoneNumber string
		Fee                   int
		SessionContext        string
		Code, Message         string
		IsoCode               string
	}
	json.NewEncoder(w).Encode(map[string]any{"Response": map[string]any{
		"SendStatusSet": []status{{SerialNo: "5000:1045710669157053657849499619", PhoneNumber: b.PhoneNumberSet[0], Fee: 1, Code: "Ok", Message: "send success", IsoCode: "CN"}},
		"RequestId":     "a0aabda6-cf91-4f3e-a81f-9198114a2279"}})
}

// received returns a copy of what the sink has received.
func (s *sink) received() (staff, anchors, sms []receipt, bad []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]receipt(nil), s.staff...), append([]receipt(nil), s.anchors...), append([]receipt(nil), s.sms...), append([]string(nil), s.bad...)
}
