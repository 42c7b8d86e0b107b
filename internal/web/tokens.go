package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/auth"
)

// tokensView lists the user's personal access tokens; New is a token just
// made, shown this once.
type tokensView struct {
	Page
	Tokens []tokenRow
	New    string
	Error  string
}

// tokenRow is a token as listed.
type tokenRow struct {
	ID                              int64
	Name, Scopes, Expires, LastUsed string
}

// tokensPage lists the signed-in user's tokens with the form to make one.
func (h *handler) tokensPage(w http.ResponseWriter, r *http.Request) {
	h.showTokens(w, r, http.StatusOK, "", "")
}

func (h *handler) showTokens(w http.ResponseWriter, r *http.Request, status int, created, msg string) {
	v := tokensView{Page: h.page(r, "tokens.title", ""), New: created, Error: msg}
	ts, err := h.auth.Tokens(r.Context(), v.User.ID)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	for _, t := range ts {
		row := tokenRow{ID: t.ID, Name: t.Name, Scopes: strings.Join(t.Scopes, ", "), Expires: v.L.Time(t.ExpiresAt)}
		if t.LastUsedAt != nil {
			row.LastUsed = v.L.Time(*t.LastUsedAt)
		}
		v.Tokens = append(v.Tokens, row)
	}
	h.render(w, r, status, "tokens", v)
}

// tokenCreate makes a token and shows it once (the answer is not cached).
func (h *handler) tokenCreate(w http.ResponseWriter, r *http.Request) {
	u := auth.FromContext(r.Context()).User
	days, _ := strconv.Atoi(r.PostFormValue("days"))
	scopes := []string{auth.ScopeRead}
	if r.PostFormValue("write") != "" {
		scopes = append(scopes, auth.ScopeWrite)
	}
	plain, t, err := h.auth.CreateToken(r.Context(), u.ID, r.PostFormValue("name"), scopes, time.Duration(days)*24*time.Hour)
	if fe, bad := apperr.AsField(err); bad {
		h.showTokens(w, r, http.StatusBadRequest, "", h.locale(r).Err(fe))
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	h.auditToken(r, "token.create", t.ID, strings.Join(t.Scopes, ","))
	h.showTokens(w, r, http.StatusCreated, plain, "")
}

// tokenDelete revokes one of the user's tokens.
func (h *handler) tokenDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if err := h.auth.DeleteToken(r.Context(), auth.FromContext(r.Context()).User.ID, id); err != nil {
		h.showError(w, r, err)
		return
	}
	h.auditToken(r, "token.delete", id, "")
	seeOther(w, r, "/account/tokens")
}

func (h *handler) auditToken(r *http.Request, action string, id int64, detail string) {
	e := h.auditWho(r)
	e.Action, e.Object, e.Result, e.Detail = action, "token:"+strconv.FormatInt(id, 10), audit.OK, detail
	if err := h.audit.Record(r.Context(), e); err != nil {
		h.log.ErrorContext(r.Context(), "audit token", "route", r.Pattern, "error", err)
	}
}
