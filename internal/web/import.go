package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/auth"
	"wanhu/internal/importjob"
)

// streamedUploads are the routes whose handler reads the multipart body
// as a stream, the file straight into its job (a file of 200 MB is never
// held in memory or a temporary file of the form parser), and checks the
// session's token itself: the form sends it first.
var streamedUploads = map[string]bool{"POST /import": true}

// uploadTime is how long an upload may take: longer than the server's
// read timeout, for a large file over an office line.
const uploadTime = 30 * time.Minute

// importListView is the import page: the upload form and the recent
// imports.
type importListView struct {
	Page
	Communities []Option
	MaxMB       int
	Error       string
	Jobs        []importRow
}

// importRow is one import of the list.
type importRow struct {
	ID                         int64
	File, Community, By, When  string
	State, StateClass, Outcome string
}

// importList shows the upload form and the imports the user may see.
func (h *handler) importList(w http.ResponseWriter, r *http.Request) {
	h.showImports(w, r, http.StatusOK, "")
}

// showImports renders the import page with an error message.
func (h *handler) showImports(w http.ResponseWriter, r *http.Request, status int, msg string) {
	u := auth.FromContext(r.Context()).User
	v := importListView{Page: h.page(r, "imports.title", "households"), MaxMB: importjob.MaxFileBytes >> 20, Error: msg}
	cs, err := h.imports.Communities(r.Context(), u)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	for _, c := range cs {
		v.Communities = append(v.Communities, Option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name})
	}
	jobs, err := h.imports.List(r.Context(), u, 30)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	for _, j := range jobs {
		v.Jobs = append(v.Jobs, importRow{ID: j.ID, File: j.FileName, Community: j.Community, By: j.UserName, When: v.L.Time(j.CreatedAt),
			State: v.L.T("imports.state." + string(j.State)), StateClass: stateClass(j.State)})
	}
	h.render(w, r, status, "import", v)
}

// stateClass is the colour of a state's badge.
func stateClass(s importjob.State) string {
	switch s {
	case importjob.Done:
		return "green"
	case importjob.Failed, importjob.Refused:
		return "red"
	}
	return "yellow"
}

// importUpload takes the file of the upload form into a new job and
// shows its preview.
func (h *handler) importUpload(w http.ResponseWriter, r *http.Request) {
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadTime))
	r.Body = http.MaxBytesReader(w, r.Body, importjob.MaxFileBytes+1<<20)
	s := auth.FromContext(r.Context())
	var job *importjob.Job
	err := streamUpload(r, s.CSRF, func(fields url.Values, name string, file io.Reader) error {
		community, _ := strconv.ParseInt(fields.Get("community"), 10, 64)
		var err error
		job, err = h.imports.Create(r.Context(), s.User, importjob.Upload{Name: name, Body: file, Community: community})
		return err
	})
	if errors.Is(err, errUploadToken) {
		h.expired(w, r)
		return
	}
	if fe, ok := apperr.AsField(err); ok {
		h.showImports(w, r, http.StatusBadRequest, importInputError(h.locale(r), fe))
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, "/import/"+strconv.FormatInt(job.ID, 10))
}

// errUploadToken refuses an upload without the session's token.
var errUploadToken = errors.New("upload without the session's token")

// streamUpload reads the multipart form of an upload as it arrives: the
// fields before the part "file" (the first being the session's token
// csrf, checked before any file is read), then the file, which fn gets
// with its name and those fields. A form without a file is refused as
// one with an empty file name.
func streamUpload(r *http.Request, csrf string, fn func(fields url.Values, name string, file io.Reader) error) error {
	noFile := apperr.Field("file", "upload_required", "is required: choose an .xlsx workbook or a .csv file")
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if !tokenMatches(r.PostFormValue("csrf"), csrf) {
			return errUploadToken
		}
		return noFile
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return apperr.Field("file", "upload_failed", "the upload could not be read: send the file again")
	}
	fields := url.Values{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return apperr.Field("file", "upload_failed", "the upload could not be read: send the file again")
		}
		if p.FormName() == "file" {
			if !tokenMatches(fields.Get("csrf"), csrf) {
				return errUploadToken
			}
			return fn(fields, p.FileName(), p)
		}
		b, err := io.ReadAll(io.LimitReader(p, 4<<10))
		if err != nil {
			return apperr.Field("file", "upload_failed", "the upload could not be read: send the file again")
		}
		if err := apperr.Text(p.FormName(), string(b)); err != nil {
			return err
		}
		fields.Add(p.FormName(), string(b))
	}
	if !tokenMatches(fields.Get("csrf"), csrf) {
		return errUploadToken
	}
	return noFile
}

// importInputError says what is wrong with an input of the import pages:
// the field's name, then the problem.
func importInputError(l *Locale, fe *apperr.FieldError) string {
	return l.T("imports.input."+fe.Field) + ": " + l.Err(fe)
}
