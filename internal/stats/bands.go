// Package stats counts what the household files hold: people by age band
// and their breakdowns, households by kind, occupancy and colour. Every
// count is scoped like the files it counts (org.Scope) and done by
// one SQL aggregate; dates and age-band cut-offs are computed here in Go
// and passed as parameters, so both engines count the same.
package stats

import (
	"strconv"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
)

// MaxAge is the highest age a band may name.
const MaxAge = 150

// maxBands is how many bands one count may ask for.
const maxBands = 30

// Band is an age range in completed years, both ends included: "4-12" is
// From 4 To 12. Open bands ("60-", 60 and over) have To -1.
type Band struct {
	From, To int
}

// String returns the band as it is written: "0-3", or "60-" when open.
func (b Band) String() string {
	if b.To < 0 {
		return strconv.Itoa(b.From) + "-"
	}
	return strconv.Itoa(b.From) + "-" + strconv.Itoa(b.To)
}

// Presets are the named sets of bands: the article's (0–3 and 4–12, the
// four-thirty class's 6–12, 60+ and 65+ for free check-ups) and the
// census's.
var Presets = map[string][]Band{
	"article": {{0, 3}, {4, 12}, {6, 12}, {60, -1}, {65, -1}},
	"census":  {{0, 14}, {15, 59}, {60, -1}, {65, -1}, {80, -1}},
}

// PresetNames lists the presets in documentation order.
var PresetNames = []string{"article", "census"}

// Custom is the preset that stands for the user's own bands.
const Custom = "custom"

// BandsOf returns the bands a population count asks for, and the preset
// that names them: a named preset; the user's own bands spec (preset ""
// or Custom); or, given neither, the article's. A named preset together
// with bands is refused, as it is ambiguous. Errors are
// *apperr.FieldError on "preset" or "bands".
func BandsOf(preset, spec string) ([]Band, string, error) {
	spec = strings.TrimSpace(spec)
	switch {
	case preset == "" && spec == "":
		return Presets["article"], "article", nil
	case preset == "" || preset == Custom:
		bands, err := ParseBands("bands", spec)
		return bands, Custom, err
	case Presets[preset] == nil:
		return nil, "", apperr.Field("preset", "one_of", "must be one of %s", strings.Join(PresetNames, ", ")+", "+Custom)
	case spec != "":
		return nil, "", apperr.Field("preset", "conflict", "give bands or a preset, not both")
	}
	return Presets[preset], preset, nil
}

// Spec writes bands as ParseBands reads them: "0-3,4-12,60-".
func Spec(bands []Band) string {
	s := make([]string, len(bands))
	for i, b := range bands {
		s[i] = b.String()
	}
	return strings.Join(s, ",")
}

// ParseBands parses a comma-separated list of bands such as "0-3,4-12,60-".
// Bands may overlap but not repeat. Errors are *apperr.FieldError on field
// and name the band at fault.
func ParseBands(field, s string) ([]Band, error) {
	if strings.TrimSpace(s) == "" {
		return nil, apperr.Field(field, "required", "give at least one age band, e.g. 0-3,4-12,60-")
	}
	parts := strings.Split(s, ",")
	if len(parts) > maxBands {
		return nil, apperr.Field(field, "too_many", "at most %d bands", maxBands)
	}
	seen := map[Band]bool{}
	out := make([]Band, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		from, to, ok := strings.Cut(p, "-")
		lo, okLo := age(from)
		hi, okHi := age(to)
		if to == "" {
			hi, okHi = -1, true
		}
		if !ok || !okLo || !okHi {
			return nil, apperr.Field(field, "band_format", "band %q: write FROM-TO in whole years (0-3) or FROM- for FROM and over (60-)", p)
		}
		b := Band{lo, hi}
		if hi >= 0 && hi < lo {
			return nil, apperr.Field(field, "band_order", "band %q: %d is below %d", p, hi, lo)
		}
		if seen[b] {
			return nil, apperr.Field(field, "band_repeated", "band %q is given twice", p)
		}
		seen[b] = true
		out = append(out, b)
	}
	return out, nil
}

// age parses an age in whole years from 0 to MaxAge.
func age(s string) (int, bool) {
	if s == "" || len(s) > 3 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, n <= MaxAge
}

// bornBy returns the last birth date of the people who are at least n
// years old on day on, as calendar.AgeOn counts: people born on or before
// it have turned n. On 29 February, n years back in a common year, that
// is 28 February: someone born on 1 March then is still n-1 that day.
// Before year 1 it is a day before every stored birth date.
func bornBy(on calendar.Date, n int) calendar.Date {
	y := max(on.Y-n, 0)
	if on.M == time.February && on.D == 29 && !leap(y) {
		return calendar.Date{Y: y, M: time.February, D: 28}
	}
	return calendar.Date{Y: y, M: on.M, D: on.D}
}

// leap reports whether y is a leap year of the Gregorian calendar.
func leap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }
