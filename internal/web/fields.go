package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

// Field is one input of a form, ready to render with the "field" partial:
// its value is what the user typed (kept across a failed save).
type Field struct {
	Name        string
	Label       string
	Type        string // text, tel, date, number, textarea, select, checkboxes, hidden
	Value       string
	Placeholder string
	Hint        string
	Error       string
	Options     []Option
	// Reload, on a select whose choice narrows another field's, is the
	// label of the button that shows the form again with the choices
	// narrowed, without JavaScript; with it, app.js sends the form so
	// when the choice changes.
	Reload string
}

// Option is a choice of a select or a checkbox list.
type Option struct {
	Value    string
	Label    string
	Selected bool
}

// form builds the fields of one form from submitted (or stored) values
// and the error to show next to its field.
type form struct {
	l      *Locale
	v      url.Values
	err    *apperr.FieldError
	prefix string // "members[0]." for the first member of a new household
	Fields []Field
}

func newForm(l *Locale, v url.Values, err error) *form {
	f := &form{l: l, v: v}
	f.err, _ = apperr.AsField(err)
	return f
}

// label translates a field name, dropping any "members[0]." prefix.
func (f *form) label(name string) string { return f.l.T("field." + baseField(name)) }

func baseField(name string) string {
	if i := strings.LastIndex(name, "."); i >= 0 {
		return name[i+1:]
	}
	return name
}

func (f *form) add(name, typ string, opts []Option) *Field {
	name = f.prefix + name
	fl := Field{Name: name, Type: typ, Value: f.v.Get(name), Options: opts}
	if typ != "hidden" {
		fl.Label = f.label(name)
	}
	if f.err != nil && f.err.Field == name {
		fl.Error = f.l.Err(f.err)
	}
	f.Fields = append(f.Fields, fl)
	return &f.Fields[len(f.Fields)-1]
}

func (f *form) text(name string) *Field       { return f.add(name, "text", nil) }
func (f *form) input(name, typ string) *Field { return f.add(name, typ, nil) }

// enum adds a select of an enumeration; blank adds an empty first choice.
func (f *form) enum(name, key string, values []string, blank bool) *Field {
	cur := f.v.Get(f.prefix + name)
	var opts []Option
	if blank {
		opts = append(opts, Option{Value: "", Label: "—", Selected: cur == ""})
	}
	for _, v := range values {
		opts = append(opts, Option{Value: v, Label: f.l.T(key + "." + v), Selected: cur == v})
	}
	return f.add(name, "select", opts)
}

// checks adds a checkbox list; labels maps each value to its label.
func (f *form) checks(name string, values, labels []string) *Field {
	cur := f.v[f.prefix+name]
	opts := make([]Option, len(values))
	for i, v := range values {
		opts[i] = Option{Value: v, Label: labels[i], Selected: slices.Contains(cur, v)}
	}
	return f.add(name, "checkboxes", opts)
}

// enumLabels translates every value of an enumeration.
func enumLabels(l *Locale, key string, values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = l.T(key + "." + v)
	}
	return out
}

// tagChoices lists the tags that apply to kind and can be set by hand.
func tagChoices(l *Locale, tags []household.Tag, kind string) (codes, names []string) {
	for _, t := range tags {
		if t.AppliesTo == kind && !t.Derived {
			codes, names = append(codes, t.Code), append(names, l.Name(t.NameZH, t.NameEN))
		}
	}
	return codes, names
}

// intField parses an optional integer input.
func intField(v url.Values, name string) (int, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, apperr.Field(name, "number", "must be a whole number")
	}
	return n, nil
}

// id64 parses an optional id input.
func id64(v url.Values, name string) (int64, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, apperr.Field(name, "number", "must be a whole number")
	}
	return n, nil
}

// dateField parses an optional date input.
func dateField(v url.Values, name string) (calendar.Date, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return calendar.Date{}, nil
	}
	return calendar.ParseDate(name, s)
}

// pathID is the {id} of the route.
func pathID(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.ErrNotFound
	}
	return n, nil
}
