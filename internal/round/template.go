package round

import "wanhu/internal/request"

// Item is one line of a checklist: what is looked at, and the request a
// failure of it makes (its category, internal/request's, and urgency).
type Item struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	NameEN   string `json:"name_en"`
	Category string `json:"category"`
	Urgency  string `json:"urgency"`
}

// Template is a kind of round and its checklist. A Shop template is
// walked at one commercial household (R3's shops); Evening ones are
// scheduled on weekday evenings or at weekends (5+2).
type Template struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	NameEN  string `json:"name_en"`
	Shop    bool   `json:"shop"`
	Evening bool   `json:"evening"`
	Items   []Item `json:"items"`
}

// Codes of the shipped templates.
const (
	NightPublic = "night_public"
	ShopFire    = "shop_fire"
)

// Templates are the rounds Dongxing walks (issue 16): the night round of
// public areas and the shops' fire-safety check. An open or missing
// manhole cover, a broken river railing, a blocked exit are urgent (24
// hours); a dark street light is a general repair.
var Templates = []Template{
	{Code: NightPublic, Name: "夜间公共区域巡查", NameEN: "Night round of public areas", Evening: true, Items: []Item{
		{"fire_hydrant", "消防栓（缺水、损坏、被遮挡）", "Fire hydrant (dry, broken, blocked)", "safety", request.Urgent},
		{"fire_door", "消防门（未常闭、损坏）", "Fire door (propped open, broken)", "safety", request.General},
		{"corridor_clutter", "楼道堆物", "Clutter in corridors", "safety", request.General},
		{"manhole_cover", "井盖（缺失、破损、松动）", "Manhole cover (missing, broken, loose)", "safety", request.Urgent},
		{"river_railing", "河道护栏", "River railing", "safety", request.Urgent},
		{"street_light", "路灯", "Street light", "repairs", request.General},
		{"ebike_charging", "电动车楼道充电", "Electric bike charging in a corridor", "safety", request.Urgent},
	}},
	{Code: ShopFire, Name: "商户消防安全检查", NameEN: "Shop fire-safety check", Shop: true, Items: []Item{
		{"extinguisher", "灭火器（缺失、过期）", "Fire extinguisher (missing, expired)", "safety", request.General},
		{"exits", "安全出口（堵塞、锁闭）", "Exits (blocked, locked)", "safety", request.Urgent},
		{"wiring", "电线（私拉乱接、老化）", "Wiring (improvised, worn)", "safety", request.Urgent},
		{"gas", "燃气（泄漏、软管老化）", "Gas (leak, worn hose)", "safety", request.Urgent},
	}},
}

// TemplateByCode returns the template of code, or false.
func TemplateByCode(code string) (Template, bool) {
	for _, t := range Templates {
		if t.Code == code {
			return t, true
		}
	}
	return Template{}, false
}

// templateCodes are the codes of Templates, in their order.
func templateCodes() []string {
	codes := make([]string, len(Templates))
	for i, t := range Templates {
		codes[i] = t.Code
	}
	return codes
}

// itemCodes are the codes of t's items, in their order.
func (t Template) itemCodes() []string {
	codes := make([]string, len(t.Items))
	for i, it := range t.Items {
		codes[i] = it.Code
	}
	return codes
}

// ItemOf returns item code of template t, or false.
func (t Template) ItemOf(code string) (Item, bool) {
	for _, it := range t.Items {
		if it.Code == code {
			return it, true
		}
	}
	return Item{}, false
}
