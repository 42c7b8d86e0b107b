package main

import (
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
