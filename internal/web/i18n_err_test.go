package web

import (
	"testing"

	"wanhu/internal/apperr"
)

// TestOneOfMessages: a value that is none of the choices is named with the
// choices (two args), a list of choices alone reads as the choices, and
// neither shows the choices as if they were the value.
func TestOneOfMessages(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang string
		fe   *apperr.FieldError
		want string
	}{
		{"zh-CN", apperr.OneOf("role", "boss", []string{"grid_worker", "volunteer"}), "“boss” 不是可选的值（grid_worker, volunteer）"},
		{"en", apperr.OneOf("role", "boss", []string{"grid_worker", "volunteer"}), "“boss” is not one of grid_worker, volunteer"},
		{"zh-CN", apperr.Field("urgency", "one_of", "must be one of %s", "urgent, general"), "只能是以下之一：urgent, general"},
		{"en", apperr.Field("urgency", "one_of", "must be one of %s", "urgent, general"), "must be one of: urgent, general"},
	} {
		if got := c.Locale(tc.lang).Err(tc.fe); got != tc.want {
			t.Errorf("%s %v: %q, want %q", tc.lang, tc.fe, got, tc.want)
		}
	}
}
