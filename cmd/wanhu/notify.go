package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"

	"wanhu/internal/notify"
	"wanhu/internal/store"
)

// senderFlags adds the flags of the notification senders and returns a
// constructor of the senders they configure. Text messages go through
// Tencent Cloud SMS when it is configured, else only to the log (numbers
// masked), where they are "logged", not sent.
func senderFlags(fs *flag.FlagSet) func(db *store.DB, log *slog.Logger, publicURL string) ([]notify.Sender, error) {
	sms := tencentFlags(fs)
	webhook := fs.String("webhook-url", "", "post notifications as signed JSON to this address")
	webhookSecret := fs.String("webhook-secret", "", "key of the HMAC-SHA256 signature (X-Wanhu-Signature) of --webhook-url")
	wecom := fs.String("wecom-webhook", "", "webhook address of a WeCom group robot (企业微信群机器人) for staff notifications")
	dingtalk := fs.String("dingtalk-webhook", "", "webhook address of a DingTalk robot (钉钉机器人) for staff notifications")
	dingtalkSecret := fs.String("dingtalk-secret", "", "signing secret (加签) of the DingTalk robot, if it has one")
	staff := fs.String("staff-channel", "", "where messages to staff go: wecom, dingtalk or webhook (default: the first of those configured)")
	return func(db *store.DB, log *slog.Logger, publicURL string) ([]notify.Sender, error) {
		gateway, err := sms()
		if err != nil {
			return nil, err
		}
		if gateway == nil {
			gateway = notify.LogGateway{Log: log}
		}
		senders := []notify.Sender{notify.SMSSender{DB: db, Gateway: gateway, PublicURL: publicURL}}
		if *webhook != "" {
			if *webhookSecret == "" {
				return nil, errors.New("--webhook-url needs --webhook-secret (or WANHU_WEBHOOK_SECRET) to sign the messages")
			}
			senders = append(senders, notify.WebhookSender{URL: *webhook, Secret: *webhookSecret})
		}
		if *wecom != "" {
			senders = append(senders, notify.WeComSender{URL: *wecom})
		}
		if *dingtalk != "" {
			senders = append(senders, notify.DingTalkSender{URL: *dingtalk, Secret: *dingtalkSecret})
		}
		return withStaff(senders, *staff)
	}
}

// withStaff adds the sender of the messages to staff (see staffSender).
// With none configured, staff messages wait in the outbox (see the
// notifications page).
func withStaff(senders []notify.Sender, staff string) ([]notify.Sender, error) {
	s, err := staffSender(senders, staff)
	if err != nil || s == nil {
		return senders, err
	}
	return append(senders, notify.ForStaff(s)), nil
}

// staffSender returns the configured sender of channel staff (wecom,
// dingtalk or webhook), or without one the first configured of those.
func staffSender(senders []notify.Sender, staff string) (notify.Sender, error) {
	choices := []string{notify.WeCom, notify.DingTalk, notify.Webhook}
	if staff != "" && !slices.Contains(choices, staff) {
		return nil, fmt.Errorf("--staff-channel must be one of %s", strings.Join(choices, ", "))
	}
	for _, c := range choices {
		if staff != "" && c != staff {
			continue
		}
		for _, s := range senders {
			if s.Channel() == c {
				return s, nil
			}
		}
	}
	if staff != "" {
		return nil, fmt.Errorf("--staff-channel %s is not configured", staff)
	}
	return nil, nil
}

// tencentSecretKeyEnv holds the SecretKey of Tencent Cloud SMS when no
// file does: a flag's value would show in ps.
const tencentSecretKeyEnv = "WANHU_TENCENT_SMS_SECRET_KEY"

// tencentFlags adds the flags of Tencent Cloud SMS (腾讯云短信) and returns
// the gateway they configure, nil without --tencent-sms-secret-id.
func tencentFlags(fs *flag.FlagSet) func() (notify.Gateway, error) {
	id := fs.String("tencent-sms-secret-id", "", "SecretId of the Tencent Cloud API key that sends texts to residents (腾讯云短信); without it texts are only logged, not sent")
	keyFile := fs.String("tencent-sms-secret-key-file", "", "file holding the SecretKey of --tencent-sms-secret-id (or give the key in "+tencentSecretKeyEnv+")")
	app := fs.String("tencent-sms-app-id", "", "SmsSdkAppId of the SMS application (短信应用)")
	sign := fs.String("tencent-sms-sign", "", "approved signature (签名) of the texts, without 【】, e.g. the community's name")
	region := fs.String("tencent-sms-region", "ap-guangzhou", "region of the SMS application: ap-guangzhou, ap-beijing or ap-nanjing")
	endpoint := fs.String("tencent-sms-endpoint", "sms.tencentcloudapi.com", "host of the SMS API (an http(s):// address for a test server)")
	templates := fs.String("tencent-sms-templates", "", "approved template (模板) of each kind of text: kind=TemplateID[:param,param…] separated by ';' (e.g. request.submitted=1234567)")
	return func() (notify.Gateway, error) {
		if *id == "" {
			return nil, nil
		}
		key := os.Getenv(tencentSecretKeyEnv)
		if *keyFile != "" {
			b, err := os.ReadFile(*keyFile)
			if err != nil {
				return nil, fmt.Errorf("--tencent-sms-secret-key-file: %w", err)
			}
			key = string(b)
		}
		key = strings.TrimSpace(key)
		if key == "" {
			return nil, errors.New("--tencent-sms-secret-id needs its SecretKey: give --tencent-sms-secret-key-file PATH or " + tencentSecretKeyEnv)
		}
		ts, err := notify.ParseTemplates(*templates)
		if err != nil {
			return nil, fmt.Errorf("--tencent-sms-templates: %w", err)
		}
		g, err := notify.NewTencentSMS(notify.TencentConfig{SecretID: *id, SecretKey: key, AppID: *app, Sign: *sign, Region: *region,
			Endpoint: *endpoint, Templates: ts})
		if err != nil {
			return nil, fmt.Errorf("--tencent-sms-*: %w", err)
		}
		return g, nil
	}
}

// smsLogsOnly reports whether the texts to residents are only logged:
// no SMS provider is configured.
func smsLogsOnly(senders []notify.Sender) bool {
	for _, s := range senders {
		if sms, ok := s.(notify.SMSSender); ok {
			return sms.LogsOnly()
		}
	}
	return true
}
