package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/auth"
	"wanhu/internal/server"
	"wanhu/internal/store"
)

//go:embed templates
var templateFS embed.FS

// staticFS holds the assets served under /static/: the app's own and the
// vendored ECharts, not the script that vendors it.
//
//go:embed static/*.css static/*.js static/vendor/echarts
var staticFS embed.FS

// pages holds the parsed pages. Each page file defines "page", which names
// its layout ({{template "base" .}} or "sheet"). Every page is parsed at
// start, to fail early; the sets that serve are parsed again on first use,
// one per page and language, with their constants folded (fold.go).
type pages struct {
	catalog *Catalog
	names   map[string]bool
	folded  sync.Map // language + "/" + page → *template.Template
	mu      sync.Mutex
	// check renders every page unfolded too and fails unless both are the
	// same (tests); plain holds the unfolded sets.
	check bool
	plain map[string]*template.Template
}

var funcs = template.FuncMap{
	"add":      func(a, b int) int { return a + b },
	"lower":    strings.ToLower,
	"can":      func(u *auth.User, a string) bool { return access.Can(u, access.Action(a)) },
	"static":   func(name string) (string, error) { return assets().url(name) },
	"revealOf": func(l *Locale, csrf, action, field string) revealForm { return revealForm{l, csrf, action, field} },
}

// loadPages parses every page with the layouts and partials, once.
func loadPages(c *Catalog) (*pages, error) {
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{catalog: c, names: map[string]bool{}, check: checkPages(), plain: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		t, err := parsePage(name)
		if err != nil {
			return nil, err
		}
		p.names[name] = true
		if p.check {
			p.plain[name] = t
		}
	}
	return p, nil
}

// checkPages says whether pages are rendered unfolded too (pages.check):
// in tests, unless WANHU_PAGE_CHECK is "off", as the benchmarks of pages
// set it, since the check renders every page twice (issue 15).
func checkPages() bool {
	return testing.Testing() && os.Getenv("WANHU_PAGE_CHECK") != "off"
}

