package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"wanhu/internal/notify"
)

// TestStaffChannel: messages to staff go to the chosen group robot, by
// default the first configured of WeCom, DingTalk and the webhook; a
// choice that is not configured or not known is refused.
func TestStaffChannel(t *testing.T) {
	sms := notify.SMSSender{}
	wecom, ding, hook := notify.WeComSender{URL: "http://w"}, notify.DingTalkSender{URL: "http://d"}, notify.WebhookSender{URL: "http://h"}
	for _, c := range []struct {
		senders []notify.Sender
		staff   string
		want    string // the channel of the sender chosen
	}{
		{[]notify.Sender{sms, hook, ding}, "", notify.DingTalk},
		{[]notify.Sender{sms, hook, ding, wecom}, "", notify.WeCom},
		{[]notify.Sender{sms, wecom, hook}, "webhook", notify.Webhook},
		{[]notify.Sender{sms}, "", ""}, // staff messages wait
	} {
		got, err := staffSender(c.senders, c.staff)
		if err != nil || (got == nil) != (c.want == "") || (got != nil && got.Channel() != c.want) {
			t.Errorf("staff %q: %v %v, want %q", c.staff, got, err, c.want)
		}
	}
	got, err := withStaff([]notify.Sender{sms, hook}, "")
	if err != nil || len(got) != 3 || got[2].Channel() != notify.Staff {
		t.Errorf("withStaff: %v %v", got, err)
	}
	if _, err := withStaff([]notify.Sender{sms, hook}, "wecom"); err == nil {
		t.Error("an unconfigured staff channel was accepted")
	}
	if _, err := withStaff([]notify.Sender{sms, hook}, "email"); err == nil {
		t.Error("an unknown staff channel was accepted")
	}
}

// TestServeSMSNotice: without an SMS provider, serve says on the console
// that texts are only logged; with Tencent Cloud SMS configured (the
// SecretKey from a file) it does not.
func TestServeSMSNotice(t *testing.T) {
	dir := t.TempDir()
	dsn, key := filepath.Join(dir, "w.db"), filepath.Join(dir, "w.key")
	if code, out, errs := wanhu(t, "", "key", "new", "--key-file", key); code != 0 {
		t.Fatalf("key new: %d %s %s", code, out, errs)
	}
	_, printed := serveProcess(t, dsn, key, 0)
	if !strings.Contains(printed, "短信未配置服务商：发给居民的短信只写入日志，不会发送") || !strings.Contains(printed, "texts to residents are only logged, not sent") {
		t.Errorf("without a provider serve printed:\n%s", printed)
	}
	secret := filepath.Join(dir, "tencent.key")
	if err := os.WriteFile(secret, []byte("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, printed = serveProcess(t, dsn, key, 0, "--tencent-sms-secret-id", "AKIDEXAMPLE", "--tencent-sms-secret-key-file", secret,
		"--tencent-sms-app-id", "1400006666", "--tencent-sms-sign", "东兴社区", "--tencent-sms-templates", allTemplatesSpec())
	if strings.Contains(printed, "短信未配置服务商") {
		t.Errorf("with Tencent Cloud SMS serve printed:\n%s", printed)
	}
}

// allTemplatesSpec gives every kind of text a template id.
func allTemplatesSpec() string {
	var spec []string
	for i, tpl := range notify.SMSTemplates {
		spec = append(spec, fmt.Sprintf("%s=%d", tpl.Kind, 1000+i))
	}
	return strings.Join(spec, ";")
}

// TestTencentFlags: the SecretKey comes from a file or the environment,
// never a flag; every kind of text needs a template; the SMS sender then
// sends through Tencent instead of the log.
func TestTencentFlags(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "tencent.key")
	if err := os.WriteFile(secret, []byte("k3y\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"--tencent-sms-secret-id", "AKIDEXAMPLE", "--tencent-sms-app-id", "1400006666", "--tencent-sms-sign", "东兴社区"}
	for _, c := range []struct {
		env  string
		args []string
		want string // in the error; "" for a gateway
	}{
		{"", nil, ""}, // no provider: nil gateway, no error
		{"", append(base, "--tencent-sms-templates", allTemplatesSpec()), "SecretKey"},
		{"k3y", append(base, "--tencent-sms-templates", allTemplatesSpec()), ""},
		{"", append(base, "--tencent-sms-secret-key-file", secret, "--tencent-sms-templates", allTemplatesSpec()), ""},
		{"", append(base, "--tencent-sms-secret-key-file", secret, "--tencent-sms-templates", "request.submitted=1"), "no template for appointment.confirmed"},
		{"", append(slices.Clip(base[:4]), "--tencent-sms-secret-key-file", secret, "--tencent-sms-templates", allTemplatesSpec()), "signature"},
	} {
		t.Setenv(tencentSecretKeyEnv, c.env)
		fs := newFlags("serve")
		sms := tencentFlags(fs)
		if err := parse(fs, c.args); err != nil {
			t.Fatal(err)
		}
		g, err := sms()
		switch {
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%v (env %q): %v, want %q", c.args, c.env, err, c.want)
		case c.want == "" && err != nil:
			t.Errorf("%v: %v", c.args, err)
		case c.want == "" && (g == nil) != (len(c.args) == 0):
			t.Errorf("%v: gateway %v", c.args, g)
		}
		if g != nil && smsLogsOnly([]notify.Sender{notify.SMSSender{Gateway: g}}) {
			t.Errorf("%v: the Tencent gateway only logs", c.args)
		}
	}
	if !smsLogsOnly([]notify.Sender{notify.SMSSender{Gateway: notify.LogGateway{}}}) {
		t.Error("the log gateway sends")
	}
}
