package notify

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"wanhu/internal/pii"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// Chinese SMS providers deliver only texts that carry an approved
// signature (签名) and follow an approved template (模板) whose variables
// ({1}, {2} …) the sender fills. Each kind of text Wanhu sends to residents
// is one template; SMSTemplates lists them with the parameters (from
// SMSParams) they take by default and the text to register.

// SMSTemplate is the template Wanhu suggests for one kind of text.
type SMSTemplate struct {
	Kind   string
	Params []string // the default order of the template's variables
	Text   string   // the text to register, {1} … standing for Params
}

// SMSTemplates are the kinds of text residents get, with their suggested
// templates. The links of the texts are left out: a provider takes no
// address as a variable (write https://<public-url>/r/{1} into a request's
// template as fixed text if the provider approves it).
var SMSTemplates = []SMSTemplate{
	{AppointmentConfirmed, []string{"community", "date", "start", "end"}, "您已预约{1}工作人员上门走访，时间：{2} {3}–{4}。如需改约，请联系社区。"},
	{AppointmentReminder, []string{"community", "date", "start", "end"}, "提醒：{1}工作人员将于{2} {3}–{4}上门走访，请留意。"},
	{"request.submitted", []string{"code"}, "您的诉求已收到，查询码 {1}。"},
	{"request.accept", []string{"code", "due_date", "due_time"}, "您的诉求（{1}）已受理，预计 {2} {3} 前办结。"},
	{"request.decline", []string{"code", "community_phone"}, "您的诉求（{1}）未受理，原因请凭查询码查看，或拨打社区电话 {2}。"},
	{"request.merge", []string{"code"}, "您的诉求（{1}）已与相同诉求合并办理。"},
	{"request.resolve", []string{"code"}, "您的诉求（{1}）已办结，社区将回访听取您的意见。"},
}

// smsParamNames are the parameters SMSParams gives.
var smsParamNames = []string{"community", "community_phone", "date", "start", "end", "code", "due", "due_date", "due_time", "note"}

// Template is a provider's approved template for a kind of text: its id
// and the parameters that fill its variables, in order.
type Template struct {
	ID     string
	Params []string
}

// ParseTemplates reads the templates of the texts to residents:
// "kind=ID" (the default parameters of SMSTemplates) or
// "kind=ID:param,param…", separated by ";" or new lines. Every kind of
// SMSTemplates needs one, so no text fails for want of a template.
func ParseTemplates(spec string) (map[string]Template, error) {
	out := map[string]Template{}
	for _, item := range strings.FieldsFunc(spec, func(r rune) bool { return r == ';' || r == '\n' }) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		kind, rest, ok := strings.Cut(item, "=")
		kind, rest = strings.TrimSpace(kind), strings.TrimSpace(rest)
		i := slices.IndexFunc(SMSTemplates, func(t SMSTemplate) bool { return t.Kind == kind })
		if !ok || i < 0 {
			return nil, fmt.Errorf("template %q: give kind=TemplateID with a kind of %s", item, smsKinds())
		}
		id, params, custom := strings.Cut(rest, ":")
		t := Template{ID: strings.TrimSpace(id), Params: SMSTemplates[i].Params}
		if t.ID == "" || strings.ContainsFunc(t.ID, func(r rune) bool { return r < '0' || r > '9' }) {
			return nil, fmt.Errorf("template of %s: %q is not a template id (digits)", kind, id)
		}
		if custom {
			t.Params = nil
			for p := range strings.SplitSeq(params, ",") {
				p = strings.TrimSpace(p)
				if !slices.Contains(smsParamNames, p) {
					return nil, fmt.Errorf("template of %s: parameter %q is not one of %s", kind, p, strings.Join(smsParamNames, ", "))
				}
				t.Params = append(t.Params, p)
			}
		}
		if _, dup := out[kind]; dup {
			return nil, fmt.Errorf("template of %s given twice", kind)
		}
		out[kind] = t
	}
	var missing []string
	for _, t := range SMSTemplates {
		if _, ok := out[t.Kind]; !ok {
			missing = append(missing, t.Kind)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no template for %s (every kind of text to residents needs one)", strings.Join(missing, ", "))
	}
	return out, nil
}

func smsKinds() string {
	var kinds []string
	for _, t := range SMSTemplates {
		kinds = append(kinds, t.Kind)
	}
	return strings.Join(kinds, ", ")
}

// TencentSMS sends texts through Tencent Cloud SMS (腾讯云短信, API
// 2021-01-11, action SendSms), signed TC3-HMAC-SHA256 by the official
// SDK's common client. Make it with NewTencentSMS.
type TencentSMS struct {
	appID, sign string
	templates   map[string]Template
	client      *common.Client
}