// parsePage parses page name with the layouts and partials.
func parsePage(name string) (*template.Template, error) {
	t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layouts/*.html", "templates/"+name+".html")
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	if t.Lookup("page") == nil {
		return nil, fmt.Errorf("template %s: defines no \"page\"", name)
	}
	return t, nil
}

// set returns page name folded for lang (nil, nil: no such page).
func (p *pages) set(lang, name string) (*template.Template, error) {
	key := lang + "/" + name
	if t, ok := p.folded.Load(key); ok {
		return t.(*template.Template), nil
	}
	if !p.names[name] {
		return nil, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.folded.Load(key); ok {
		return t.(*template.Template), nil
	}
	t, err := parsePage(name)
	if err != nil {
		return nil, err
	}
	l := p.catalog.Locale(lang)
	for _, x := range t.Templates() {
		if x.Tree != nil {
			foldConstants(x.Tree.Root, l)
		}
	}
	if err := escapeNow(t); err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	for _, x := range t.Templates() {
		if x.Tree != nil {
			foldPrinted(x.Tree.Root)
		}
	}
	escapers := fastEscapers(t)
	skip := ""
	if foldMenu(t) {
		skip = menuName
	}
	foldRanges(t, escapers, skip)
	p.folded.Store(key, t)
	return t, nil
}

// Page is what every page's view carries: the language, the signed-in
// user, the CSRF token of its forms and where it is (for the language link).
type Page struct {
	L     *Locale
	User  *auth.User
	CSRF  string
	Path  string
	Title string
	Nav   string
	// Brand replaces Wanhu's name in the header and the title of the
	// residents' pages: the name of the community they deal with.
	Brand string
}

// lang is the language of the page (the set it is rendered with).
func (p Page) lang() string {
	if p.L == nil {
		return ""
	}
	return p.L.Lang
}

// page fills the common part of a view.
func (h *handler) page(r *http.Request, title, nav string) Page {
	p := Page{L: h.locale(r), Path: r.URL.RequestURI(), Nav: nav}
	if s := auth.FromContext(r.Context()); s != nil {
		p.User, p.CSRF = s.User, maskToken(s.CSRF)
	}
	if title != "" {
		p.Title = p.L.T(title)
	}
	return p
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 instead of half a page.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, view any) {
	lang := h.locale(r).Lang
	if v, ok := view.(interface{ lang() string }); ok && v.lang() != "" {
		lang = v.lang()
	}
	t, err := h.pages.set(lang, name)
	if err == nil && t == nil {
		err = fmt.Errorf("no page %q", name)
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	if err := t.ExecuteTemplate(buf, "page", view); err != nil {
		h.serverError(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	if h.pages.check {
		if err := h.pages.same(name, view, buf.Bytes()); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	server.Write(w, r, status, buf.Bytes())
}

// renderBuffers hold the pages being rendered: a page is 5–30 KB, which a
// new buffer reaches by growing and copying five or six times.
var renderBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 32<<10)) }}

// putRenderBuffer returns buf to the pool, unless a very long page (a
// list) grew it: the pool keeps the common size.
func putRenderBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 256<<10 {
		return
	}
	buf.Reset()
	renderBuffers.Put(buf)
}

// same fails unless page name renders view unfolded as folded (tests).
func (p *pages) same(name string, view any, folded []byte) error {
	var plain bytes.Buffer
	err := p.plain[name].ExecuteTemplate(&plain, "page", view)
	if err != nil {
		return fmt.Errorf("render %s unfolded: %w", name, err)
	}
	if !bytes.Equal(plain.Bytes(), folded) {
		a, b := plain.String(), string(folded)
		i := 0
		for i < len(a) && i < len(b) && a[i] == b[i] {
			i++
		}
		return fmt.Errorf("page %s folded differs from unfolded at byte %d: %q vs %q", name, i, a[max(i-40, 0):min(i+40, len(a))], b[max(i-40, 0):min(i+40, len(b))])
	}
	return nil
}

// errorView is the view of the error page.
type errorView struct {
	Page
	Message string
}

// serverError logs err once (route, error; never form values) and shows a
// page that says nothing of the internals.
func (h *handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if fault := store.Fault(err); fault != nil {
		h.storageError(w, r, fault, err)
		return
	}
	l := h.locale(r)
	status, msg := http.StatusInternalServerError, "error.internal"
	if store.Unavailable(err) {
		// PostgreSQL restarting: the server reconnects by itself.
		h.log.WarnContext(r.Context(), "web: database unavailable", "route", r.Pattern, "error", err)
		w.Header().Set("Retry-After", "5")
		status, msg = http.StatusServiceUnavailable, "error.unavailable"
	} else {
		h.log.ErrorContext(r.Context(), "web", "route", r.Pattern, "error", err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><meta charset=utf-8><title>%d</title><p>%s</p>", status, template.HTMLEscapeString(l.T(msg)))
}

// storageError answers a write the database could not make (a full
// disk, a read-only database, a disk error): 503 with what happened and
// what to do, and one log line that tells the administrator.
func (h *handler) storageError(w http.ResponseWriter, r *http.Request, fault *apperr.Storage, err error) {
	h.log.ErrorContext(r.Context(), fault.Advice(), "kind", fault.Kind, "route", r.Pattern, "error", err)
	v := errorView{Page: h.page(r, "error.title", "")}
	v.Message = v.L.T("error." + fault.Kind)
	w.Header().Set("Retry-After", "60")
	h.render(w, r, http.StatusServiceUnavailable, "error", v)
}

// showError answers a request that failed: 404 for a missing record, 403
// for what the role may not do, 429 beyond a rate limit, 400 for bad input
// outside a form, 500 (logged) otherwise.
func (h *handler) showError(w http.ResponseWriter, r *http.Request, err error) {
	v := errorView{Page: h.page(r, "error.title", "")}
	status := http.StatusBadRequest
	var tooMany *apperr.TooMany
	switch fe, isField := apperr.AsField(err); {
	case errors.As(err, &tooMany):
		w.Header().Set("Retry-After", strconv.Itoa(tooMany.Seconds()))
		status, v.Message = http.StatusTooManyRequests, v.L.T("error.too_many", (tooMany.Seconds()+59)/60)
	case errors.Is(err, apperr.ErrForbidden):
		h.forbidden(w, r)
		return
	case errors.Is(err, apperr.ErrNotFound):
		status, v.Message = http.StatusNotFound, v.L.T("error.not_found")
	case errors.Is(err, apperr.ErrConflict):
		status, v.Message = http.StatusConflict, v.L.T("error.conflict")
	case isField:
		v.Message = v.L.T("field."+fe.Field) + ": " + v.L.Err(fe)
	default:
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, status, "error", v)
}

// forbidden answers a request the account's roles do not allow.
func (h *handler) forbidden(w http.ResponseWriter, r *http.Request) {
	h.refuse(w, r, http.StatusForbidden, "error.forbidden")
}

// expired answers a form without the token of the page it came from: a
// page left open past its session or sign-in, or a form from elsewhere.
func (h *handler) expired(w http.ResponseWriter, r *http.Request) {
	h.refuse(w, r, http.StatusForbidden, "error.expired")
}

// refuse shows the error page with the message of key.
func (h *handler) refuse(w http.ResponseWriter, r *http.Request, status int, key string) {
	v := errorView{Page: h.page(r, "error.title", "")}
	v.Message = v.L.T(key)
	h.render(w, r, status, "error", v)
}

// seeOther redirects after a successful POST.
func seeOther(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}
