package web

import (
	"net/http"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/export"
	"wanhu/internal/importer"
)

// householdExport downloads every household in the user's scope, a row
// per member, in the layout the import reads (importer.Export): the
// button of the household list for a round trip through Excel. ID and
// phone numbers are written in full, so only roles that may import have
// it, and the store writes the audit entry with the counts.
func (h *handler) householdExport(w http.ResponseWriter, r *http.Request) {
	format := export.XLSX
	switch f := r.URL.Query().Get("format"); f {
	case "", "xlsx":
	case "csv":
		format = export.CSV
	default:
		h.showError(w, r, apperr.Field("format", "one_of", "must be xlsx or csv"))
		return
	}
	typ := map[export.Format]string{export.CSV: "text/csv; charset=utf-8",
		export.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[format]
	attachment(w, "住户-"+h.now().In(calendar.China).Format("20060102")+"."+string(format), typ)
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(uploadTime))
	e := h.auditWho(r)
	e.Detail = "web: the household list's export for the import, " + string(format) + ":"
	if _, _, err := importer.Export(r.Context(), h.db, access.Scope(user(r)), h.audit, e, format, w); err != nil {
		h.log.ErrorContext(r.Context(), "web: the export for the import failed", "route", r.Pattern, "error", err)
	}
}
