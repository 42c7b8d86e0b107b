package household

import (
	"encoding/json"
	"testing"
	"time"

	"wanhu/internal/apperr"
)

// idTestToday is the fixed reference day of these tests.
var idTestToday = Date{Y: 2026, M: time.March, D: 1}

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
		wantBirth  Date
		wantGender Gender
	}{
		{"known example with X", "11010519491231002X", "11010519491231002X", "110105", Date{1949, 12, 31}, Female},
		{"lower-case x upgraded", "11010519491231002x", "11010519491231002X", "110105", Date{1949, 12, 31}, Female},
		{"spaces trimmed", " \t11010519491231002X \u3000", "11010519491231002X", "110105", Date{1949, 12, 31}, Female},
		{"城东区 male", "630102198001011230", "630102198001011230", "630102", Date{1980, 1, 1}, Male},
		{"城东区 female", "630102198001011249", "630102198001011249", "630102", Date{1980, 1, 1}, Female},
		{"城西区 29 Feb 2000", "630104200002290027", "630104200002290027", "630104", Date{2000, 2, 29}, Female},
		{"城北区 29 Feb 2024", "630105202402290056", "630105202402290056", "630105", Date{2024, 2, 29}, Male},
		{"城中区 built with IDCheckChar", idTestNum("63010319751231217"), idTestNum("63010319751231217"), "630103", Date{1975, 12, 31}, Male},
		{"born today", idTestNum("63010220260301001"), idTestNum("63010220260301001"), "630102", idTestToday, Male},
		{"born 1900-01-01", idTestNum("63010219000101002"), idTestNum("63010219000101002"), "630102", Date{1900, 1, 1}, Female},
		{"15-digit upgrade, male", "630102800101123", "630102198001011230", "630102", Date{1980, 1, 1}, Male},
		{"15-digit upgrade, female", "630102850704442", "630102198507044427", "630102", Date{1985, 7, 4}, Female},
		{"full-width digits", "６３０１０２１９８００１０１１２３０", "630102198001011230", "630102", Date{1980, 1, 1}, Male},
		{"Hong Kong resident permit", "810000199001010019", "810000199001010019", "810000", Date{1990, 1, 1}, Male},
		{"Taiwan resident permit", "830000199001010020", "830000199001010020", "830000", Date{1990, 1, 1}, Female},
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
	_, err := ParseIDNumber("id_number", idTestNum("63010220990101001"), Date{})
	idTestFieldError(t, err, "id_number", "id_future", "")
	if _, err := ParseIDNumber("id_number", "11010519491231002X", Date{}); err != nil {
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
		birth  Date
		gender Gender
		field  string // "" means no error
		code   string
		msg    string
	}{
		{"both match", id, Date{1950, 3, 1}, Male, "", "", ""},
		{"nothing entered", id, Date{}, "", "", "", ""},
		{"only birth, matching", id, Date{1950, 3, 1}, "", "", "", ""},
		{"only gender, matching", id, Date{}, Male, "", "", ""},
		{"zero id", IDNumber{}, Date{1950, 3, 2}, Female, "", "", ""},
		{"birth differs", id, Date{1950, 3, 2}, Male, "birth_date", "birth_date_mismatch",
			"birth date 1950-03-02 does not match the ID number (1950-03-01)"},
		{"gender differs", id, Date{1950, 3, 1}, Female, "gender", "gender_mismatch",
			"gender female does not match the ID number (male)"},
		{"gender differs, no birth", id, Date{}, Female, "gender", "gender_mismatch", ""},
		{"both differ: birth reported", id, Date{1951, 3, 1}, Female, "birth_date", "birth_date_mismatch",
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

func TestIDNumberAgeOn(t *testing.T) {
	tests := []struct {
		birth, on Date
		want      int
	}{
		{Date{1980, 6, 15}, Date{2026, 6, 14}, 45},
		{Date{1980, 6, 15}, Date{2026, 6, 15}, 46},
		{Date{1980, 6, 15}, Date{2026, 6, 16}, 46},
		{Date{1980, 6, 15}, Date{2026, 5, 31}, 45},
		{Date{1980, 6, 15}, Date{2026, 7, 1}, 46},
		{Date{1980, 12, 31}, Date{2026, 1, 1}, 45},
		{Date{2026, 3, 1}, Date{2026, 3, 1}, 0},
		{Date{2008, 2, 29}, Date{2026, 2, 28}, 17},
		{Date{2008, 2, 29}, Date{2026, 3, 1}, 18},
		{Date{2008, 2, 29}, Date{2028, 2, 28}, 19},
		{Date{2008, 2, 29}, Date{2028, 2, 29}, 20},
		{Date{2008, 3, 1}, Date{2028, 2, 29}, 19},
		{Date{2026, 3, 2}, Date{2026, 3, 1}, -1},
	}
	for _, tt := range tests {
		if got := AgeOn(tt.birth, tt.on); got != tt.want {
			t.Errorf("AgeOn(%s, %s) = %d, want %d", tt.birth, tt.on, got, tt.want)
		}
	}
}

func TestIDNumberParseDate(t *testing.T) {
	valid := []struct {
		in   string
		want Date
	}{
		{"2024-02-29", Date{2024, 2, 29}},
		{"2000-02-29", Date{2000, 2, 29}},
		{"1900-01-01", Date{1900, 1, 1}},
		{"2026-12-31", Date{2026, 12, 31}},
	}
	for _, tt := range valid {
		got, err := ParseDate("birth_date", tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if s := got.String(); s != tt.in {
			t.Errorf("ParseDate(%q).String() = %q", tt.in, s)
		}
	}
	invalid := []struct {
		in, code string
	}{
		{"", "date_format"},
		{"2024-2-29", "date_format"},
		{"2024/02/29", "date_format"},
		{"20240229", "date_format"},
		{"2024-02-29T00:00:00Z", "date_format"},
		{" 2024-02-29", "date_format"},
		{"+024-02-29", "date_format"},
		{"2024-0a-29", "date_format"},
		{"2023-02-29", "date_invalid"},
		{"1900-02-29", "date_invalid"},
		{"2024-02-30", "date_invalid"},
		{"2024-13-01", "date_invalid"},
		{"2024-00-10", "date_invalid"},
		{"2024-04-31", "date_invalid"},
		{"2024-01-00", "date_invalid"},
		{"0000-01-01", "date_invalid"},
	}
	for _, tt := range invalid {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate("birth_date", tt.in)
			idTestFieldError(t, err, "birth_date", tt.code, "")
			if !got.IsZero() {
				t.Errorf("got %v alongside the error", got)
			}
		})
	}
}

func TestIDNumberDateMethods(t *testing.T) {
	d := Date{2024, 2, 29}
	if got := (Date{}).String(); got != "" {
		t.Errorf("zero Date String() = %q, want empty", got)
	}
	if !(Date{}).IsZero() || d.IsZero() {
		t.Error("IsZero is wrong")
	}
	if got := d.AddYears(1); got != (Date{2025, 3, 1}) {
		t.Errorf("%v.AddYears(1) = %v, want 2025-03-01", d, got)
	}
	if got := d.AddYears(4); got != (Date{2028, 2, 29}) {
		t.Errorf("%v.AddYears(4) = %v, want 2028-02-29", d, got)
	}
	if got := d.AddYears(-1); got != (Date{2023, 3, 1}) {
		t.Errorf("%v.AddYears(-1) = %v, want 2023-03-01", d, got)
	}
	order := []Date{{1999, 12, 31}, {2024, 1, 31}, {2024, 2, 1}, {2024, 2, 29}, {2024, 3, 1}}
	for i, a := range order {
		for j, b := range order {
			if a.Before(b) != (i < j) || a.After(b) != (i > j) {
				t.Errorf("%v vs %v: Before=%v After=%v", a, b, a.Before(b), a.After(b))
			}
		}
	}
	if got, want := d.Time(), time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("Time() = %v, want %v", got, want)
	}
	// Late evening in Shanghai is still the previous day in UTC.
	sh := time.FixedZone("CST", 8*3600)
	if got := DateOf(time.Date(2026, 3, 1, 7, 0, 0, 0, sh)); got != (Date{2026, 3, 1}) {
		t.Errorf("DateOf = %v, want 2026-03-01", got)
	}
	if got := DateOf(time.Date(2026, 3, 1, 7, 0, 0, 0, sh).UTC()); got != (Date{2026, 2, 28}) {
		t.Errorf("DateOf(UTC) = %v, want 2026-02-28", got)
	}
	before := DateOf(time.Now().In(sh))
	got := Today()
	after := DateOf(time.Now().In(sh))
	if got != before && got != after { // the two differ only across midnight
		t.Errorf("Today() = %v, want %v", got, after)
	}
}

func TestIDNumberDateJSON(t *testing.T) {
	type rec struct {
		Birth Date `json:"birth_date"`
	}
	for _, d := range []Date{{2024, 2, 29}, {1949, 10, 1}, {}} {
		b, err := json.Marshal(rec{d})
		if err != nil {
			t.Fatal(err)
		}
		var back rec
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		if back.Birth != d {
			t.Errorf("round trip of %v through %s gave %v", d, b, back.Birth)
		}
	}
	if b, _ := json.Marshal(rec{Date{2024, 2, 9}}); string(b) != `{"birth_date":"2024-02-09"}` {
		t.Errorf("Marshal = %s", b)
	}
	if b, _ := json.Marshal(rec{}); string(b) != `{"birth_date":null}` {
		t.Errorf("Marshal(zero) = %s", b)
	}
	for _, in := range []string{`{"birth_date":null}`, `{"birth_date":""}`, `{}`} {
		back := rec{Date{2000, 1, 1}}
		if in == `{}` {
			back = rec{}
		}
		if err := json.Unmarshal([]byte(in), &back); err != nil || !back.Birth.IsZero() {
			t.Errorf("Unmarshal(%s) = %v, %v; want zero Date", in, back.Birth, err)
		}
	}
	for _, in := range []string{`{"birth_date":"2023-02-29"}`, `{"birth_date":"29/02/2024"}`, `{"birth_date":20240229}`} {
		var back rec
		err := json.Unmarshal([]byte(in), &back)
		if _, ok := apperr.AsField(err); !ok {
			t.Errorf("Unmarshal(%s) error = %v, want a FieldError", in, err)
		}
	}
}

func TestIDNumberDateSQL(t *testing.T) {
	if v, err := (Date{}).Value(); v != nil || err != nil {
		t.Errorf("zero Date Value() = %v, %v; want nil", v, err)
	}
	if v, err := (Date{2024, 2, 29}).Value(); v != "2024-02-29" || err != nil {
		t.Errorf("Value() = %v, %v", v, err)
	}
	shanghai := time.FixedZone("CST", 8*3600)
	tests := []struct {
		src  any
		want Date
	}{
		{nil, Date{}},
		{"", Date{}},
		{"2024-02-29", Date{2024, 2, 29}},
		{[]byte("1949-10-01"), Date{1949, 10, 1}},
		{time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), Date{2024, 2, 29}},
		{time.Date(2024, 3, 1, 1, 0, 0, 0, shanghai), Date{2024, 3, 1}},
	}
	for _, tt := range tests {
		d := Date{1, 1, 1}
		if err := d.Scan(tt.src); err != nil || d != tt.want {
			t.Errorf("Scan(%#v) = %v, %v; want %v", tt.src, d, err, tt.want)
		}
	}
	for _, src := range []any{"2023-02-29", []byte("x"), int64(20240229), 3.5} {
		var d Date
		err := d.Scan(src)
		if err == nil {
			t.Errorf("Scan(%#v) succeeded, want an error", src)
		}
		if _, ok := apperr.AsField(err); ok {
			t.Errorf("Scan(%#v) returned a FieldError; stored data is not user input", src)
		}
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
