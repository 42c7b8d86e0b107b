package notify_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"wanhu/internal/household"
	"wanhu/internal/notify"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

var (
	sendNow = time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
	apptMsg = notify.Delivery{ID: 7, Kind: notify.AppointmentConfirmed, Channel: notify.SMS, Recipient: "appointment:3", Attempt: 1,
		Payload: json.RawMessage(`{"appointment_id":3,"slot_start":"2026-11-28T11:00:00Z","slot_end":"2026-11-28T12:00:00Z","slot_kind":"evening","community":"东兴社区"}`)}
)

// decodeStrict decodes body into v, refusing fields v does not have.
func decodeStrict(t *testing.T, body []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Errorf("payload %s: %v", body, err)
	}
}

// robot is a test server that checks each request with check and answers
// with answer.
func robot(t *testing.T, check func(r *http.Request, body []byte), status int, answer string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s with %q", r.Method, r.Header.Get("Content-Type"))
		}
		check(r, body)
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestWebhookSender(t *testing.T) {
	ctx := context.Background()
	got := 0
	check := func(r *http.Request, body []byte) {
		got++
		ts := r.Header.Get("X-Wanhu-Timestamp")
		if ts != strconv.FormatInt(sendNow.Unix(), 10) || r.Header.Get("X-Wanhu-Delivery") != "7" {
			t.Errorf("headers %v", r.Header)
		}
		m := hmac.New(sha256.New, []byte("s3cret"))
		m.Write([]byte(ts + "."))
		m.Write(body)
		if want := "sha256=" + hex.EncodeToString(m.Sum(nil)); r.Header.Get("X-Wanhu-Signature") != want {
			t.Errorf("signature %q, want %q", r.Header.Get("X-Wanhu-Signature"), want)
		}
		var p struct {
			ID        int64          `json:"id"`
			Kind      string         `json:"kind"`
			Recipient string         `json:"recipient"`
			Title     string         `json:"title"`
			Text      string         `json:"text"`
			Payload   map[string]any `json:"payload"`
			CreatedAt time.Time      `json:"created_at"`
		}
		decodeStrict(t, body, &p)
		if p.ID != 7 || p.Kind != notify.AppointmentConfirmed || p.Recipient != "appointment:3" || p.Title != "上门走访预约成功" ||
			!strings.Contains(p.Text, "11月28日 19:00–20:00") || p.Payload["community"] != "东兴社区" {
			t.Errorf("payload %+v", p)
		}
	}
	ok := robot(t, check, http.StatusNoContent, "")
	s := notify.WebhookSender{URL: ok.URL + "/hook", Secret: "s3cret", Now: func() time.Time { return sendNow }}
	if err := s.Send(ctx, apptMsg); err != nil || got != 1 {
		t.Fatalf("2xx: %v, %d requests", err, got)
	}
	bad := robot(t, check, http.StatusInternalServerError, "oops")
	s.URL = bad.URL
	if err := s.Send(ctx, apptMsg); err == nil || err.Error() != "webhook: HTTP 500" {
		t.Errorf("500: %v", err)
	}
}

func TestWeComSender(t *testing.T) {
	ctx := context.Background()
	check := func(r *http.Request, body []byte) {
		if r.URL.Query().Get("key") != "robot-key" {
			t.Errorf("query %q", r.URL.RawQuery)
		}
		var p struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Content string `json:"content"`
			} `json:"markdown"`
		}
		decodeStrict(t, body, &p)
		if p.MsgType != "markdown" || !strings.HasPrefix(p.Markdown.Content, "**上门走访预约成功**\n您已预约东兴社区") {
			t.Errorf("payload %s", body)
		}
	}
	ok := robot(t, check, http.StatusOK, `{"errcode":0,"errmsg":"ok"}`)
	if err := (notify.WeComSender{URL: ok.URL + "/cgi-bin/webhook/send?key=robot-key"}).Send(ctx, apptMsg); err != nil {
		t.Fatal(err)
	}
	refused := robot(t, check, http.StatusOK, `{"errcode":93000,"errmsg":"invalid webhook url"}`)
	err := (notify.WeComSender{URL: refused.URL + "/cgi-bin/webhook/send?key=robot-key"}).Send(ctx, apptMsg)
	if err == nil || err.Error() != "wecom: errcode 93000: invalid webhook url" {
		t.Errorf("errcode 93000: %v", err)
	}
	// An unreachable robot: the error does not show the key.
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	err = (notify.WeComSender{URL: gone.URL + "/cgi-bin/webhook/send?key=robot-key"}).Send(ctx, apptMsg)
	if err == nil || strings.Contains(err.Error(), "robot-key") {
		t.Errorf("unreachable: %v", err)
	}
}

