package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/calendar"
)

// auditFilter reads the filters of the audit log: user, action, object,
// from and to (YYYY-MM-DD in China's time, both inclusive, or RFC 3339
// instants), page and per_page. The user of r must be an auditor or an
// admin; anyone else is told there is no such route.
func (h *handler) auditFilter(r *http.Request) (audit.Filter, error) {
	u := user(r)
	if !access.Can(u, access.ReadAudit) {
		return audit.Filter{}, apperr.ErrNotFound
	}
	q := &query{r: r}
	f := audit.Filter{User: q.str("user"), Action: q.str("action"), Object: q.str("object"),
		Scoped: true, Paths: access.Scope(u).AuditPaths}
	f.Page, f.PerPage = q.page()
	if q.err != nil {
		return f, q.err
	}
	var err error
	if f.From, err = calendar.ParseInstant("from", q.str("from"), false); err != nil {
		return f, err
	}
	f.To, err = calendar.ParseInstant("to", q.str("to"), true)
	return f, err
}

// auditLog lists entries of the audit log, newest first.
func (h *handler) auditLog(w http.ResponseWriter, r *http.Request) {
	f, err := h.auditFilter(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	recs, total, err := h.d.Audit.Search(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(recs, total))
}

// auditCSV exports the entries the filters select as CSV; the export is
// itself written to the audit log.
func (h *handler) auditCSV(w http.ResponseWriter, r *http.Request) {
	f, err := h.auditFilter(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	e := h.auditWho(r)
	e.Action, e.Object, e.Detail = "export.csv", "audit_log", auditFilterText(f)
	if err := h.d.Audit.Record(r.Context(), e); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="audit-%s.csv"`, h.now().In(calendar.China).Format("20060102")))
	if err := h.d.Audit.ExportCSV(r.Context(), w, f); err != nil {
		h.log.Error("audit export failed", "route", r.Pattern, "error", err)
	}
}

// auditFilterText describes an export's filters for its audit entry.
func auditFilterText(f audit.Filter) string {
	var parts []string
	for _, kv := range [][2]string{{"user", f.User}, {"action", f.Action}, {"object", f.Object}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if !f.From.IsZero() {
		parts = append(parts, "from="+f.From.UTC().Format(time.RFC3339))
	}
	if !f.To.IsZero() {
		parts = append(parts, "to="+f.To.UTC().Format(time.RFC3339))
	}
	return strings.Join(parts, " ")
}

// auditing is how this face audits requests (see audit.Web).
func (h *handler) auditing() audit.Web {
	return audit.Web{Log: h.d.Audit, Addr: h.d.Auth.ClientAddr, Errs: h.log}
}

// auditWho is an audit entry naming the signed-in user of r and where the
// request came from.
func (h *handler) auditWho(r *http.Request) audit.Entry { return h.auditing().Who(r) }

// auditLogin records a sign-in through this face.
func (h *handler) auditLogin(r *http.Request, username string, s *auth.Session, err error) {
	h.auditing().Login(r, "api", username, s, err)
}

// audited records every request that may change something as a "write".
func (h *handler) audited(next http.HandlerFunc) http.HandlerFunc { return h.auditing().Writes(next) }
