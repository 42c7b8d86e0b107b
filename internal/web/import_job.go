package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/importer"
	"wanhu/internal/importjob"
)

// importJobView is the page of one import, at whatever step it is: the
// preview with the columns to map and the options, the progress of a
// check or import, the report with the confirmation, or the end.
type importJobView struct {
	Page
	Job         *importjob.Job
	Step        string // the state's name: uploaded, checking …
	Ended       bool
	State       string
	StateClass  string
	Mine        bool
	Created     string
	Running     bool
	Progress    importProgress
	ShowForm    bool // the mapping and options (a checked job: folded)
	Columns     []mapRow
	Sheets      []previewSheet
	Options     importjob.Options
	Report      *reportView
	CanConfirm  bool
	CanCancel   bool
	CanDownload bool
	Blocked     string // why the import cannot be confirmed
	Error       string // a refusal of the last action
	Failure     string // why the job failed or was cancelled
}

// importProgress is the progress bar of a running job.
type importProgress struct {
	Rows     int
	Fraction string // "0.42", "" while unknown
	Percent  int
	Rate     int // rows per second
}

// importJob shows import {id} at its current step.
func (h *handler) importJob(w http.ResponseWriter, r *http.Request) {
	h.showImportJob(w, r, http.StatusOK, "")
}

// showImportJob renders import {id} with an error message (the refusal
// of an action).
func (h *handler) showImportJob(w http.ResponseWriter, r *http.Request, status int, msg string) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	job, err := h.imports.Get(r.Context(), user(r), id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := importJobView{Page: h.page(r, "imports.job_title", "households"), Job: job, Error: msg}
	v.Title = v.L.T("imports.job_title", job.FileName)
	v.fill(job, user(r).ID)
	h.render(w, r, status, "import_job", v)
}

// fill sets what the page shows of job for the user userID.
func (v *importJobView) fill(job *importjob.Job, userID int64) {
	l := v.L
	v.State, v.StateClass, v.Created = l.T("imports.state."+string(job.State)), stateClass(job.State), l.Time(job.CreatedAt)
	v.Step, v.Ended = string(job.State), job.State.Ended()
	v.Mine, v.Running, v.Options = job.UserID == userID, job.State.Running(), job.Options
	v.Progress = progressOf(job.Progress)
	if job.State == importjob.Uploaded {
		v.Options.CreatePlaces = true // the pages create the places a check lists, on confirm
	}
	v.ShowForm = v.Mine && (job.State == importjob.Uploaded || job.State == importjob.Checked)
	if job.Preview != nil {
		v.Columns, v.Sheets = mapRows(l, job.Preview, job.Options.Mapping), previewSheets(l, job.Preview)
	}
	if job.Report != nil && !job.State.Running() && job.State != importjob.Uploaded {
		v.Report = newReportView(l, job.Report)
	}
	v.CanCancel = v.ShowForm
	v.CanDownload = job.Report != nil && job.Problems() > 0 && job.FileKept && !job.State.Running()
	if v.Mine && job.State == importjob.Checked {
		v.CanConfirm = job.Problems() == 0 || job.Options.Partial
		if !v.CanConfirm {
			v.Blocked = l.T("imports.blocked", job.Problems())
		}
	}
	if job.Error != "" {
		v.Failure = l.T("imports.error." + job.Error)
	}
}

// progressOf is the progress bar of p.
func progressOf(p importjob.Progress) importProgress {
	out := importProgress{Rows: p.Rows, Rate: int(p.RowsPerSecond + .5), Percent: int(p.Fraction*100 + .5)}
	if p.Fraction > 0 {
		out.Fraction = strconv.FormatFloat(p.Fraction, 'f', 3, 64)
	}
	return out
}

// importStatus is what the page's script polls while a job runs.
type importStatus struct {
	State         string  `json:"state"`
	Label         string  `json:"label"`
	Rows          int     `json:"rows"`
	Fraction      float64 `json:"fraction"`
	RowsPerSecond float64 `json:"rows_per_second"`
}

// importJobStatus answers the state and progress of import {id} as JSON.
func (h *handler) importJobStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	job, err := h.imports.Status(r.Context(), user(r), id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	l := h.locale(r)
	writeJSON(w, http.StatusOK, importStatus{State: string(job.State), Label: l.T("imports.state." + string(job.State)),
		Rows: job.Progress.Rows, Fraction: job.Progress.Fraction, RowsPerSecond: job.Progress.RowsPerSecond})
}

