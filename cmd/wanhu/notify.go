package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"wanhu/internal/notify"
	"wanhu/internal/store"
)

// senderFlags adds the flags of the notification senders and returns a
// constructor of the senders they configure. Text messages always go
// through the log gateway, which writes them (numbers masked) to the log.
func senderFlags(fs *flag.FlagSet) func(db *store.DB, log *slog.Logger, publicURL string) ([]notify.Sender, error) {
	webhook := fs.String("webhook-url", "", "post notifications as signed JSON to this address")
	webhookSecret := fs.String("webhook-secret", "", "key of the HMAC-SHA256 signature (X-Wanhu-Signature) of --webhook-url")
	wecom := fs.String("wecom-webhook", "", "webhook address of a WeCom group robot (企业微信群机器人) for staff notifications")
	dingtalk := fs.String("dingtalk-webhook", "", "webhook address of a DingTalk robot (钉钉机器人) for staff notifications")
	dingtalkSecret := fs.String("dingtalk-secret", "", "signing secret (加签) of the DingTalk robot, if it has one")
	staff := fs.String("staff-channel", "", "where messages to staff go: wecom, dingtalk or webhook (default: the first of those configured)")
	return func(db *store.DB, log *slog.Logger, publicURL string) ([]notify.Sender, error) {
		senders := []notify.Sender{notify.SMSSender{DB: db, Gateway: notify.LogGateway{Log: log}, PublicURL: publicURL}}
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
