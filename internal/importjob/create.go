package importjob

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/auth"
	"wanhu/internal/importer"
	"wanhu/internal/org"
	"wanhu/internal/pii"
	"wanhu/internal/store"
)

// Upload is a file to import.
type Upload struct {
	// Name is the file's name as the user has it: .xlsx or .csv.
	Name string
	// Body is the file; more than MaxFileBytes is refused.
	Body io.Reader
	// Community is the community of the rows (0: the only one the user
	// may import into).
	Community int64
	Options   Options
	// Start is the state the job begins in: Uploaded (the web page shows
	// the preview first), Checking (a dry run at once) or Applying.
	Start State
}

// Create stores the file of up as a new job of user u, with its preview
// read with the community's saved mapping and up's over it, and returns
// the job. Bad input (no file, the wrong kind, too large, unreadable, a
// community u may not import into, a bad mapping) is an
// apperr.FieldError naming the field ("file", "community", "mapping"),
// and a job that would start running while another of its community
// runs is a *RunningError; either stores nothing.
func (j *Jobs) Create(ctx context.Context, u *auth.User, up Upload) (*Job, error) {
	if !access.Can(u, access.Import) {
		return nil, apperr.ErrForbidden
	}
	name, err := fileName(up.Name)
	if err != nil {
		return nil, err
	}
	if err := checkMapping(up.Options.Mapping); err != nil {
		return nil, err
	}
	start := up.Start
	if start == "" {
		start = Uploaded
	}
	if start != Uploaded && !start.Running() {
		return nil, apperr.OneOf("state", string(start), []State{Uploaded, Checking, Applying})
	}
	c, err := j.community(ctx, u, up.Community)
	if err != nil {
		return nil, err
	}
	path, size, err := spool(up.Body, name)
	if path != "" {
		defer removeTemp(path)
	}
	if err != nil {
		return nil, err
	}
	m, err := importer.SavedMapping(ctx, j.db, c.ID)
	if err != nil {
		return nil, err
	}
	for h, f := range up.Options.Mapping {
		m[h] = f
	}
	preview, err := importer.ReadPreview(path, m, PreviewRows)
	if err != nil {
		msg := strings.ReplaceAll(err.Error(), filepath.Base(path), name)
		return nil, apperr.Field("file", "upload_unreadable", "cannot be read as an .xlsx workbook or a CSV file: %s", pii.Redact(msg))
	}
	id, err := j.insert(ctx, u, c, name, size, up.Options, start, preview, path)
	if err != nil {
		return nil, err
	}
	if start.Running() {
		j.Wake()
	}
	return j.Get(ctx, u, id)
}

// fileName checks the name of an uploaded file and returns it without a
// folder.
func fileName(s string) (string, error) {
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	name := strings.TrimSpace(s)
	if err := apperr.Text("file", name); err != nil {
		return "", err
	}
	if name == "" {
		return "", apperr.Field("file", "upload_required", "is required: choose an .xlsx workbook or a .csv file")
	}
	if utf8.RuneCountInString(name) > 200 {
		return "", apperr.Field("file", "too_long", "must be at most %d characters", 200)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm", ".csv", ".txt":
		return name, nil
	case ".xls", ".et", ".wps":
		return "", apperr.Field("file", "upload_old_format", "%s is an old workbook format: save it as .xlsx in Excel (另存为 → Excel 工作簿) and upload that", name)
	}
	return "", apperr.Field("file", "upload_type", "%s is not an .xlsx workbook or a .csv file", name)
}