// importCheck queues the check of import {id} with the mapping and the
// options of the form.
func (h *handler) importCheck(w http.ResponseWriter, r *http.Request) {
	h.importAct(w, r, func(id int64) error {
		job, err := h.imports.Get(r.Context(), user(r), id)
		if err != nil {
			return err
		}
		o := importjob.Options{Mapping: formMapping(r, job.Preview), CreatePlaces: r.PostFormValue("create_places") != "",
			Partial: r.PostFormValue("partial") != ""}
		_, err = h.imports.Check(r.Context(), user(r), id, o)
		return err
	})
}

// importConfirm queues the import of checked import {id}.
func (h *handler) importConfirm(w http.ResponseWriter, r *http.Request) {
	h.importAct(w, r, func(id int64) error {
		_, err := h.imports.Confirm(r.Context(), user(r), id)
		return err
	})
}

// importCancel gives import {id} up.
func (h *handler) importCancel(w http.ResponseWriter, r *http.Request) {
	h.importAct(w, r, func(id int64) error {
		_, err := h.imports.Cancel(r.Context(), user(r), id)
		return err
	})
}

// importAct runs an action on import {id} and shows the job again: a
// refusal that the user can act on (another import runs, the state has
// moved, problems to correct) on the job's page.
func (h *handler) importAct(w http.ResponseWriter, r *http.Request, act func(id int64) error) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if err := act(id); err != nil {
		h.importRefused(w, r, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/import/%d", id))
}

// importRefused shows why an action on import {id} failed: a refusal that
// the user can act on on the job's page, anything else on the error page.
func (h *handler) importRefused(w http.ResponseWriter, r *http.Request, err error) {
	l := h.locale(r)
	var running *importjob.RunningError
	var state *importjob.StateError
	fe, isField := apperr.AsField(err)
	switch {
	case errors.As(err, &running) && running.JobID == 0:
		h.showImportJob(w, r, http.StatusConflict, l.T("imports.running_ended", running.Community))
	case errors.As(err, &running):
		h.showImportJob(w, r, http.StatusConflict, l.T("imports.running", running.Community, running.By,
			l.Time(running.Since), running.JobID))
	case errors.As(err, &state):
		h.showImportJob(w, r, http.StatusConflict, l.T("imports.moved", l.T("imports.state."+string(state.State))))
	case isField:
		h.showImportJob(w, r, http.StatusBadRequest, importInputError(l, fe))
	default:
		h.showError(w, r, err)
	}
}

// formMapping reads the mapping of the check form: each column's field
// (f0, f1 …) that differs from what the preview read it as (h0, h1 …
// name the headers).
func formMapping(r *http.Request, p *importer.Preview) importer.Mapping {
	read := map[string]string{}
	if p != nil {
		for _, s := range p.Sheets {
			for _, c := range s.Columns {
				if _, ok := read[c.Header]; !ok {
					read[c.Header] = c.Field
				}
			}
		}
	}
	m := importer.Mapping{}
	for i := 0; ; i++ {
		n := strconv.Itoa(i)
		header, ok := r.PostForm["h"+n]
		if !ok || len(header) == 0 {
			break
		}
		field := r.PostFormValue("f" + n)
		if was, ok := read[header[0]]; !ok || was != field {
			m[header[0]] = importer.Field(field)
		}
	}
	return m
}

// importReport downloads the copy of import {id}'s file with the cells
// of its problems highlighted and commented in the user's language; it
// holds the file as uploaded, so it is in the audit log.
func (h *handler) importReport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	job, err := h.imports.Get(r.Context(), user(r), id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if job.Report == nil || job.State.Running() {
		h.showImportJob(w, r, http.StatusConflict, h.locale(r).T("imports.no_report"))
		return
	}
	if !job.FileKept {
		h.showImportJob(w, r, http.StatusGone, h.locale(r).T("imports.file_removed"))
		return
	}
	e := h.auditWho(r)
	e.Action, e.Object, e.Result, e.Detail = "export", fmt.Sprintf("import:%d", id), audit.OK, "the uploaded file with its problems highlighted (xlsx)"
	if err := h.audit.Record(r.Context(), e); err != nil {
		h.showError(w, r, err)
		return
	}
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(uploadTime))
	l := h.locale(r)
	attachment(w, reportName(job.FileName), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	err = h.imports.WriteReport(r.Context(), user(r), id, func(p importer.Problem) string { return problemText(l, p) }, w)
	if err != nil {
		h.log.ErrorContext(r.Context(), "web: the highlighted copy failed", "route", r.Pattern, "job", id, "error", err)
	}
}

// reportName is the name of the highlighted copy of a file: 住户.xlsx →
// 住户-标注.xlsx (a CSV file becomes a workbook).
func reportName(file string) string {
	base := file
	for i := len(file) - 1; i >= 0 && file[i] != '/'; i-- {
		if file[i] == '.' {
			base = file[:i]
			break
		}
	}
	return base + "-标注.xlsx"
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