// TencentConfig configures a TencentSMS.
type TencentConfig struct {
	SecretID, SecretKey string
	AppID               string // SmsSdkAppId
	Sign                string // the approved signature (签名), without 【】
	Region              string // ap-guangzhou when empty
	// Endpoint is the API's host, sms.tencentcloudapi.com when empty; an
	// address with a scheme (http://127.0.0.1:8081) for a test server.
	Endpoint  string
	Templates map[string]Template
	Timeout   time.Duration // 15 s when zero, far below Options.Lease
}

// NewTencentSMS checks c and returns its gateway.
func NewTencentSMS(c TencentConfig) (*TencentSMS, error) {
	switch {
	case c.SecretID == "" || c.SecretKey == "":
		return nil, errors.New("tencent sms: the SecretId and the SecretKey are required")
	case c.AppID == "":
		return nil, errors.New("tencent sms: the SmsSdkAppId is required")
	case c.Sign == "":
		return nil, errors.New("tencent sms: the signature (签名) is required")
	case len(c.Templates) == 0:
		return nil, errors.New("tencent sms: the templates are required")
	}
	p := profile.NewClientProfile()
	p.SignMethod = "TC3-HMAC-SHA256"
	p.HttpProfile.ReqMethod = "POST"
	p.HttpProfile.ReqTimeout = int(cmp.Or(c.Timeout, 15*time.Second) / time.Second)
	p.HttpProfile.Endpoint = cmp.Or(c.Endpoint, "sms.tencentcloudapi.com")
	if strings.Contains(p.HttpProfile.Endpoint, "://") {
		u, err := url.Parse(p.HttpProfile.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("tencent sms: endpoint %q: give a host name or an http(s) address", c.Endpoint)
		}
		p.HttpProfile.Scheme, p.HttpProfile.Endpoint = strings.ToUpper(u.Scheme), u.Host
	}
	cred := common.NewCredential(c.SecretID, c.SecretKey)
	return &TencentSMS{appID: c.AppID, sign: c.Sign, templates: c.Templates,
		client: common.NewCommonClient(cred, cmp.Or(c.Region, "ap-guangzhou"), p)}, nil
}

// E164 returns a mainland mobile number in E.164 form (+8613912345678),
// or an error for any other number (a landline takes no text).
func E164(phone string) (string, error) {
	var d []byte
	for _, c := range []byte(phone) {
		if '0' <= c && c <= '9' {
			d = append(d, c)
		}
	}
	if len(d) == 13 && string(d[:2]) == "86" {
		d = d[2:]
	}
	if len(d) != 11 || d[0] != '1' {
		return "", fmt.Errorf("%s is not a mainland mobile number", pii.MaskPhone(phone))
	}
	return "+86" + string(d), nil
}

// tencentAnswer is SendSms's answer: one status per number.
type tencentAnswer struct {
	Response struct {
		SendStatusSet []struct {
			PhoneNumber string
			Code        string
			Message     string
		}
		RequestId string
	}
}

// SendSMS sends m with the template of its kind. A number's status Code
// "Ok" is sent; any other code, or an error of the API, is an error
// naming the code (the outbox retries it, then fails it). Errors carry no
// phone number.
func (g *TencentSMS) SendSMS(ctx context.Context, m TextMessage) error {
	t, ok := g.templates[m.Kind]
	if !ok {
		return fmt.Errorf("tencent sms: no template for %s", m.Kind)
	}
	phone, err := E164(m.Phone)
	if err != nil {
		return fmt.Errorf("tencent sms: %w", err)
	}
	params := make([]string, len(t.Params))
	for i, p := range t.Params {
		params[i] = m.Params[p]
	}
	req := tchttp.NewCommonRequest("sms", "2021-01-11", "SendSms")
	req.SetContext(ctx)
	if err := req.SetActionParameters(map[string]any{
		"PhoneNumberSet":   []string{phone},
		"SmsSdkAppId":      g.appID,
		"SignName":         g.sign,
		"TemplateId":       t.ID,
		"TemplateParamSet": params,
	}); err != nil {
		return err
	}
	resp := tchttp.NewCommonResponse()
	if err := g.client.Send(req, resp); err != nil {
		var sdk *tcerr.TencentCloudSDKError
		if errors.As(err, &sdk) {
			return fmt.Errorf("tencent sms: %s: %s", sdk.Code, clip(pii.Redact(sdk.Message)))
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("tencent sms: %w", err)
	}
	var a tencentAnswer
	if err := json.Unmarshal(resp.GetBody(), &a); err != nil {
		return errors.New("tencent sms: unexpected answer")
	}
	for _, s := range a.Response.SendStatusSet {
		if s.PhoneNumber != phone && len(a.Response.SendStatusSet) > 1 {
			continue
		}
		if s.Code == "Ok" {
			return nil
		}
		return fmt.Errorf("tencent sms: %s: %s", s.Code, clip(pii.Redact(s.Message)))
	}
	return errors.New("tencent sms: no status for the number")
}
