package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// recipients are where the SMS sender finds, for a recipient reference
// "<kind>:<id>", the sealed phone and the org path of the community that
// speaks to the resident.
var recipients = map[string]string{
	"appointment": `SELECT a.phone, g.path FROM appointments a JOIN org_units g ON g.id = a.grid_id WHERE a.id = ?`,
	"request":     `SELECT reporter_phone, org_path FROM requests WHERE id = ?`,
}

// ErrNoPhone reports a recipient without a phone number to send to.
var ErrNoPhone = errors.New("notify: recipient has no phone number")

// ResolvePhone returns the phone number recipient refers to, opening its
// sealed column.
func ResolvePhone(ctx context.Context, q store.Querier, recipient string) (string, error) {
	phone, _, err := resolve(ctx, q, recipient)
	return phone, err
}

// resolve returns the phone number recipient refers to and the org path
// it belongs to.
func resolve(ctx context.Context, q store.Querier, recipient string) (phone, path string, err error) {
	kind, idText, _ := strings.Cut(recipient, ":")
	query, ok := recipients[kind]
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil {
		return "", "", fmt.Errorf("notify: unknown recipient kind %q", kind)
	}
	var sealed string
	err = q.QueryRowContext(ctx, query, id).Scan(&sealed, &path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("notify: %s %d not found", kind, id)
	}
	if err != nil {
		return "", "", err
	}
	phone, err = store.KeysOf(q).Open(sealed)
	if err != nil {
		return "", "", fmt.Errorf("notify: %s %d: cannot open the phone", kind, id)
	}
	if phone == "" {
		return "", "", ErrNoPhone
	}
	return phone, path, nil
}

// Community is who a resident's text comes from: the name it is signed
// with and the phone residents call.
type Community struct{ Name, Phone string }

// communityOf returns the community of org path, or Wanhu's own name when
// the path is above every community.
func communityOf(ctx context.Context, q store.Querier, path string) (Community, error) {
	u, err := org.CommunityOf(ctx, q, path)
	if errors.Is(err, apperr.ErrNotFound) {
		return Community{Name: DefaultSign}, nil
	}
	if err != nil {
		return Community{}, err
	}
	return Community{Name: u.Name, Phone: u.Phone}, nil
}

// DefaultSign signs the texts of a recipient outside every community.
const DefaultSign = "万户"

// appointmentPayload is what the appointment messages carry.
type appointmentPayload struct {
	SlotStart time.Time `json:"slot_start"`
	SlotEnd   time.Time `json:"slot_end"`
	Community string    `json:"community"`
}

// Text returns the title and the plain text of d in Chinese, from its kind
// and payload; a kind without its own text gets a generic one naming it.
func Text(d Delivery) (title, text string) {
	switch d.Kind {
	case AppointmentConfirmed, AppointmentReminder:
		var p appointmentPayload
		if json.Unmarshal(d.Payload, &p) == nil && !p.SlotStart.IsZero() {
			start, end := p.SlotStart.In(calendar.China), p.SlotEnd.In(calendar.China)
			when := fmt.Sprintf("%d月%d日 %s–%s", start.Month(), start.Day(), start.Format("15:04"), end.Format("15:04"))
			if d.Kind == AppointmentConfirmed {
				return "上门走访预约成功", fmt.Sprintf("您已预约%s工作人员上门走访，时间：%s。如需改约，请联系社区。", p.Community, when)
			}
			return "上门走访提醒", fmt.Sprintf("提醒：%s工作人员将于%s上门走访，请留意。", p.Community, when)
		}
	}
	if strings.HasPrefix(d.Kind, "request.") {
		if title, text, ok := requestText(d); ok {
			return title, text
		}
	}
	return "万户通知", fmt.Sprintf("您有一条新通知（类型：%s）。", d.Kind)
}

// SMSText is the text message of d: its text signed 【sign】 (the
// community's name; DefaultSign when empty) and, for a request's message
// when publicURL is known, the link to the request's status page
// (/r/{tracking code}), where the resident follows and rates it.
func SMSText(d Delivery, publicURL, sign string) string {
	_, text := Text(d)
	var p requestPayload
	if publicURL != "" && strings.HasPrefix(d.Kind, "request.") && json.Unmarshal(d.Payload, &p) == nil && p.TrackingCode != "" {
		text += " 查看进度：" + strings.TrimSuffix(publicURL, "/") + "/r/" + p.TrackingCode
	}
	if sign == "" {
		sign = DefaultSign
	}
	return "【" + sign + "】" + text
}

