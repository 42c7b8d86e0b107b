package pii

import "testing"

// TestRedactCodes: a tracking code in a message (after "查询码", in a
// link, in brackets) keeps two characters in a log line; other words and
// numbers are left alone.
func TestRedactCodes(t *testing.T) {
	for in, want := range map[string]string{
		"【万户】您的诉求已收到，查询码 7KXW2M9QHF。":                                  "【万户】您的诉求已收到，查询码 7K********。",
		"您的诉求（7KXW2M9QHF）已受理。 查看进度：https://w.example.org/r/7KXW2M9QHF": "您的诉求（7K********）已受理。 查看进度：https://w.example.org/r/7K********",
		"SMS to 139****5678: 诉求 #12 已办结":                               "SMS to 139****5678: 诉求 #12 已办结",
		"HELLOWORLD 7KXW2M9QH 7KXW2M9QHFF":                             "HELLOWORLD 7KXW2M9QH 7KXW2M9QHFF",
	} {
		if got := RedactCodes(in); got != want {
			t.Errorf("RedactCodes(%q) = %q, want %q", in, got, want)
		}
	}
	if got := MaskCode("7KXW2M9QHF"); got != "7K********" {
		t.Errorf("MaskCode: %q", got)
	}
}
