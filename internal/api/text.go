package api

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"wanhu/internal/apperr"
)

// checkText returns the apperr.Text error of the first string of v, a
// decoded body, that holds a NUL character. JSON carries one as \u0000,
// SQLite keeps it, and PostgreSQL refuses it in a text column, which
// answered 500; now both engines answer 400 and store nothing. path is
// the field name of v ("" for the body itself), in the API's form:
// "members[0].name".
func checkText(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return checkText(v.Elem(), path)
	case reflect.String:
		return apperr.Text(path, v.String())
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := checkText(v.Index(i), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			name := fieldPath(path, fmt.Sprint(it.Key()))
			if err := checkText(it.Key(), name); err != nil {
				return err
			}
			if err := checkText(it.Value(), name); err != nil {
				return err
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() && !sf.Anonymous { // json reads the fields of an embedded unexported type
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			switch {
			case name == "-":
				continue
			case name == "" && sf.Anonymous:
				name = path // an embedded struct's fields are the body's own
			case name == "":
				name = fieldPath(path, sf.Name)
			default:
				name = fieldPath(path, name)
			}
			if err := checkText(v.Field(i), name); err != nil {
				return err
			}
		}
	}
	return nil
}

// fieldPath names field inside path.
func fieldPath(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}
