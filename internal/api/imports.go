package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/export"
	"wanhu/internal/importer"
	"wanhu/internal/importjob"
)

// uploadTime is how long an upload or a download of an import may take:
// longer than the server's timeouts, for a large file over an office line.
const uploadTime = 30 * time.Minute

// xlsxType is the media type of an .xlsx file.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// createImport uploads a file to import as a job (importjob): as
// multipart/form-data, the options as fields before the part "file", or
// as the body itself, the options in the query and its name in name. By
// default (dry_run=true) the job checks the file and waits for confirm;
// with dry_run=false it imports at once, as wanhu import does. 202 with
// the job, which GET /imports/{id} follows.
func (h *handler) createImport(w http.ResponseWriter, r *http.Request) {
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadTime))
	r.Body = http.MaxBytesReader(w, r.Body, importjob.MaxFileBytes+1<<20)
	var job *importjob.Job
	err := readUpload(r, func(up importjob.Upload) error {
		var err error
		job, err = h.d.Imports.Create(r.Context(), user(r), up)
		return err
	})
	if err != nil {
		h.fail(w, r, importError(err))
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/imports/%d", Prefix, job.ID))
	h.writeJSON(w, r, http.StatusAccepted, job)
}

// readUpload reads the file and the options of an upload and gives them
// to fn while the file is read.
func readUpload(r *http.Request, fn func(importjob.Upload) error) error {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		up, err := uploadOptions(r.URL.Query())
		if err != nil {
			return err
		}
		up.Name, up.Body = r.URL.Query().Get("name"), r.Body
		return fn(up)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return apperr.Field("file", "upload_failed", "the multipart body cannot be read")
	}
	fields := map[string][]string{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return apperr.Field("file", "upload_required", "is required: send the file in the part \"file\"")
		}
		if err != nil {
			return apperr.Field("file", "upload_failed", "the multipart body cannot be read")
		}
		if p.FormName() == "file" {
			up, err := uploadOptions(fields)
			if err != nil {
				return err
			}
			up.Name, up.Body = p.FileName(), p
			if n := fields["name"]; len(n) > 0 && n[0] != "" {
				up.Name = n[0]
			}
			return fn(up)
		}
		b, err := io.ReadAll(io.LimitReader(p, 64<<10))
		if err != nil {
			return apperr.Field(p.FormName(), "upload_failed", "cannot be read")
		}
		fields[p.FormName()] = append(fields[p.FormName()], string(b))
	}
}

// uploadOptions reads the options of an upload: community, mapping (a
// JSON object of header → field), create_places, partial and dry_run
// (true by default).
func uploadOptions(v map[string][]string) (importjob.Upload, error) {
	get := func(k string) string {
		if len(v[k]) > 0 {
			return strings.TrimSpace(v[k][0])
		}
		return ""
	}
	for k, vs := range v {
		for _, s := range vs {
			if err := apperr.Text(k, s); err != nil {
				return importjob.Upload{}, err
			}
		}
	}
	up := importjob.Upload{Options: importjob.Options{DryRun: true}}
	if s := get("community"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return up, apperr.Field("community", "number", "must be the id of a community")
		}
		up.Community = n
	}
	if s := get("mapping"); s != "" {
		m, err := importer.ReadMapping(strings.NewReader(s))
		if err != nil {
			return up, err
		}
		up.Options.Mapping = m
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"create_places", &up.Options.CreatePlaces}, {"partial", &up.Options.Partial}, {"dry_run", &up.Options.DryRun}} {
		if s := get(b.name); s != "" {
			x, err := strconv.ParseBool(s)
			if err != nil {
				return up, apperr.Field(b.name, "boolean", "must be true or false")
			}
			*b.dst = x
		}
	}
	up.Start = importjob.Checking
	if !up.Options.DryRun {
		up.Start = importjob.Applying
	}
	return up, nil
}

// importError gives the refusals of the import jobs their answers: 409
// import_running naming the import that runs, 410 file_removed.
func importError(err error) error {
	var running *importjob.RunningError
	switch {
	case errors.As(err, &running):
		return &apiError{http.StatusConflict, "import_running", running.Error(), "community"}
	case errors.Is(err, importjob.ErrFileRemoved):
		return &apiError{http.StatusGone, "file_removed", err.Error(), ""}
	}
	return err
}

