package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"wanhu/internal/notify"
)

// TestLogGatewayMasksCodes: demo mode's SMS gateway logs each message,
// and a resident's message carries the tracking code twice (after 查询码
// and in the /r/ link); the code is a credential, so the log line keeps
// two of its characters (issue 11), and the phone its mask.
func TestLogGatewayMasksCodes(t *testing.T) {
	d := notify.Delivery{Kind: "request.submitted", Channel: notify.SMS,
		Payload: json.RawMessage(`{"request_id":39,"tracking_code":"7KXW2M9QHF","category":"repairs"}`)}
	text := notify.SMSText(d, "https://wanhu.example.org", "东兴社区")
	if strings.Count(text, "7KXW2M9QHF") != 2 {
		t.Fatalf("the message %q should carry the code twice", text)
	}
	var buf bytes.Buffer
	lg := notify.LogGateway{Log: slog.New(slog.NewTextHandler(&buf, nil))}
	if err := lg.SendSMS(context.Background(), notify.TextMessage{Phone: "13912345678", Text: text}); !errors.Is(err, notify.ErrLoggedOnly) {
		t.Fatalf("log gateway: %v", err)
	}
	line := buf.String()
	if strings.Contains(line, "7KXW2M9QHF") || strings.Count(line, "7K********") != 2 || strings.Contains(line, "13912345678") ||
		!strings.Contains(line, "SMS to 139****5678") {
		t.Errorf("log %q", line)
	}
}
