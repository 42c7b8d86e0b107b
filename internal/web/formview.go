package web

import (
	"errors"
	"net/http"
	"strings"

	"wanhu/internal/apperr"
)

// FormView is an edit form page: the form (and, for a new household, the
// first member's form), and after a conflict the values saved in between.
type FormView struct {
	Page
	Heading  string
	Action   string
	Back     string
	Form     *form
	Member   *form
	Conflict []Pair
	Error    string
	Unplaced string
}

// unplaced returns the message of err when no form has an input for its
// field, so it is still shown, at the top.
func unplaced(l *Locale, err error, forms ...*form) string {
	fe, ok := apperr.AsField(err)
	if !ok {
		return ""
	}
	for _, f := range forms {
		if f == nil {
			continue
		}
		for _, fl := range f.Fields {
			if fl.Name == fe.Field {
				return ""
			}
		}
	}
	return l.T("field."+baseField(fe.Field)) + ": " + l.Err(fe)
}

// labelled is a field's error after its label: "label: msg", the label
// without a colon of its own ("请计算：" reads "请计算: 答案不对…").
func labelled(label, msg string) string {
	return strings.TrimRight(label, ":：") + ": " + msg
}

// Pair is a label and a value shown side by side.
type Pair struct {
	Label string
	Value string
}

// summary lists what a form holds, as the user would read it: the value of
// each input, or the labels of the chosen options.
func summary(f *form) []Pair {
	var out []Pair
	for _, fl := range f.Fields {
		if fl.Type == "hidden" {
			continue
		}
		val := fl.Value
		if fl.Options != nil {
			var chosen []string
			for _, o := range fl.Options {
				if o.Selected && o.Value != "" {
					chosen = append(chosen, o.Label)
				}
			}
			val = strings.Join(chosen, "、")
		}
		if val == "" {
			val = fl.Placeholder
		}
		out = append(out, Pair{Label: fl.Label, Value: val})
	}
	return out
}

// failed decides how a save that returned err is shown: as a form to fix
// (a FieldError or a conflict; returns true) or as an error page.
func (h *handler) failed(w http.ResponseWriter, r *http.Request, err error) bool {
	if _, ok := apperr.AsField(err); ok || errors.Is(err, apperr.ErrConflict) {
		return true
	}
	h.showError(w, r, err)
	return false
}

// status is the HTTP status of a form shown again after err.
func status(err error) int {
	if errors.Is(err, apperr.ErrConflict) {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}
