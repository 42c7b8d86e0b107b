package household

import (
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
)

// idTestToday is the fixed reference day of these tests.
var idTestToday = calendar.Date{Y: 2026, M: time.March, D: 1}

// idTestNum completes 17 digits with their check character.
func idTestNum(first17 string) string {
	return first17 + string(IDCheckChar(first17))
}

// idTestFieldError fails t unless err is a *apperr.FieldError with the given
// field and code, and (if msg is not empty) message.
func idTestFieldError(t *testing.T, err error, field, code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s error", code)
	}
	fe, ok := err.(*apperr.FieldError)
	if !ok {
		t.Fatalf("got %T %v, want *apperr.FieldError", err, err)
	}
	if fe.Field != field || fe.Code != code {
		t.Errorf("got field %q code %q (%s), want field %q code %q", fe.Field, fe.Code, fe.Msg, field, code)
	}
	if msg != "" && fe.Msg != msg {
		t.Errorf("got message %q, want %q", fe.Msg, msg)
	}
}

func TestIDNumberCheckChar(t *testing.T) {
	tests := []struct {
		first17 string
		want    byte
	}{
		{"11010519491231002", 'X'},
		{"63010219800101123", '0'},
		{"63010219800101124", '9'},
		{"63010420000229002", '7'},
		{"63010520240229005", '6'},
		{"63010219750615321", '3'},
		{"63010219850704442", '7'},
		{"6301021980010112", 0},   // too short
		{"630102198001011234", 0}, // too long
		{"6301021980010112X", 0},  // not all digits
	}
	for _, tt := range tests {
		if got := IDCheckChar(tt.first17); got != tt.want {
			t.Errorf("IDCheckChar(%q) = %q, want %q", tt.first17, got, tt.want)
		}
	}
}

func TestParseIDNumber(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		wantNumber string
		wantRegion string
		wantBirth  calendar.Date
		wantGender Gender
	}{
		{"known example with X", "11010519491231002X", "11010519491231002X", "110105", calendar.Date{Y: 1949, M: 12, D: 31}, Female},
		{"lower-case x upgraded", "11010519491231002x", "11010519491231002X", "110105", calendar.Date{Y: 1949, M: 12, D: 31}, Female},
		{"spaces trimmed", " \t11010519491231002X \u3000", "11010519491231002X", "110105", calendar.Date{Y: 1949, M: 12, D: 31}, Female},
		{"城东区 male", "630102198001011230", "630102198001011230", "630102", calendar.Date{Y: 1980, M: 1, D: 1}, Male},
		{"城东区 female", "630102198001011249", "630102198001011249", "630102", calendar.Date{Y: 1980, M: 1, D: 1}, Female},
		{"城西区 29 Feb 2000", "630104200002290027", "630104200002290027", "630104", calendar.Date{Y: 2000, M: 2, D: 29}, Female},
		{"城北区 29 Feb 2024", "630105202402290056", "630105202402290056", "630105", calendar.Date{Y: 2024, M: 2, D: 29}, Male},
		{"城中区 built with IDCheckChar", idTestNum("63010319751231217"), idTestNum("63010319751231217"), "630103", calendar.Date{Y: 1975, M: 12, D: 31}, Male},
		{"born today", idTestNum("63010220260301001"), idTestNum("63010220260301001"), "630102", idTestToday, Male},
		{"born 1900-01-01", idTestNum("63010219000101002"), idTestNum("63010219000101002"), "630102", calendar.Date{Y: 1900, M: 1, D: 1}, Female},
		{"15-digit upgrade, male", "630102800101123", "630102198001011230", "630102", calendar.Date{Y: 1980, M: 1, D: 1}, Male},
		{"15-digit upgrade, female", "630102850704442", "630102198507044427", "630102", calendar.Date{Y: 1985, M: 7, D: 4}, Female},
		{"full-width digits", "６３０１０２１９８００１０１１２３０", "630102198001011230", "630102", calendar.Date{Y: 1980, M: 1, D: 1}, Male},
		{"Hong Kong resident permit", "810000199001010019", "810000199001010019", "810000", calendar.Date{Y: 1990, M: 1, D: 1}, Male},
		{"Taiwan resident permit", "830000199001010020", "830000199001010020", "830000", calendar.Date{Y: 1990, M: 1, D: 1}, Female},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIDNumber("id_number", tt.in, idTestToday)
			if err != nil {
				t.Fatalf("ParseIDNumber(%q): %v", tt.in, err)
			}
			want := IDNumber{Number: tt.wantNumber, Region: tt.wantRegion, Birth: tt.wantBirth, Gender: tt.wantGender}
			if got != want {
				t.Errorf("ParseIDNumber(%q) = %+v, want %+v", tt.in, got, want)
			}
		})
	}
}

func TestParseIDNumberErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		code string
		msg  string
	}{
		{"empty", "", "required", "is required"},
		{"only spaces", "   ", "required", "is required"},
		{"16 digits", "6301021980010112", "id_format", "must be 18 characters (got 16)"},
		{"17 digits", "63010219800101123", "id_format", "must be 18 characters (got 17)"},
		{"19 digits", "6301021980010112300", "id_format", "must be 18 characters (got 19)"},
		{"inner space", "630102 198001011230", "id_format", "must be 18 characters (got 19)"},
		{"letter at 5", "6301A2198001011230", "id_format", "character 5 must be a digit"},
		{"X not last", "63010219800101X230", "id_format", "character 15 must be a digit"},
		{"bad last char", "63010219800101123Y", "id_format", "character 18 must be a digit or X"},
		{"Chinese char last", "63010219800101123号", "id_format", "character 18 must be a digit or X"},
		{"15 with letter", "63010280010112X", "id_format", "character 15 must be a digit"},
		{"bad check digit, X expected", "110105194912310021", "id_check_digit", "check digit should be X"},
		{"bad check digit, 0 expected", "630102198001011231", "id_check_digit", "check digit should be 0"},
		{"bad check digit, 7 expected", "63010420000229002X", "id_check_digit", "check digit should be 7"},
		{"X where a digit is expected", "63010219800101123X", "id_check_digit", "check digit should be 0"},
		{"30 Feb", idTestNum("63010319900230001"), "id_date", "birth date 19900230 in the number is not a real date"},
		{"29 Feb 1900", idTestNum("63010219000229001"), "id_date", "birth date 19000229 in the number is not a real date"},
		{"29 Feb 2023", idTestNum("63010220230229001"), "id_date", "birth date 20230229 in the number is not a real date"},
		{"month 13", idTestNum("63010219901301001"), "id_date", "birth date 19901301 in the number is not a real date"},
		{"day 0", idTestNum("63010219900100001"), "id_date", "birth date 19900100 in the number is not a real date"},
		{"before 1900", idTestNum("63010218991231001"), "id_date", "birth date 1899-12-31 in the number is before 1900"},
		{"15-digit bad date", "630102800230123", "id_date", "birth date 19800230 in the number is not a real date"},
		{"tomorrow", idTestNum("63010220260302001"), "id_future", "birth date 2026-03-02 in the number is in the future"},
		{"province 99", idTestNum("99010219800101123"), "id_region", ""},
		{"province 00", idTestNum("00010219800101123"), "id_region", ""},
		{"province 16", idTestNum("16010219800101123"), "id_region", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIDNumber("members[1].id_number", tt.in, idTestToday)
			idTestFieldError(t, err, "members[1].id_number", tt.code, tt.msg)
			if got != (IDNumber{}) {
				t.Errorf("got %+v alongside the error, want the zero IDNumber", got)
			}
		})
	}
}

func TestIDNumberZeroTodayMeansNow(t *testing.T) {
	// Born in 2099: in the future for anyone running this test.
	_, err := ParseIDNumber("id_number", idTestNum("63010220990101001"), calendar.Date{})
	idTestFieldError(t, err, "id_number", "id_future", "")
	if _, err := ParseIDNumber("id_number", "11010519491231002X", calendar.Date{}); err != nil {
		t.Errorf("valid number with zero today: %v", err)
	}
}