func TestDingTalkSender(t *testing.T) {
	ctx := context.Background()
	signed := func(r *http.Request, body []byte) {
		q := r.URL.Query()
		ts := q.Get("timestamp")
		if q.Get("access_token") != "tok" || ts != strconv.FormatInt(sendNow.UnixMilli(), 10) {
			t.Errorf("query %q", r.URL.RawQuery)
		}
		m := hmac.New(sha256.New, []byte("SECabc"))
		m.Write([]byte(ts + "\n" + "SECabc"))
		if want := base64.StdEncoding.EncodeToString(m.Sum(nil)); q.Get("sign") != want {
			t.Errorf("sign %q, want %q", q.Get("sign"), want)
		}
		if !strings.Contains(r.URL.RawQuery, "sign="+strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(q.Get("sign"))) {
			t.Errorf("sign not URL-encoded: %q", r.URL.RawQuery)
		}
		var p struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Title string `json:"title"`
				Text  string `json:"text"`
			} `json:"markdown"`
		}
		decodeStrict(t, body, &p)
		if p.MsgType != "markdown" || p.Markdown.Title != "上门走访预约成功" || !strings.Contains(p.Markdown.Text, "您已预约东兴社区") {
			t.Errorf("payload %s", body)
		}
	}
	srv := robot(t, signed, http.StatusOK, `{"errcode":0,"errmsg":"ok"}`)
	s := notify.DingTalkSender{URL: srv.URL + "/robot/send?access_token=tok", Secret: "SECabc", Now: func() time.Time { return sendNow }}
	if err := s.Send(ctx, apptMsg); err != nil {
		t.Fatal(err)
	}
	unsigned := robot(t, func(r *http.Request, body []byte) {
		if q := r.URL.Query(); q.Has("sign") || q.Has("timestamp") || q.Get("access_token") != "tok" {
			t.Errorf("unsigned query %q", r.URL.RawQuery)
		}
	}, http.StatusOK, `{"errcode":310000,"errmsg":"sign not match"}`)
	err := (notify.DingTalkSender{URL: unsigned.URL + "/robot/send?access_token=tok"}).Send(ctx, apptMsg)
	if err == nil || !strings.Contains(err.Error(), "errcode 310000") {
		t.Errorf("errcode 310000: %v", err)
	}
}

// smsLog is a gateway that keeps what it was given.
type smsLog struct{ sent []notify.TextMessage }

func (g *smsLog) SendSMS(ctx context.Context, m notify.TextMessage) error {
	g.sent = append(g.sent, m)
	return nil
}

// TestSMSSender: the phone sealed in the appointment is opened and sent
// to, signed with the name of the appointment's community and with the
// parameters of its template; the log gateway writes it masked and says
// it was not sent.
func TestSMSSender(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		h, err := household.NewStore(db).CreateHousehold(ctx, household.Actor{Name: "测试"},
			household.Household{BuildingID: fx.Buildings[0].ID, Room: "101"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		sealed, _, err := household.SealPhone(db.Keys(), "13912345678")
		if err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := db.QueryRowContext(ctx, `INSERT INTO appointments(household_id, grid_id, slot_start, slot_end, slot_kind, phone, booked_via, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'evening', ?, 'staff', ?, ?) RETURNING id`, h.ID, fx.Grids[0].ID, sendNow, sendNow.Add(time.Hour), sealed, sendNow, sendNow).Scan(&id); err != nil {
			t.Fatal(err)
		}
		d := apptMsg
		d.Recipient = "appointment:" + strconv.FormatInt(id, 10)
		g := &smsLog{}
		if err := (notify.SMSSender{DB: db, Gateway: g}).Send(ctx, d); err != nil {
			t.Fatal(err)
		}
		if len(g.sent) != 1 || g.sent[0].Phone != "13912345678" || g.sent[0].Kind != notify.AppointmentConfirmed ||
			!strings.HasPrefix(g.sent[0].Text, "【东兴社区】您已预约东兴社区工作人员上门走访") {
			t.Fatalf("sent %+v", g.sent)
		}
		want := map[string]string{"community": "东兴社区", "community_phone": "0971-8123456", "date": "11月28日", "start": "19:00", "end": "20:00"}
		if !maps.Equal(g.sent[0].Params, want) {
			t.Errorf("params %v, want %v", g.sent[0].Params, want)
		}
		d.Recipient = "appointment:999"
		if err := (notify.SMSSender{DB: db, Gateway: g}).Send(ctx, d); err == nil {
			t.Error("no such appointment, sent anyway")
		}
		d.Recipient = "visitor:1"
		if err := (notify.SMSSender{DB: db, Gateway: g}).Send(ctx, d); err == nil || !strings.Contains(err.Error(), "unknown recipient kind") {
			t.Errorf("unknown kind: %v", err)
		}

		var buf bytes.Buffer
		lg := notify.LogGateway{Log: slog.New(slog.NewTextHandler(&buf, nil))}
		if err := lg.SendSMS(ctx, notify.TextMessage{Phone: "13912345678", Text: "你好"}); !errors.Is(err, notify.ErrLoggedOnly) {
			t.Errorf("the log gateway answers %v, want ErrLoggedOnly", err)
		}
		if !strings.Contains(buf.String(), "SMS to 139****5678 (logged only, not sent): 你好") || strings.Contains(buf.String(), "13912345678") {
			t.Errorf("log %q", buf.String())
		}
	})
}

