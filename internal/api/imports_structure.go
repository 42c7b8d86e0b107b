package api

import (
	"bytes"
	"errors"
	"net/http"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/importer"
)

// importStructure imports a structure workbook (grids and the buildings
// they cover, the team, departments; importer.RunStructure): the body is
// the file itself (.xlsx, or CSV for one sheet), and the query says how —
// community (its id; default the only one the administrator
// administers), accounts=true (accounts with one-time passwords for the
// imported grid workers and grid leaders), dry_run=true, name (the file's
// name, for the audit log). The answer is the report: 200 when applied or
// a dry run, 422 when refused (nothing written). A community out of scope
// is answered as one that does not exist.
func (h *handler) importStructure(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	o := importer.StructureOptions{Community: q.id("community"), Name: q.str("name"),
		Accounts: q.oneOf("accounts", []string{"true", "false"}) == "true", DryRun: q.oneOf("dry_run", []string{"true", "false"}) == "true"}
	if o.Accounts {
		if err := allow(r, access.ManageUsers); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	data, err := readWorkbook(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rep, err := h.runStructure(r, o, data)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if !rep.Applied && !(rep.DryRun && rep.ErrorsTotal == 0) {
		status = http.StatusUnprocessableEntity
	}
	h.writeJSON(w, r, status, rep)
}

// runStructure runs the import of data as the user of r.
func (h *handler) runStructure(r *http.Request, o importer.StructureOptions, data []byte) (*importer.StructureReport, error) {
	if o.Name == "" {
		o.Name = "structure.xlsx"
	}
	path, cleanup, err := importer.TempCopy(o.Name, data)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	o.Path, o.Scope, o.Actor = path, access.Scope(user(r)), actor(r)
	o.Log, o.Entry = h.d.Audit, h.auditWho(r)
	return importer.RunStructure(r.Context(), h.d.DB, o)
}

// readWorkbook reads the body of a file upload of at most
// importer.MaxUploadBytes.
func readWorkbook(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, importer.MaxUploadBytes))
	if errors.As(err, new(*http.MaxBytesError)) {
		return nil, apperr.Field("file", "too_large", "must be at most %d MB", importer.MaxUploadBytes>>20)
	}
	if err != nil {
		return nil, err
	}
	if buf.Len() == 0 {
		return nil, apperr.Field("file", "required", "send the workbook as the body")
	}
	return buf.Bytes(), nil
}
