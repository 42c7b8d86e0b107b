// Package apperr holds the few error kinds that every domain package returns
// and every face (web, API, CLI) knows how to present: a record that is not
// there, a role that may not, a stale version, a transition that is not
// allowed, a client over a rate limit, and bad input in a named field.
package apperr

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrNotFound reports a record that does not exist (or, later, is out of the
// caller's scope: the two must look the same).
var ErrNotFound = errors.New("not found")

// ErrForbidden reports an action the caller's role does not allow.
var ErrForbidden = errors.New("your role may not do this")

// ErrTooMany reports a client over a rate limit.
var ErrTooMany = errors.New("too many requests")

// TooMany is ErrTooMany with what was limited and when to try again.
type TooMany struct {
	What       string
	RetryAfter time.Duration
}

func (e *TooMany) Error() string {
	return fmt.Sprintf("too many %s; try again in %s", e.What, e.RetryAfter.Round(time.Second))
}

// Is makes errors.Is(err, ErrTooMany) hold.
func (e *TooMany) Is(target error) bool { return target == ErrTooMany }

// Seconds is RetryAfter in whole seconds, at least 1, for Retry-After.
func (e *TooMany) Seconds() int { return max(int((e.RetryAfter+time.Second-1)/time.Second), 1) }

// ErrConflict reports an update made against a stale version.
var ErrConflict = errors.New("the record was changed by someone else; reload and try again")

// Stale is ErrConflict that knows the record's current version, which the
// API answers as current_version so that a client can reload just that.
type Stale struct{ Current int }

func (e *Stale) Error() string { return ErrConflict.Error() }

// Unwrap makes errors.Is(err, ErrConflict) hold.
func (e *Stale) Unwrap() error { return ErrConflict }

// FieldError reports bad input in one field. Field is the JSON field name
// (e.g. "id_number"); Code is a stable machine code that the web layer
// translates with Args; Msg is the English message.
type FieldError struct {
	Field string
	Code  string
	Args  []any
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Field returns a FieldError whose English message is fmt.Sprintf(format, args...)
// and whose translation key is "err."+code with the same args.
func Field(field, code, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Code: code, Args: args, Msg: fmt.Sprintf(format, args...)}
}

// OneOf is the FieldError of a value that is none of the choices (code
// one_of, with the value and the choices as its two args), so that the
// message shows both: "“x” is not one of a, b, c".
func OneOf[T ~string](field, value string, choices []T) *FieldError {
	s := make([]string, len(choices))
	for i, c := range choices {
		s[i] = string(c)
	}
	return Field(field, "one_of", "%q is not one of %s", value, strings.Join(s, ", "))
}

// AsField returns the FieldError inside err, if any.
func AsField(err error) (*FieldError, bool) {
	var fe *FieldError
	ok := errors.As(err, &fe)
	return fe, ok
}

// InField returns a copy of err with its field renamed, for errors raised
// by a validator that does not know the field's name (e.g. "members[2].id_number").
func InField(err error, field string) error {
	fe, ok := AsField(err)
	if !ok {
		return err
	}
	c := *fe
	c.Field = field
	return &c
}

// Text returns a FieldError with code "invalid_text" unless s is UTF-8 text
// without a NUL character: what both engines store alike. PostgreSQL
// refuses the rest in a text column, which answered 500 where SQLite kept
// them; checked where input arrives, a face answers 400 instead.
func Text(field, s string) error {
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return Field(field, "invalid_text", "must be UTF-8 text without NUL characters")
	}
	return nil
}

// ErrStorage reports that the database could not write: its disk is full,
// it is read-only, or the disk failed. Nothing of the change was kept; the
// same request succeeds once the administrator has freed space or fixed
// the disk, without a restart. Kind says which.
var ErrStorage = errors.New("the database cannot write")

// Storage is ErrStorage with its kind: "storage_full", "read_only" or
// "storage_io" (the API's error codes).
type Storage struct {
	Kind string
	Err  error // the engine's error, for the log
}

func (e *Storage) Error() string {
	switch e.Kind {
	case "storage_full":
		return "the database's disk is full: " + e.Err.Error()
	case "read_only":
		return "the database is read-only: " + e.Err.Error()
	}
	return "the database's disk failed: " + e.Err.Error()
}

// Is makes errors.Is(err, ErrStorage) hold.
func (e *Storage) Is(target error) bool { return target == ErrStorage }

// Unwrap returns the engine's error.
func (e *Storage) Unwrap() error { return e.Err }

// Advice is the log line of the fault: what happened and what the
// administrator does. Writes succeed again without a restart once done.
func (e *Storage) Advice() string {
	switch e.Kind {
	case "storage_full":
		return "the database's disk is full: writes fail (503) until space is freed; no restart is needed after"
	case "read_only":
		return "the database is read-only (its file moved, renamed or replaced under the server, a read-only mount, or a PostgreSQL standby): writes fail (503) until it is writable again"
	}
	return "the database's disk reports I/O errors: writes fail (503); check the disk and the file system"
}
