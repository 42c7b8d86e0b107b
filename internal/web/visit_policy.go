package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/visit"
)

// policyPage is the visit policy: a select per colour, the floor and the
// tag rules, and how many households each frequency covers.
type policyPage struct {
	Page
	Edit    bool // the user may change the policy
	Colours []policyRule
	Floor   []Option
	Tags    []policyRule // the tags with a rule
	AddTag  []Option     // the other tags
	AddFreq []Option
	Effect  []policyCount
	Notice  string
	Error   string
}

// policyRule is one select of the form.
type policyRule struct {
	Name, Label string
	Options     []Option
}

// policyCount is how many households a frequency covers.
type policyCount struct {
	Label string
	N     int
}

// cycles are the visit frequencies, most frequent first.
func cycles() []string {
	var out []string
	for _, f := range household.Frequencies {
		if f != "once" {
			out = append(out, f)
		}
	}
	return out
}

// freqOptions offers the frequencies, with "—" (no rule) when blank.
func freqOptions(l *Locale, selected string, blank bool) []Option {
	out := options(l, "frequency", cycles(), blank)
	for i := range out {
		out[i].Selected = out[i].Value == selected
	}
	return out
}

// visitPolicy shows the visit policy to those who record or plan visits.
func (h *handler) visitPolicy(w http.ResponseWriter, r *http.Request) {
	if !can(r, access.RecordVisits) && !can(r, access.PlanVisits) {
		h.forbidden(w, r)
		return
	}
	p, err := visit.LoadPolicy(r.Context(), h.db)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := policyPage{Page: h.page(r, "policy.title", "visits")}
	if n, err := strconv.Atoi(r.URL.Query().Get("saved")); err == nil {
		v.Notice = v.L.T("policy.saved", n)
	}
	h.showPolicy(w, r, http.StatusOK, v, p)
}

// visitPolicySave stores the policy from the form and recomputes when
// every household is next due.
func (h *handler) visitPolicySave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tags, err := household.Tags(ctx, h.db)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	p := policyFromForm(r.PostForm, tags)
	n, err := visit.ApplyPolicy(ctx, h.db, p, h.now())
	if fe, bad := apperr.AsField(err); bad {
		v := policyPage{Page: h.page(r, "policy.title", "visits")}
		v.Error = policyField(v.L, fe.Field) + ": " + v.L.Err(fe)
		h.showPolicy(w, r, http.StatusUnprocessableEntity, v, p)
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, "/visits/policy?saved="+strconv.Itoa(n))
}

// policyField names a field of the policy: the floor, a colour or a tag.
func policyField(l *Locale, field string) string {
	if c, ok := strings.CutPrefix(field, "colours."); ok {
		return l.Enum("colour", c)
	}
	if t, ok := strings.CutPrefix(field, "tags."); ok {
		return t
	}
	return l.T("policy.floor")
}

// policyFromForm reads the policy from the form: colour.<colour>, floor,
// tag.<code> for each tag and add_tag with add_freq for a new tag rule. An
// empty frequency removes a rule; fields of unknown tags are ignored.
func policyFromForm(f url.Values, tags []household.Tag) visit.Policy {
	p := visit.Policy{Tags: map[string]string{}, Colours: map[string]string{}, Floor: f.Get("floor")}
	for _, c := range household.Colours {
		if v := f.Get("colour." + c); v != "" {
			p.Colours[c] = v
		}
	}
	for _, t := range tags {
		if v := f.Get("tag." + t.Code); v != "" {
			p.Tags[t.Code] = v
		}
		if f.Get("add_tag") == t.Code && f.Get("add_freq") != "" {
			p.Tags[t.Code] = f.Get("add_freq")
		}
	}
	return p
}

// showPolicy fills the form from p and renders the page.
func (h *handler) showPolicy(w http.ResponseWriter, r *http.Request, status int, v policyPage, p visit.Policy) {
	ctx := r.Context()
	l := v.L
	v.Edit = can(r, access.Configure)
	tags, err := household.Tags(ctx, h.db)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	counts, err := h.visits(r).PolicyEffect(ctx, p)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	for _, c := range household.Colours {
		v.Colours = append(v.Colours, policyRule{Name: "colour." + c, Label: l.Enum("colour", c), Options: freqOptions(l, p.Colours[c], true)})
	}
	v.Floor = freqOptions(l, p.Floor, false)
	v.AddTag = []Option{{Value: "", Label: "—"}}
	for _, t := range tags {
		name := l.Name(t.NameZH, t.NameEN)
		if f, ok := p.Tags[t.Code]; ok {
			v.Tags = append(v.Tags, policyRule{Name: "tag." + t.Code, Label: name, Options: freqOptions(l, f, true)})
		} else {
			v.AddTag = append(v.AddTag, Option{Value: t.Code, Label: name})
		}
	}
	v.AddFreq = freqOptions(l, "", true)
	for _, f := range cycles() {
		v.Effect = append(v.Effect, policyCount{Label: l.Enum("frequency", f), N: counts[f]})
	}
	h.render(w, r, status, "visit_policy", v)
}