// SMSParams are the named values of d a provider's template (模板) may
// use, by name: "community" and "community_phone" for every message;
// "date" (11月28日), "start" and "end" (19:00) of an appointment's slot;
// "code" (the tracking code), "due" (10月13日 23:59), "due_date",
// "due_time" and "note" (a decline's reason) of a request's message. A
// value the message lacks is empty.
func SMSParams(d Delivery, c Community) map[string]string {
	out := map[string]string{"community": c.Name, "community_phone": c.Phone}
	switch {
	case d.Kind == AppointmentConfirmed || d.Kind == AppointmentReminder:
		var p appointmentPayload
		if json.Unmarshal(d.Payload, &p) == nil && !p.SlotStart.IsZero() {
			start, end := p.SlotStart.In(calendar.China), p.SlotEnd.In(calendar.China)
			out["date"] = fmt.Sprintf("%d月%d日", start.Month(), start.Day())
			out["start"], out["end"] = start.Format("15:04"), end.Format("15:04")
		}
	case strings.HasPrefix(d.Kind, "request."):
		var p requestPayload
		if json.Unmarshal(d.Payload, &p) == nil {
			out["code"], out["note"] = p.TrackingCode, p.Note
			if at, err := time.Parse(time.RFC3339, p.DueAt); err == nil {
				at = at.In(calendar.China)
				out["due_date"], out["due_time"] = fmt.Sprintf("%d月%d日", at.Month(), at.Day()), at.Format("15:04")
				out["due"] = out["due_date"] + " " + out["due_time"]
			}
		}
	}
	return out
}

// requestPayload is what a request's messages carry (internal/request).
type requestPayload struct {
	ID           int64  `json:"request_id"`
	TrackingCode string `json:"tracking_code"`
	Category     string `json:"category"`
	Note         string `json:"note"`
	DueAt        string `json:"due_at"`
}

// requestTexts are the titles of a request's messages and their text for
// staff (a group robot) and for the resident (SMS): %[1]d the request,
// %[2]s its tracking code, %[3]s the note, %[4]s the deadline.
var requestTexts = map[string][3]string{
	"request.submitted":         {"新诉求待受理", "诉求 #%[1]d 已提交，请及时受理。", "您的诉求已收到，查询码 %[2]s。"},
	"request.accept":            {"诉求已受理", "诉求 #%[1]d 已受理，请在 %[4]s 前办结。", "您的诉求（%[2]s）已受理，预计 %[4]s 前办结。"},
	"request.decline":           {"诉求未受理", "诉求 #%[1]d 未受理：%[3]s", "您的诉求（%[2]s）未受理：%[3]s"},
	"request.merge":             {"诉求已合并", "诉求 #%[1]d 已与相同诉求合并办理。", "您的诉求（%[2]s）已与相同诉求合并办理。"},
	"request.hand_back":         {"部门退回诉求", "诉求 #%[1]d 被部门退回：%[3]s", ""},
	"request.extension":         {"申请延期", "诉求 #%[1]d 申请延期：%[3]s，请审批。", ""},
	"request.extension_approve": {"延期已批准", "诉求 #%[1]d 延期已批准，新期限 %[4]s。", ""},
	"request.extension_refuse":  {"延期未批准", "诉求 #%[1]d 延期未批准，请按原期限 %[4]s 办结。", ""},
	"request.resolve":           {"诉求已办结", "诉求 #%[1]d 已办结，请安排回访。", "您的诉求（%[2]s）已办结，社区将回访听取您的意见。"},
	"request.reopened":          {"诉求重新办理", "诉求 #%[1]d 回访不满意，已重新办理：%[3]s", ""},
	"request.warned":            {"诉求即将到期", "诉求 #%[1]d 将于 %[4]s 到期，请抓紧办理。", ""},
	"request.escalated":         {"诉求已逾期", "诉求 #%[1]d 已超过办理期限（%[4]s），请督办。", ""},
	"request.callback_due":      {"回访到期", "诉求 #%[1]d 请于 %[4]s 前电话或上门回访。", ""},
}

// requestText is the message of a request's change, for staff or, by
// SMS, for the resident.
func requestText(d Delivery) (title, text string, ok bool) {
	t, known := requestTexts[d.Kind]
	var p requestPayload
	if !known || json.Unmarshal(d.Payload, &p) != nil {
		return "", "", false
	}
	due := p.DueAt
	if at, err := time.Parse(time.RFC3339, p.DueAt); err == nil {
		due = at.In(calendar.China).Format("1月2日 15:04")
	}
	format := t[1]
	if d.Channel == SMS && t[2] != "" {
		format = t[2]
	}
	return t[0], fmt.Sprintf(format, p.ID, p.TrackingCode, p.Note, due), true
}
