package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"wanhu/internal/pii"
	"wanhu/internal/store"
)

// The channels of the senders.
const (
	Webhook  = "webhook"
	WeCom    = "wecom"    // 企业微信群机器人
	DingTalk = "dingtalk" // 钉钉机器人
	// Staff is the channel of messages to staff (a request to accept, an
	// overdue one): the sender chosen with ForStaff delivers them, the
	// group robot a community uses the way grids use their WeChat groups.
	Staff = "staff"
)

// ForStaff makes s deliver the messages to staff.
func ForStaff(s Sender) Sender { return staffSender{s} }

type staffSender struct{ Sender }

func (staffSender) Channel() string { return Staff }

// client posts to webhooks; its timeout stays far below Options.Lease.
var client = &http.Client{Timeout: 15 * time.Second}

// post sends body as JSON to target and returns the response body of a 2xx
// answer. Its errors never carry the URL, whose query holds the robots'
// keys.
func post(ctx context.Context, name, target string, body []byte, header http.Header) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: bad address", name)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s: HTTP %d", name, resp.StatusCode)
	}
	return b, nil
}

// WebhookSender posts each message as JSON to URL, signed with Secret:
// X-Wanhu-Signature is "sha256=" and the hex HMAC-SHA256 of
// "<X-Wanhu-Timestamp>.<body>", the timestamp in Unix seconds. A 2xx
// answer means sent.
type WebhookSender struct {
	URL, Secret string
	Now         func() time.Time // time.Now when nil
}

// webhookBody is what the generic webhook receives.
type webhookBody struct {
	ID        int64           `json:"id"`
	Kind      string          `json:"kind"`
	Recipient string          `json:"recipient"`
	Title     string          `json:"title"`
	Text      string          `json:"text"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"created_at"`
}

func (s WebhookSender) Channel() string { return Webhook }