// importJob answers one import job: its state, progress, preview and
// the report of its last check or import. Another's job out of the
// caller's scope is 404.
func (h *handler) importJob(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	job, err := h.d.Imports.Get(r.Context(), user(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, job)
}

// confirmImport imports a checked job: 202 with the job, applying.
func (h *handler) confirmImport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	job, err := h.d.Imports.Confirm(r.Context(), user(r), id)
	if err != nil {
		h.fail(w, r, importError(err))
		return
	}
	h.writeJSON(w, r, http.StatusAccepted, job)
}

// importReport sends the job's file with the cells of its last report's
// problems highlighted and commented, in Chinese (lang=en: English; the
// words are the web's, server.Deps.ErrText). It
// holds the file as uploaded: the download is in the audit log.
func (h *handler) importReport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	job, err := h.d.Imports.Get(r.Context(), user(r), id)
	if err != nil {
		h.fail(w, r, importError(err))
		return
	}
	if job.Report == nil || job.State.Running() {
		h.fail(w, r, &importjob.StateError{State: job.State, Action: "reported on before its check has ended"})
		return
	}
	if !job.FileKept {
		h.fail(w, r, importError(importjob.ErrFileRemoved))
		return
	}
	e := h.auditing().Who(r)
	e.Action, e.Object, e.Result, e.Detail = "export", fmt.Sprintf("import:%d", id), audit.OK, "the uploaded file with its problems highlighted (xlsx)"
	if err := h.d.Audit.Record(r.Context(), e); err != nil {
		h.fail(w, r, err)
		return
	}
	lang := r.URL.Query().Get("lang")
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(uploadTime))
	attachment(w, strings.TrimSuffix(job.FileName, fileExt(job.FileName))+"-标注.xlsx", xlsxType)
	err = h.d.Imports.WriteReport(r.Context(), user(r), id, func(p importer.Problem) string {
		fe := &apperr.FieldError{Code: p.Code, Args: p.Args, Msg: p.Message}
		if h.d.ErrText == nil {
			return fe.Msg
		}
		return h.d.ErrText(lang, fe)
	}, w)
	if err != nil {
		h.log.Error("api: the highlighted copy failed", "route", r.Pattern, "job", id, "error", err)
	}
}

// exportHouseholds sends every household in the caller's scope in the
// layout the import reads (format=xlsx, the default, or csv), with full
// ID and phone numbers: for the roles that may import, audited with its
// counts by the household store.
func (h *handler) exportHouseholds(w http.ResponseWriter, r *http.Request) {
	format := export.Format(r.URL.Query().Get("format"))
	switch format {
	case "":
		format = export.XLSX
	case export.XLSX, export.CSV:
	default:
		h.fail(w, r, apperr.Field("format", "one_of", "must be xlsx or csv"))
		return
	}
	typ := map[export.Format]string{export.CSV: "text/csv; charset=utf-8", export.XLSX: xlsxType}[format]
	attachment(w, "households-"+h.now().In(calendar.China).Format("20060102")+"."+string(format), typ)
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(uploadTime))
	e := h.auditing().Who(r)
	e.Detail = "api: GET /households/export?format=" + string(format) + ":"
	if _, _, err := importer.Export(r.Context(), h.d.DB, access.Scope(user(r)), h.d.Audit, e, format, w); err != nil {
		h.log.Error("api: the export for the import failed", "route", r.Pattern, "error", err)
	}
}

// fileExt is the extension of a file name (".xlsx"), "" for none.
func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[i:]
	}
	return ""
}

// attachment starts a download named name (Chinese allowed) of media
// type typ.
func attachment(w http.ResponseWriter, name, typ string) {
	d := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if d == "" {
		d = mime.FormatMediaType("attachment", map[string]string{"filename*": name})
	}
	w.Header().Set("Content-Disposition", d)
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Cache-Control", "no-store")
}
