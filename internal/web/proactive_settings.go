package web

import (
	"net/http"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/proactive"
)

// proactivePage is the administrator's page of the proactive rules: each
// on or off, with its parameters (defaults in code, changes stored).
type proactivePage struct {
	Page
	Rules  []ruleView
	Notice string
	Error  string
}

// ruleView is one rule on the page.
type ruleView struct {
	Code, Name, About string
	Enabled           bool
	Params            []paramView
}

// paramView is one parameter of a rule as a form field p.<rule>.<key>.
type paramView struct {
	Name, Label, Value, Default, Kind string
	Invalid                           bool
}

// proactiveSettings shows the rules and their parameters.
func (h *handler) proactiveSettings(w http.ResponseWriter, r *http.Request) {
	s, err := proactive.LoadSettings(r.Context(), h.db)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := proactivePage{Page: h.page(r, "proactive.title", "settings")}
	if r.URL.Query().Get("saved") != "" {
		v.Notice = v.L.T("proactive.saved")
	}
	h.showRules(w, r, http.StatusOK, v, s, "")
}

// proactiveSave stores the rules of the form: on.<rule> (a checkbox) and
// p.<rule>.<key>; nothing is stored when a value is wrong.
func (h *handler) proactiveSave(w http.ResponseWriter, r *http.Request) {
	s := proactive.Defaults()
	for _, rl := range proactive.Rules {
		st := s[rl.Code()]
		st.Enabled = r.PostForm.Get("on."+rl.Code()) != ""
		for _, p := range rl.Params() {
			if v := strings.TrimSpace(r.PostForm.Get("p." + rl.Code() + "." + p.Key)); v != "" {
				st.Params[p.Key] = v
			}
		}
		s[rl.Code()] = st
	}
	err := proactive.SaveSettings(r.Context(), h.db, s, h.now())
	if fe, bad := apperr.AsField(err); bad {
		v := proactivePage{Page: h.page(r, "proactive.title", "settings")}
		code, key, _ := strings.Cut(strings.TrimPrefix(fe.Field, "rules."), ".")
		v.Error = v.L.T("proactive.rule."+code) + " · " + v.L.T("proactive.param."+key) + ": " + v.L.Err(fe)
		h.showRules(w, r, http.StatusUnprocessableEntity, v, s, fe.Field)
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, "/settings/proactive?saved=1")
}

// showRules renders the page with the values of s; bad names the field
// in error.
func (h *handler) showRules(w http.ResponseWriter, r *http.Request, status int, v proactivePage, s proactive.Settings, bad string) {
	defaults := proactive.Defaults()
	for _, rl := range proactive.Rules {
		st := s[rl.Code()]
		rv := ruleView{Code: rl.Code(), Name: v.L.T("proactive.rule." + rl.Code()), About: v.L.T("proactive.about." + rl.Code()), Enabled: st.Enabled}
		for _, p := range rl.Params() {
			rv.Params = append(rv.Params, paramView{Name: "p." + rl.Code() + "." + p.Key, Label: v.L.T("proactive.param." + p.Key),
				Value: st.Params[p.Key], Default: defaults[rl.Code()].Params[p.Key], Kind: p.Kind,
				Invalid: bad == "rules."+rl.Code()+"."+p.Key})
		}
		v.Rules = append(v.Rules, rv)
	}
	h.render(w, r, status, "proactive", v)
}
