package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"

	"wanhu/internal/apperr"
)

// maxBody is the largest request body the API reads.
const maxBody = 1 << 20

// decode reads the JSON body of r into v: one object, no unknown fields, at
// most maxBody bytes, no NUL character in a string (checkText). Its errors
// are ready for fail.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("data after the JSON value")
			var mbe *http.MaxBytesError
			if errors.As(extra, &mbe) {
				err = extra
			}
		}
	}
	if err == nil {
		return checkText(reflect.ValueOf(v), "")
	}
	var (
		mbe *http.MaxBytesError
		ute *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return &apiError{http.StatusBadRequest, "body_too_large", "the request body is larger than 1 MiB", ""}
	case errors.As(err, &ute):
		return &apiError{http.StatusBadRequest, "invalid_type", "must be of JSON type " + jsonType(ute.Type.Kind().String()), ute.Field}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &apiError{http.StatusBadRequest, "unknown_field", "unknown or read-only field " + name, name}
	}
	if _, ok := apperr.AsField(err); ok {
		return err
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