// spool copies an upload into a temporary file (mode 0600) named name
// (see tempFile), refusing an empty one and one over MaxFileBytes.
func spool(r io.Reader, name string) (path string, size int64, err error) {
	if r == nil {
		return "", 0, apperr.Field("file", "upload_required", "is required: choose an .xlsx workbook or a .csv file")
	}
	f, err := tempFile(name)
	if err != nil {
		return "", 0, err
	}
	size, err = io.Copy(f, io.LimitReader(r, MaxFileBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case errors.As(err, new(*http.MaxBytesError)) || err == nil && size > MaxFileBytes:
		err = apperr.Field("file", "upload_too_large", "must be at most %d MB", MaxFileBytes>>20)
	case err != nil:
		err = apperr.Field("file", "upload_failed", "the upload was interrupted: send the file again")
	case size == 0:
		err = apperr.Field("file", "upload_empty", "is empty: choose an .xlsx workbook or a .csv file")
	}
	return f.Name(), size, err
}

// insert stores a job and its file in one transaction. A job that starts
// running while another of its community runs is refused.
func (j *Jobs) insert(ctx context.Context, u *auth.User, c org.Unit, name string, size int64, o Options, start State,
	p *importer.Preview, path string) (int64, error) {
	opts, err := json.Marshal(o)
	if err != nil {
		return 0, err
	}
	preview, err := json.Marshal(p)
	if err != nil {
		return 0, err
	}
	now := j.now().UTC()
	var id int64
	err = j.db.InTx(ctx, func(tx *store.Tx) error {
		if start.Running() {
			if err := j.idle(ctx, tx, c.ID); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO import_jobs(community_id, user_id, file_name, file_size, options, state, preview,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.ID, u.ID, name, size, string(opts), start, string(preview), now, now).Scan(&id); err != nil {
			return err
		}
		return storeFile(ctx, tx, id, path)
	})
	if store.IsUniqueViolation(err) {
		return 0, j.running(ctx, c.ID, c.Name)
	}
	return id, err
}

// idle returns a *RunningError when an import of community runs.
func (j *Jobs) idle(ctx context.Context, q store.Querier, community int64) error {
	var e RunningError
	err := q.QueryRowContext(ctx, `SELECT j.id, c.name, u.display_name, j.updated_at FROM import_jobs j
		JOIN org_units c ON c.id = j.community_id JOIN users u ON u.id = j.user_id
		WHERE j.community_id = ? AND j.state IN ('checking', 'applying')`, community).Scan(&e.JobID, &e.Community, &e.By, &e.Since)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return &e
}

// running is the error of a job of community (named name) refused by the
// index of running imports: the import that won.
func (j *Jobs) running(ctx context.Context, community int64, name string) error {
	if err := j.idle(ctx, j.db, community); err != nil {
		return err
	}
	return &RunningError{Community: name}
}

// Communities returns the communities u may import into: those under an
// administrator's subtree and those holding one of a grid leader's
// grids, by name.
func (j *Jobs) Communities(ctx context.Context, u *auth.User) ([]org.Unit, error) {
	if !access.Can(u, access.Import) {
		return nil, apperr.ErrForbidden
	}
	scope := access.Scope(u)
	all, err := org.Units(ctx, j.db, org.Community)
	if err != nil {
		return nil, err
	}
	grids, err := org.Grids(ctx, j.db)
	if err != nil {
		return nil, err
	}
	var out []org.Unit
	for _, c := range all {
		mine := scope.Administers(c.Path) || slices.ContainsFunc(grids, func(g org.Grid) bool {
			return g.CommunityID == c.ID && slices.Contains(scope.GridIDs, g.ID)
		})
		if mine {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b org.Unit) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// community returns community id of those u may import into; 0 is the
// only one.
func (j *Jobs) community(ctx context.Context, u *auth.User, id int64) (org.Unit, error) {
	cs, err := j.Communities(ctx, u)
	if err != nil {
		return org.Unit{}, err
	}
	if id == 0 {
		if len(cs) == 1 {
			return cs[0], nil
		}
		return org.Unit{}, apperr.Field("community", "required", "is required: choose the community of the households (%d may be imported into)", len(cs))
	}
	for _, c := range cs {
		if c.ID == id {
			return c, nil
		}
	}
	return org.Unit{}, apperr.Field("community", "community_unknown", "no community %d here", id)
}