func TestTextFallback(t *testing.T) {
	title, text := notify.Text(notify.Delivery{Kind: "request.something_new", Payload: json.RawMessage(`{}`)})
	if title != "万户通知" || !strings.Contains(text, "request.something_new") {
		t.Errorf("fallback %q %q", title, text)
	}
	_, text = notify.Text(notify.Delivery{Kind: notify.AppointmentReminder, Payload: apptMsg.Payload})
	if text != "提醒：东兴社区工作人员将于11月28日 19:00–20:00上门走访，请留意。" {
		t.Errorf("reminder %q", text)
	}
}

// TestRequestTexts: a request's change reads one way to staff in the group
// and another to the resident by SMS, with the deadline in China time.
func TestRequestTexts(t *testing.T) {
	payload := json.RawMessage(`{"request_id":39,"tracking_code":"DX7K2Q","category":"ev_charging","note":"","due_at":"2026-10-13T15:59:59Z"}`)
	_, staff := notify.Text(notify.Delivery{Kind: "request.accept", Channel: notify.Webhook, Payload: payload})
	if staff != "诉求 #39 已受理，请在 10月13日 23:59 前办结。" {
		t.Errorf("to staff: %q", staff)
	}
	title, sms := notify.Text(notify.Delivery{Kind: "request.accept", Channel: notify.SMS, Payload: payload})
	if title != "诉求已受理" || sms != "您的诉求（DX7K2Q）已受理，预计 10月13日 23:59 前办结。" {
		t.Errorf("to the resident: %q %q", title, sms)
	}
	// A change only staff hear of has no resident text: staff's is used.
	if _, text := notify.Text(notify.Delivery{Kind: "request.hand_back", Channel: notify.SMS, Payload: json.RawMessage(`{"request_id":7,"note":"不属本部门职责"}`)}); text != "诉求 #7 被部门退回：不属本部门职责" {
		t.Errorf("hand back: %q", text)
	}
}

// TestSMSLink: with the public address known, a resident's text about a
// request links to its status page; without it, or for an appointment,
// the text has no link. A text is signed with the community's name, or
// Wanhu's without one.
func TestSMSLink(t *testing.T) {
	d := notify.Delivery{Kind: "request.resolve", Channel: notify.SMS, Payload: json.RawMessage(`{"request_id":39,"tracking_code":"DX7K2Q"}`)}
	if got := notify.SMSText(d, "https://wanhu.example.cn/", "东兴社区"); got != "【东兴社区】您的诉求（DX7K2Q）已办结，社区将回访听取您的意见。 查看进度：https://wanhu.example.cn/r/DX7K2Q" {
		t.Errorf("with the public address: %q", got)
	}
	if got := notify.SMSText(d, "", "东兴社区"); strings.Contains(got, "/r/") {
		t.Errorf("without a public address: %q", got)
	}
	if got := notify.SMSText(apptMsg, "https://wanhu.example.cn", ""); strings.Contains(got, "/r/") || !strings.HasPrefix(got, "【万户】") {
		t.Errorf("an appointment: %q", got)
	}
}
