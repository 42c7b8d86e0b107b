package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/calendar"
)

const auditPerPage = 50

// auditPage is the auditors' view of the audit log.
type auditPage struct {
	Page
	// The search form's values (User is the signed-in user's, in Page).
	QUser, QAction, QObject, QFrom, QTo string
	Actions                             []auditActionOption
	Entries                             []auditRow
	Export                              string
	Pager                               pager
}

// auditRow is one entry as the page shows it: its action, roles and
// object in words, beside the codes stored.
type auditRow struct {
	ID                                             int64
	At, Username, Role, IP, Action, Object, Detail string
	ActionLabel, RoleLabel, ObjectLabel            string
	Result                                         string
	Hash                                           string
}

// auditFilter reads the search form; only auditors and admins may use it,
// for anyone else the page does not exist.
func (h *handler) auditFilter(r *http.Request) (audit.Filter, error) {
	u := auth.FromContext(r.Context()).User
	if !access.Can(u, access.ReadAudit) || h.audit == nil {
		return audit.Filter{}, errNotYours
	}
	q := r.URL.Query()
	f := audit.Filter{User: strings.TrimSpace(q.Get("user")), Action: strings.TrimSpace(q.Get("action")),
		Object: strings.TrimSpace(q.Get("object")), Scoped: true, Paths: access.Scope(u).AuditPaths, PerPage: auditPerPage}
	var err error
	if f.From, err = calendar.ParseInstant("from", q.Get("from"), false); err != nil {
		return f, err
	}
	if f.To, err = calendar.ParseInstant("to", q.Get("to"), true); err != nil {
		return f, err
	}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Page = max(f.Page, 1)
	return f, nil
}

// auditLog shows the audit log, newest first, with search and paging.
func (h *handler) auditLog(w http.ResponseWriter, r *http.Request) {
	f, err := h.auditFilter(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	recs, total, err := h.audit.Search(r.Context(), f)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	q := r.URL.Query()
	v := auditPage{Page: h.page(r, "audit.title", "audit"), QUser: f.User, QAction: f.Action, QObject: f.Object,
		QFrom: q.Get("from"), QTo: q.Get("to")}
	l := v.L
	v.Actions = auditActionOptions(l, f.Action)
	for _, e := range recs {
		v.Entries = append(v.Entries, auditRow{ID: e.ID, At: e.At.In(calendar.China).Format("2006-01-02 15:04:05"), Username: e.Username,
			Role: e.Role, IP: e.IP, Action: e.Action, Object: e.Object, Detail: e.Detail, Result: e.Result, Hash: e.Hash[:min(12, len(e.Hash))],
			ActionLabel: auditActionLabel(l, e.Action, e.Detail), RoleLabel: auditRoleLabel(l, e.Role), ObjectLabel: auditObjectLabel(l, e.Object)})
	}
	exp := r.URL.Query()
	exp.Del("page")
	v.Export = "/audit.csv"
	if len(exp) > 0 {
		v.Export += "?" + exp.Encode()
	}
	v.Pager = newPager("/audit", q, f.Page, auditPerPage, total)
	h.render(w, r, http.StatusOK, "audit", v)
}

// auditCSV downloads the entries the search selects; the download is
// itself written to the audit log.
func (h *handler) auditCSV(w http.ResponseWriter, r *http.Request) {
	f, err := h.auditFilter(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	e := h.auditWho(r)
	e.Action, e.Object, e.Detail = "export.csv", "audit_log", fmt.Sprintf("user=%s action=%s object=%s from=%s to=%s",
		f.User, f.Action, f.Object, r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	if err := h.audit.Record(r.Context(), e); err != nil {
		h.showError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="audit-%s.csv"`, h.now().In(calendar.China).Format("20060102")))
	w.Header().Set("Cache-Control", "no-store")
	if err := h.audit.ExportCSV(r.Context(), w, f); err != nil {
		h.log.ErrorContext(r.Context(), "audit export failed", "route", r.Pattern, "error", err)
	}
}

// auditing is how this face audits requests (see audit.Web).
func (h *handler) auditing() audit.Web {
	return audit.Web{Log: h.audit, Addr: h.auth.ClientAddr, Errs: h.log}
}

// auditWho is an audit entry naming the signed-in user of r and where the
// request came from.
func (h *handler) auditWho(r *http.Request) audit.Entry { return h.auditing().Who(r) }

// auditLogin records a sign-in through this face.
func (h *handler) auditLogin(r *http.Request, username string, s *auth.Session, err error) {
	h.auditing().Login(r, "web", username, s, err)
}

// audited records every request that may change something as a "write".
func (h *handler) audited(next http.HandlerFunc) http.HandlerFunc { return h.auditing().Writes(next) }
