package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
)

// maxBody is the largest request body the API reads.
const maxBody = 1 << 20

// decode reads the JSON body of r into v: one object, no unknown fields, at
// most maxBody bytes, no NUL character in a string (checkText). Its errors
// are ready for fail.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return &apiError{http.StatusBadRequest, "body_too_large", "the request body is larger than 1 MiB", ""}
	case err != nil:
		return &apiError{http.StatusBadRequest, "bad_json", "the request body could not be read", ""}
	}
	return named(body, decodeBody(body, v))
}

// decodeBody decodes body into v, as decode describes.
func decodeBody(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra == io.EOF {
			return checkText(reflect.ValueOf(v), "")
		}
		err = errors.New("data after the JSON value")
	}
	// err is the decoder's, or data after the value: give it the API's answer.
	var ute *json.UnmarshalTypeError
	switch {
	case errors.As(err, &ute):
		return &apiError{http.StatusBadRequest, "invalid_type", "must be of JSON type " + jsonType(ute.Type.Kind().String()), ute.Field}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &apiError{http.StatusBadRequest, "unknown_field", "unknown or read-only field " + name, name}
	}
	var pe *time.ParseError
	if _, ok := apperr.AsField(err); ok || errors.As(err, &pe) {
		return err // for named
	}
	if errors.Is(err, io.EOF) {
		return &apiError{http.StatusBadRequest, "bad_json", "the request body is empty; send a JSON object", ""}
	}
	return &apiError{http.StatusBadRequest, "bad_json", "the request body is not valid JSON", ""}
}

// jsonType names the JSON type that a Go kind takes.
func jsonType(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "number"
	case kind == "string":
		return "string"
	case kind == "bool":
		return "boolean"
	case kind == "slice", kind == "array":
		return "array"
	}
	return "object"
}

// fieldRequired is the error of a missing required field.
func fieldRequired(field string) error {
	return apperr.Field(field, "required", "is required")
}

// named gives a name to the error of a value that could not say which
// field it was in: a calendar.Date (whose errors name no field) or a
// time.Time (a *time.ParseError) of the body. The field is the first
// string of body, in order, that fails the same way; decoding stops at the
// first bad value, so that is the one. Other errors are returned as they
// are.
func named(body []byte, err error) error {
	var match func(string) bool
	var pe *time.ParseError
	fe, isField := apperr.AsField(err)
	switch {
	case isField && fe.Field == "":
		match = func(s string) bool {
			_, e := calendar.ParseDate("", s)
			return e != nil && e.Error() == fe.Error()
		}
	case errors.As(err, &pe):
		match = func(s string) bool { return s == pe.Value }
		fe = apperr.Field("", "date_format", "must be an RFC 3339 time like 2026-01-31T09:30:00+08:00 (got %q)", pe.Value)
	default:
		return err
	}
	path, ok := stringPath(body, match)
	if !ok && pe != nil {
		return &apiError{http.StatusBadRequest, "bad_json", "the request body is not valid JSON", ""}
	}
	if !ok {
		return err
	}
	return apperr.InField(fe, path)
}

// stringPath returns the path ("events[2].date") of the first string
// value in the JSON document body for which match is true.
func stringPath(body []byte, match func(string) bool) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	type level struct {
		array bool
		index int    // the next element's, in an array
		key   string // the current member's, in an object
		atKey bool   // an object's next token is a key
	}
	var stack []*level
	path := func() string {
		var b strings.Builder
		for _, l := range stack {
			if l.array {
				fmt.Fprintf(&b, "[%d]", l.index-1)
			} else {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(l.key)
			}
		}
		return b.String()
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		var top *level
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if top != nil && !top.array && top.atKey {
			top.key, top.atKey = tok.(string), false
			continue
		}
		// tok is a value: an array's next element or an object's member.
		if top != nil && top.array {
			top.index++
		} else if top != nil {
			top.atKey = true
		}
		switch v := tok.(type) {
		case json.Delim:
			stack = append(stack, &level{array: v == '[', atKey: v == '{'})
		case string:
			if match(v) {
				return path(), true
			}
		}
	}
}
