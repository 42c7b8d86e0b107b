package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
)

//go:embed locales
var localeFS embed.FS

// Languages lists the interface languages; the first is the default.
var Languages = []string{"zh-CN", "en"}

// Catalog holds the translations of every language, loaded once, and the
// keys that pages asked for but no catalogue had.
type Catalog struct {
	msgs    map[string]map[string]string
	mu      sync.Mutex
	missing map[string]bool
}

// LoadCatalog reads the embedded catalogues: every locales/<lang>/*.json,
// one file per area of the app, merged. A key defined twice is an error.
func LoadCatalog() (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]string{}, missing: map[string]bool{}}
	for _, lang := range Languages {
		m, err := readLocale(lang)
		if err != nil {
			return nil, err
		}
		c.msgs[lang] = m
	}
	return c, nil
}

// readLocale merges the files of one language.
func readLocale(lang string) (map[string]string, error) {
	files, err := fs.Glob(localeFS, "locales/"+lang+"/*.json")
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("locale %s: no catalogue files (%v)", lang, err)
	}
	all := map[string]string{}
	for _, f := range files {
		b, err := localeFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for k, v := range m {
			if _, dup := all[k]; dup {
				return nil, fmt.Errorf("%s: key %q is defined in another file too", f, k)
			}
			all[k] = v
		}
	}
	return all, nil
}

// Missing returns the keys looked up but absent, as "lang:key", sorted.
func (c *Catalog) Missing() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for k := range c.missing {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Locale returns the translator for lang, or for the default language.
func (c *Catalog) Locale(lang string) *Locale {
	if _, ok := c.msgs[lang]; !ok {
		lang = Languages[0]
	}
	return &Locale{Lang: lang, c: c, msgs: c.msgs[lang]}
}

// Locale translates into one language.
type Locale struct {
	Lang string
	c    *Catalog
	msgs map[string]string
}

// EN reports whether the locale is English (for names stored in both languages).
func (l *Locale) EN() bool { return l.Lang == "en" }

// T returns the translation of key with {0}, {1}… replaced by args. A
// missing key is recorded in the catalogue and shown as ⟦key⟧.
func (l *Locale) T(key string, args ...any) string {
	s, ok := l.msgs[key]
	if !ok {
		l.c.mu.Lock()
		l.c.missing[l.Lang+":"+key] = true
		l.c.mu.Unlock()
		return "⟦" + key + "⟧"
	}
	return fill(s, args)
}

// Has reports whether key has a translation.
func (l *Locale) Has(key string) bool {
	_, ok := l.msgs[key]
	return ok
}

func fill(s string, args []any) string {
	for i, a := range args {
		s = strings.ReplaceAll(s, fmt.Sprintf("{%d}", i), fmt.Sprint(a))
	}
	return s
}

// Enum translates an enumeration value with the key "<field>.<value>";
// the empty value shows as a dash.
func (l *Locale) Enum(field, value string) string {
	if value == "" {
		return "—"
	}
	return l.T(field + "." + value)
}

// Value shows a stored value of field (as in the ledger): translated when
// it is an enumeration value, as it is otherwise.
func (l *Locale) Value(field, value string) string {
	if value == "" {
		return "—"
	}
	if l.Has(field + "." + value) {
		return l.msgs[field+"."+value]
	}
	return value
}

// Err says what is wrong in a FieldError, in this language:
// "err.<code>.<number of args>" or else "err.<code>", filled with its Args
// ({0}, {1}…), or its English message when there is no such key.
func (l *Locale) Err(fe *apperr.FieldError) string {
	if s, ok := l.msgs[fmt.Sprintf("err.%s.%d", fe.Code, len(fe.Args))]; ok {
		return fill(s, fe.Args)
	}
	if s, ok := l.msgs["err."+fe.Code]; ok {
		return fill(s, fe.Args)
	}
	return fe.Msg
}

// Name picks the Chinese or English form of a name stored in both.
func (l *Locale) Name(zh, en string) string {
	if l.EN() && en != "" {
		return en
	}
	return zh
}

// Time shows t in China's time zone as "2006-01-02 15:04".
func (l *Locale) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.China).Format("2006-01-02 15:04")
}