func TestIDNumberCheckAgainst(t *testing.T) {
	id, err := ParseIDNumber("id_number", "630102195003011230", idTestToday) // male, 1950-03-01
	if err != nil {
		// The check char here is pinned independently of IDCheckChar.
		t.Fatalf("ParseIDNumber: %v", err)
	}
	tests := []struct {
		name   string
		id     IDNumber
		birth  calendar.Date
		gender Gender
		field  string // "" means no error
		code   string
		msg    string
	}{
		{"both match", id, calendar.Date{Y: 1950, M: 3, D: 1}, Male, "", "", ""},
		{"nothing entered", id, calendar.Date{}, "", "", "", ""},
		{"only birth, matching", id, calendar.Date{Y: 1950, M: 3, D: 1}, "", "", "", ""},
		{"only gender, matching", id, calendar.Date{}, Male, "", "", ""},
		{"zero id", IDNumber{}, calendar.Date{Y: 1950, M: 3, D: 2}, Female, "", "", ""},
		{"birth differs", id, calendar.Date{Y: 1950, M: 3, D: 2}, Male, "birth_date", "birth_date_mismatch",
			"birth date 1950-03-02 does not match the ID number (1950-03-01)"},
		{"gender differs", id, calendar.Date{Y: 1950, M: 3, D: 1}, Female, "gender", "gender_mismatch",
			"gender female does not match the ID number (male)"},
		{"gender differs, no birth", id, calendar.Date{}, Female, "gender", "gender_mismatch", ""},
		{"both differ: birth reported", id, calendar.Date{Y: 1951, M: 3, D: 1}, Female, "birth_date", "birth_date_mismatch",
			"birth date 1951-03-01 does not match the ID number (1950-03-01)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckIDAgainst(tt.id, tt.birth, tt.gender)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			idTestFieldError(t, err, tt.field, tt.code, tt.msg)
		})
	}
}

func TestEthnicities(t *testing.T) {
	if len(Ethnicities) != 56 {
		t.Fatalf("len(Ethnicities) = %d, want 56", len(Ethnicities))
	}
	zh := map[string]bool{}
	en := map[string]bool{}
	for i, e := range Ethnicities {
		if want := string(rune('0'+(i+1)/10)) + string(rune('0'+(i+1)%10)); e.Code != want {
			t.Errorf("Ethnicities[%d].Code = %q, want %q", i, e.Code, want)
		}
		if e.ZH == "" || e.EN == "" || zh[e.ZH] || en[e.EN] {
			t.Errorf("Ethnicities[%d] = %+v: empty or duplicate name", i, e)
		}
		zh[e.ZH], en[e.EN] = true, true
	}
	spot := []Ethnicity{
		{Code: "01", ZH: "汉族", EN: "Han"},
		{Code: "02", ZH: "蒙古族", EN: "Mongol"},
		{Code: "03", ZH: "回族", EN: "Hui"},
		{Code: "04", ZH: "藏族", EN: "Zang"},
		{Code: "15", ZH: "土家族", EN: "Tujia"},
		{Code: "30", ZH: "土族", EN: "Tu"},
		{Code: "35", ZH: "撒拉族", EN: "Salar"},
		{Code: "56", ZH: "基诺族", EN: "Jino"},
	}
	for _, want := range spot {
		if got := Ethnicities[int(want.Code[0]-'0')*10+int(want.Code[1]-'0')-1]; got != want {
			t.Errorf("Ethnicities entry %s = %+v, want %+v", want.Code, got, want)
		}
	}
}

func TestEthnicityByZH(t *testing.T) {
	tests := []struct {
		in   string
		code string // "" means not found
	}{
		{"汉族", "01"},
		{"汉", "01"},
		{" 回族 ", "03"},
		{"土族", "30"},
		{"土", "30"},
		{"土家族", "15"},
		{"土家", "15"},
		{"撒拉族", "35"},
		{"基诺族", "56"},
		{"", ""},
		{"族", ""},
		{"其他", ""},
		{"外国血统", ""},
		{"Han", ""},
	}
	for _, tt := range tests {
		e, ok := EthnicityByZH(tt.in)
		if ok != (tt.code != "") || e.Code != tt.code {
			t.Errorf("EthnicityByZH(%q) = %+v, %v; want code %q", tt.in, e, ok, tt.code)
		}
	}
}
