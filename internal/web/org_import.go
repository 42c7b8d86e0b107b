package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/importer"
	"wanhu/internal/org"
)

// The structure workbook on 机构与网格 (issue 12): an administrator
// uploads it, the page checks it (a dry run) and shows the report; on
// confirmation it is imported (importer.RunStructure, synchronously: a
// structure workbook has hundreds of rows) and the page shows the
// accounts made with their one-time passwords, once. The upload waits for
// the confirmation in the database (importer.SaveUpload), an hour at
// most, for the administrator who uploaded it only.

// importForm is the upload form on 机构与网格: the communities to choose
// from when the administrator administers several.
type importForm struct {
	Communities []Option
	Error       string
}

// importFormOf returns the upload form for the tree us; chosen is the
// community chosen before.
func importFormOf(us []org.Unit, chosen int64) importForm {
	var f importForm
	for _, u := range us {
		if u.Kind == org.Community {
			id := strconv.FormatInt(u.ID, 10)
			f.Communities = append(f.Communities, Option{Value: id, Label: u.Name, Selected: u.ID == chosen})
		}
	}
	return f
}

// orgImportView is the report of a check or an import.
type orgImportView struct {
	Page
	Report   *importer.StructureReport
	Counts   []countRow
	Problems []problemRow
	Accounts []accountRow
	// Token names the upload to confirm (a check without problems).
	Token     string
	Community int64
	MakeUsers bool
}

// countRow is one kind of thing imported and what happened to it.
type countRow struct {
	Label string
	importer.Counts
}

// problemRow is a problem of the workbook, in the reader's language.
type problemRow struct {
	importer.Problem
	Text string
}

// accountRow is an account made, with its role in words.
type accountRow struct {
	importer.Account
	RoleName string
	GridList string
}

// orgImportCheck takes an uploaded workbook, keeps it and shows what
// importing it would do.
func (h *handler) orgImportCheck(w http.ResponseWriter, r *http.Request) {
	community, cerr := id64(r.PostForm, "community")
	makeUsers := r.PostFormValue("accounts") == "on"
	name, data, err := uploaded(r)
	if err != nil {
		h.orgImportFailed(w, r, community, err)
		return
	}
	if cerr != nil {
		h.orgImportFailed(w, r, community, cerr)
		return
	}
	token, err := importer.SaveUpload(r.Context(), h.db, user(r).ID, name, data, h.now())
	if err != nil {
		h.orgImportFailed(w, r, community, err)
		return
	}
	rep, err := h.importStructure(r, name, data, community, makeUsers, true)
	if err != nil {
		h.orgImportFailed(w, r, community, err)
		return
	}
	v := h.importView(r, rep)
	if rep.ErrorsTotal == 0 {
		v.Token, v.Community, v.MakeUsers = token, rep.CommunityID, makeUsers
	}
	h.render(w, r, status422(rep.ErrorsTotal > 0), "org_import", v)
}

// orgImportFailed shows err of a check or an import of the structure
// workbook: bad input beside the upload form on 机构与网格 (400, the
// community chosen kept), anything else on the error page.
func (h *handler) orgImportFailed(w http.ResponseWriter, r *http.Request, community int64, err error) {
	if _, ok := apperr.AsField(err); ok {
		h.showOrgList(w, r, http.StatusBadRequest, community, err)
		return
	}
	h.showError(w, r, err)
}

// orgImportApply imports the workbook a check kept, and shows the
// accounts made with their one-time passwords.
func (h *handler) orgImportApply(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token := r.PostFormValue("upload")
	community, err := id64(r.PostForm, "community")
	makeUsers := r.PostFormValue("accounts") == "on"
	if err != nil {
		h.orgImportFailed(w, r, community, err)
		return
	}
	name, data, err := importer.Upload(ctx, h.db, user(r).ID, token, h.now())
	if errors.Is(err, apperr.ErrNotFound) {
		h.showOrgList(w, r, http.StatusGone, community, apperr.Field("file", "upload_gone", "the upload has expired: upload the workbook again"))
		return
	}
	if err != nil {
		h.orgImportFailed(w, r, community, err)
		return
	}
	rep, err := h.importStructure(r, name, data, community, makeUsers, false)
	if err != nil {
		h.orgImportFailed(w, r, community, err)
		return
	}
	if rep.Applied {
		if err := importer.DeleteUpload(ctx, h.db, user(r).ID, token); err != nil {
			h.log.WarnContext(r.Context(), "forget an upload", "route", r.Pattern, "error", err)
		}
	}
	h.render(w, r, status422(!rep.Applied), "org_import", h.importView(r, rep))
}

// status422 is 422 when refused, else 200.
func status422(refused bool) int {
	if refused {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

// uploaded returns the name and bytes of the form's file.
func uploaded(r *http.Request) (string, []byte, error) {
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return "", nil, apperr.Field("file", "required", "choose the workbook")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, importer.MaxUploadBytes+1))
	if err != nil {
		return "", nil, err
	}
	if len(data) > importer.MaxUploadBytes {
		return "", nil, apperr.Field("file", "too_large", "must be at most %d MB", importer.MaxUploadBytes>>20)
	}
	if len(data) == 0 {
		return "", nil, apperr.Field("file", "required", "choose the workbook")
	}
	return hdr.Filename, data, nil
}

// importStructure runs the import of data as the user of r: accounts only
// for a user who manages accounts.
func (h *handler) importStructure(r *http.Request, name string, data []byte, community int64, makeUsers, dry bool) (*importer.StructureReport, error) {
	if makeUsers && !can(r, access.ManageUsers) {
		return nil, apperr.ErrForbidden
	}
	path, cleanup, err := importer.TempCopy(name, data)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	e := h.auditWho(r)
	return importer.RunStructure(r.Context(), h.db, importer.StructureOptions{Path: path, Name: name, Scope: access.Scope(user(r)),
		Actor: actor(r), Community: community, Accounts: makeUsers, DryRun: dry, Log: h.audit, Entry: e})
}

// importView is the page of a report.
func (h *handler) importView(r *http.Request, rep *importer.StructureReport) orgImportView {
	v := orgImportView{Page: h.page(r, "structure.title", "settings"), Report: rep}
	l := v.L
	for _, c := range []struct {
		key string
		n   importer.Counts
	}{{"grids", rep.Grids}, {"compounds", rep.Compounds}, {"buildings", rep.Buildings}, {"team", rep.Team}, {"departments", rep.Departments}} {
		v.Counts = append(v.Counts, countRow{Label: l.T("structure.count." + c.key), Counts: c.n})
	}
	for _, p := range rep.Errors {
		v.Problems = append(v.Problems, problemRow{Problem: p, Text: l.Err(&apperr.FieldError{Code: p.Code, Args: p.Args, Msg: p.Message})})
	}
	for _, a := range rep.Accounts {
		v.Accounts = append(v.Accounts, accountRow{Account: a, RoleName: l.T("structure.role." + string(a.Role)), GridList: strings.Join(a.Grids, "、")})
	}
	return v
}