func (s WebhookSender) Send(ctx context.Context, d Delivery) error {
	title, text := Text(d)
	payload := d.Payload
	if !json.Valid(payload) {
		payload = json.RawMessage("{}")
	}
	body, err := json.Marshal(webhookBody{ID: d.ID, Kind: d.Kind, Recipient: d.Recipient, Title: title, Text: text, Payload: payload, CreatedAt: d.CreatedAt})
	if err != nil {
		return err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	h := http.Header{}
	h.Set("X-Wanhu-Timestamp", ts)
	h.Set("X-Wanhu-Delivery", strconv.FormatInt(d.ID, 10))
	h.Set("X-Wanhu-Signature", "sha256="+Sign(s.Secret, ts, body))
	_, err = post(ctx, "webhook", s.URL, body, h)
	return err
}

// Sign returns the hex HMAC-SHA256 with secret of "<timestamp>.<body>": a
// receiver recomputes it to check a webhook's X-Wanhu-Signature.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + "."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// robotAnswer is how both robots answer: errcode 0 means sent.
type robotAnswer struct {
	ErrCode *int   `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func robotResult(name string, b []byte) error {
	var a robotAnswer
	if err := json.Unmarshal(b, &a); err != nil || a.ErrCode == nil {
		return fmt.Errorf("%s: unexpected answer", name)
	}
	if *a.ErrCode != 0 {
		return fmt.Errorf("%s: errcode %d: %s", name, *a.ErrCode, clip(a.ErrMsg))
	}
	return nil
}

// WeComSender posts to a WeCom group robot (企业微信群机器人) at URL
// ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…") as a markdown
// message.
type WeComSender struct{ URL string }

func (s WeComSender) Channel() string { return WeCom }

func (s WeComSender) Send(ctx context.Context, d Delivery) error {
	title, text := Text(d)
	body, err := json.Marshal(map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": "**" + title + "**\n" + text}})
	if err != nil {
		return err
	}
	b, err := post(ctx, "wecom", s.URL, body, nil)
	if err != nil {
		return err
	}
	return robotResult("wecom", b)
}

// DingTalkSender posts to a DingTalk robot at URL
// ("https://oapi.dingtalk.com/robot/send?access_token=…") as a markdown
// message. With a Secret (the robot's 加签 security setting) it adds the
// timestamp (Unix milliseconds) and sign query parameters: the base64
// HMAC-SHA256 with the secret of "<timestamp>\n<secret>".
type DingTalkSender struct {
	URL, Secret string
	Now         func() time.Time // time.Now when nil
}

func (s DingTalkSender) Channel() string { return DingTalk }

func (s DingTalkSender) Send(ctx context.Context, d Delivery) error {
	title, text := Text(d)
	body, err := json.Marshal(map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": title, "text": "#### " + title + "\n\n" + text}})
	if err != nil {
		return err
	}
	target := s.URL
	if s.Secret != "" {
		u, err := url.Parse(s.URL)
		if err != nil {
			return errors.New("dingtalk: bad address")
		}
		now := time.Now
		if s.Now != nil {
			now = s.Now
		}
		ts := strconv.FormatInt(now().UnixMilli(), 10)
		q := u.Query()
		q.Set("timestamp", ts)
		q.Set("sign", DingTalkSign(s.Secret, ts))
		u.RawQuery = q.Encode()
		target = u.String()
	}
	b, err := post(ctx, "dingtalk", target, body, nil)
	if err != nil {
		return err
	}
	return robotResult("dingtalk", b)
}

// DingTalkSign is the sign parameter of a DingTalk robot (before URL
// encoding): the base64 HMAC-SHA256 with secret of "<timestamp>\n<secret>".
func DingTalkSign(secret, timestamp string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// TextMessage is a text message to one phone number.
type TextMessage struct {
	Phone string
	Kind  string // the message's kind, which a provider's template stands for
	// Text is the whole message, signed with the community's name
	// (SMSText): what a provider without templates, or the log, sends.
	Text string
	// Params are the values a provider's template fills in (SMSParams).
	Params map[string]string
}

// Gateway sends a text message: an SMS provider.
type Gateway interface {
	SendSMS(ctx context.Context, m TextMessage) error
}

// LogGateway is the SMS gateway without a provider (demo mode, or a
// server not configured for one): it writes each message to the log, the
// number masked ("SMS to 139****5678 (logged only, not sent): …"), and in
// the text the tracking codes masked (a code is a credential: it opens the
// request's page) and any ID or mobile number (pii.Redact). It answers
// ErrLoggedOnly: nobody received the message.
type LogGateway struct{ Log *slog.Logger }

func (g LogGateway) SendSMS(ctx context.Context, m TextMessage) error {
	g.Log.Info("SMS to " + pii.MaskPhone(m.Phone) + " (logged only, not sent): " + pii.RedactCodes(pii.Redact(m.Text)))
	return ErrLoggedOnly
}

// SMSSender sends messages as text messages through Gateway, to the phone
// its recipient reference resolves to on DB, signed with the name of the
// recipient's community. With PublicURL (the address residents reach the
// server at), a resident's message about a request links to its status
// page.
type SMSSender struct {
	DB        store.Querier
	Gateway   Gateway
	PublicURL string
}

func (s SMSSender) Channel() string { return SMS }

// LogsOnly reports whether s only writes its messages to the log.
func (s SMSSender) LogsOnly() bool {
	_, ok := s.Gateway.(LogGateway)
	return ok
}

func (s SMSSender) Send(ctx context.Context, d Delivery) error {
	phone, path, err := resolve(ctx, s.DB, d.Recipient)
	if err != nil {
		return err
	}
	c, err := communityOf(ctx, s.DB, path)
	if err != nil {
		return err
	}
	return s.Gateway.SendSMS(ctx, TextMessage{Phone: phone, Kind: d.Kind, Text: SMSText(d, s.PublicURL, c.Name), Params: SMSParams(d, c)})
}
