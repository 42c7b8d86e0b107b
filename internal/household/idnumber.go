package household

import (
	"strings"
	"unicode/utf8"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
)

// Gender of a person.
type Gender string

// The genders recorded in a resident identity number.
const (
	Male   Gender = "male"
	Female Gender = "female"
)

// IDNumber is a parsed resident identity number (GB 11643-1999).
type IDNumber struct {
	Number string        // canonical 18-character form, upper-case X
	Region string        // the 6-digit address code
	Birth  calendar.Date // birth date encoded in the number
	Gender Gender        // from the 17th digit: odd male, even female
}

// idWeights are the ISO 7064 MOD 11-2 weights of the first 17 digits.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheckChars maps the weighted sum mod 11 to the check character.
const idCheckChars = "10X98765432"

// idProvinces are the province-level codes of GB/T 2260, plus 83 which the
// residence permits of Taiwan residents use (81 and 82 serve Hong Kong and
// Macao residents both in GB/T 2260 and on their permits).
var idProvinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true, // 京 津 冀 晋 蒙
	"21": true, "22": true, "23": true, // 辽 吉 黑
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true, // 沪 苏 浙 皖 闽 赣 鲁
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true, // 豫 鄂 湘 粤 桂 琼
	"50": true, "51": true, "52": true, "53": true, "54": true, // 渝 川 贵 云 藏
	"61": true, "62": true, "63": true, "64": true, "65": true, // 陕 甘 青 宁 新
	"71": true, "81": true, "82": true, "83": true, // 台 港 澳, 台湾居民居住证
}

// idEarliestBirth is the earliest birth date accepted in a number.
var idEarliestBirth = calendar.Date{Y: 1900, M: 1, D: 1}

// ParseIDNumber validates s and returns its parts. field is the JSON field
// name used in errors (e.g. "id_number"). today is the reference day for
// "not in the future"; the zero Date means Today().
//
// Surrounding spaces are trimmed, full-width digits and X (as typed with a
// Chinese input method) are read as ASCII, and a lower-case x is upgraded.
// A 15-digit legacy number (birth year 19YY) is upgraded to 18 digits.
//
// Errors are *apperr.FieldError with one of the codes "required",
// "id_format", "id_region", "id_date", "id_future" or "id_check_digit".
func ParseIDNumber(field, s string, today calendar.Date) (IDNumber, error) {
	s = idNormalize(s)
	if s == "" {
		return IDNumber{}, apperr.Field(field, "required", "is required")
	}
	switch n := utf8.RuneCountInString(s); n {
	case 18:
		for i := 0; i < 17; i++ {
			if !idIsDigit(s[i]) {
				return IDNumber{}, apperr.Field(field, "id_format", "character %d must be a digit", i+1)
			}
		}
		if c := s[17]; !idIsDigit(c) && c != 'X' {
			return IDNumber{}, apperr.Field(field, "id_format", "character %d must be a digit or X", 18)
		}
	case 15:
		for i := 0; i < 15; i++ {
			if !idIsDigit(s[i]) {
				return IDNumber{}, apperr.Field(field, "id_format", "character %d must be a digit", i+1)
			}
		}
		first17 := s[:6] + "19" + s[6:]
		s = first17 + string(IDCheckChar(first17))
	default:
		return IDNumber{}, apperr.Field(field, "id_format", "must be 18 characters (got %d)", n)
	}

	region := s[:6]
	if !idProvinces[region[:2]] {
		return IDNumber{}, apperr.Field(field, "id_region", "region code %s does not start with a valid province code", region)
	}

	digits := s[6:14]
	birth, ok := calendar.Compact(digits)
	if !ok {
		return IDNumber{}, apperr.Field(field, "id_date", "birth date %s in the number is not a real date", digits)
	}
	if birth.Before(idEarliestBirth) {
		return IDNumber{}, apperr.Field(field, "id_date", "birth date %s in the number is before 1900", birth.String())
	}
	if today.IsZero() {
		today = calendar.Today()
	}
	if birth.After(today) {
		return IDNumber{}, apperr.Field(field, "id_future", "birth date %s in the number is in the future", birth.String())
	}

	if want := IDCheckChar(s[:17]); s[17] != want {
		return IDNumber{}, apperr.Field(field, "id_check_digit", "check digit should be %s", string(want))
	}

	gender := Male
	if (s[16]-'0')%2 == 0 {
		gender = Female
	}
	return IDNumber{Number: s, Region: region, Birth: birth, Gender: gender}, nil
}

// idNormalize trims spaces (including the ideographic space), maps full-width
// digits and x/X to ASCII and upper-cases x.
func idNormalize(s string) string {
	s = strings.TrimSpace(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == 'x' || r == 'ｘ' || r == 'Ｘ':
			return 'X'
		}
		return r
	}, s)
}

func idIsDigit(c byte) bool { return '0' <= c && c <= '9' }

// IDCheckChar returns the ISO 7064 MOD 11-2 check character ('0'-'9' or 'X')
// for the first 17 digits of an identity number. It returns 0 if first17 is
// not exactly 17 ASCII digits.
func IDCheckChar(first17 string) byte {
	if len(first17) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if !idIsDigit(c) {
			return 0
		}
		sum += int(c-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// CheckIDAgainst returns a *apperr.FieldError when an entered birth date or
// gender disagrees with the parsed number id: field "birth_date" with code
// "birth_date_mismatch", or field "gender" with code "gender_mismatch"; the
// birth date is checked first. A zero birth or an empty gender means "not
// entered" and is not checked, and neither is anything against a zero id.
func CheckIDAgainst(id IDNumber, birth calendar.Date, gender Gender) error {
	if id.Number == "" {
		return nil
	}
	if !birth.IsZero() && birth != id.Birth {
		return apperr.Field("birth_date", "birth_date_mismatch",
			"birth date %s does not match the ID number (%s)", birth.String(), id.Birth.String())
	}
	if gender != "" && gender != id.Gender {
		return apperr.Field("gender", "gender_mismatch",
			"gender %s does not match the ID number (%s)", string(gender), string(id.Gender))
	}
	return nil
}
