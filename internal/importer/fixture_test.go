package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"wanhu/internal/household"
)

// The tests make their own files, as communities keep them: the code that
// makes them is the fixture (no binary file is committed).

// idNumber returns a valid 18-character ID number of region 630105 for a
// birth date "YYYYMMDD" and a three-digit sequence (odd: male).
func idNumber(birth, seq string) string {
	first := "630105" + birth + seq
	return first + string(household.IDCheckChar(first))
}

// fullWidth writes the digits of s full-width, as a Chinese input method
// types them.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r - '0' + '０'
		}
		return r
	}, s)
}

// The people of the messy workbook and of the GBK CSV.
var (
	wangID15 = "630105550101123" // a 15-digit number, kept by Excel as a number
	liID     = idNumber("19560304", "222")
	zhangID  = idNumber("19400506", "242")
	zhaoID   = idNumber("19800708", "111")
	liuID    = idNumber("19900102", "131")
	chenID   = idNumber("19910203", "242")
	sunID    = idNumber("19700909", "353")
)

// set writes values across a row from cell, failing the test on error.
func set(t *testing.T, f *excelize.File, sheet, cell string, values ...any) {
	t.Helper()
	if err := f.SetSheetRow(sheet, cell, &values); err != nil {
		t.Fatal(err)
	}
}

func merge(t *testing.T, f *excelize.File, sheet, from, to string) {
	t.Helper()
	if err := f.MergeCell(sheet, from, to); err != nil {
		t.Fatal(err)
	}
}

// messyWorkbook writes a workbook as a community keeps it, with a sheet
// per building of the testworld.Org compound (一化小区):
//
//   - "1号楼": a title row merged across, a blank row, a two-row header
//     with merged cells (户号, 姓名 … down two rows; 地址 over 小区, 楼栋,
//     单元, 房号), the household number merged down its members' rows,
//     an ID number Excel keeps as a number (15 digits, upgraded), one
//     typed in full-width digits, an Excel date serial, dates as
//     1956.3.4, 1940年5月6日 and 19800708, a room typed 2〇2, a blank
//     row between households, a shop;
//   - "2号楼": a one-row header without 楼栋 (the sheet names the
//     building) and without 户号 (rows grouped by address), a name with
//     a non-breaking space, a child on a row of its own under its parents.
//
// It returns the households the file holds (by room).
func messyWorkbook(t *testing.T, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	s1 := "1号楼"
	if err := f.SetSheetName("Sheet1", s1); err != nil {
		t.Fatal(err)
	}
	set(t, f, s1, "A1", "东兴社区一化小区住户登记表（2024年）")
	merge(t, f, s1, "A1", "P1")
	set(t, f, s1, "A3", "户号", "姓名", "与户主关系", "地址", nil, nil, nil, "身份证号", "出生日期", "性别", "民族", "联系电话", "低保", "独居", "商铺名称", "网格")
	set(t, f, s1, "D4", "小区", "楼栋", "单元", "房号")
	for _, c := range []string{"A", "B", "C", "H", "I", "J", "K", "L", "M", "N", "O", "P"} {
		merge(t, f, s1, c+"3", c+"4")
	}
	merge(t, f, s1, "D3", "G3")
	// Household 1: the number merged down both rows, the address only on
	// the first.
	set(t, f, s1, "A5", 1, "王建国", "户主", "一化小区", "1号楼", 1, 101, 630105550101123.0, 20090, "男", "汉", "139 1234 5678", "否", nil, nil, "第一网格")
	set(t, f, s1, "B6", "李秀英", "妻", nil, nil, nil, nil, fullWidth(liID), "1956.3.4", "女", "汉族", nil, "否", nil, nil, nil)
	merge(t, f, s1, "A5", "A6")
	// Household 2, an elderly woman living alone, on dibao; building and
	// unit written their own way.
	set(t, f, s1, "A7", 2, "张桂兰", "本人", "一化小区", "1", "1单元", "2〇2", zhangID, "1940年5月6日", "女", "回", "0971-8123456", "是", "√", nil, "1")
	// Household 3, a shop, after a blank row.
	set(t, f, s1, "A9", 3, "赵志强", "户主", "一化小区", "1号楼", nil, "S01", zhaoID, "19800708", "男", "汉族", "13900001111", nil, nil, "兴隆超市", "第一网格")

	s2 := "2号楼"
	if _, err := f.NewSheet(s2); err != nil {
		t.Fatal(err)
	}
	set(t, f, s2, "A1", "姓名", "与户主关系", "小区", "单元", "房号", "公民身份号码", "出生日期", "性别", "网格")
	set(t, f, s2, "A2", "刘\u00a0洋", "户主", "一化小区", 2, 301, liuID, "1990/1/2", "男", 2)
	set(t, f, s2, "A3", "陈静", "配偶", "一化小区", 2, 301, chenID, "1991-02-03", "女", 2)
	set(t, f, s2, "A4", "刘小宝", "子", nil, nil, nil, nil, "2020-05-06", "男", nil)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// badRows are the rows of badWorkbook with the problem each holds (code
// and column), row 13 being valid.
var badRows = []struct {
	row    int
	code   string
	column string
}{
	{2, "id_digits_lost", "身份证号"},
	{3, "id_digits_lost", "身份证号"},
	{4, "id_check_digit", "身份证号"},
	{5, "birth_date_mismatch", "出生日期"},
	{6, "building_unknown", "楼栋"},
	{7, "no_householder", "与户主关系"},
	{8, "date_invalid", "出生日期"},
	{9, "ethnicity", "民族"},
	{12, "id_duplicate_in_file", "身份证号"},
}

// lostID is an 18-digit number cut by Excel: 15 digits kept, the last
// three 000, its check digit wrong.
const lostID = 630105199001011000.0

// badWorkbook writes a workbook whose rows hold the problems of badRows,
// one household each, and one valid household (row 13).
func badWorkbook(t *testing.T, path string) {
	t.Helper()
	if household.IDCheckChar("63010519900101100") == '0' {
		t.Fatal("lostID's check digit holds: pick another")
	}
	f := excelize.NewFile()
	defer f.Close()
	s := "Sheet1"
	set(t, f, s, "A1", "户号", "姓名", "与户主关系", "小区", "楼栋", "房号", "身份证号", "出生日期", "性别", "民族")
	good := idNumber("19800101", "111")
	badCheck := good[:17] + map[bool]string{true: "1", false: "2"}[good[17] != '1']
	dup := idNumber("19750505", "151")
	rows := [][]any{
		{1, "甲", "户主", "一化小区", "1号楼", "101", "1.30105E+17", nil, "男", "汉"},
		{2, "乙", "户主", "一化小区", "1号楼", "102", lostID, nil, "男", "汉"},
		{3, "丙", "户主", "一化小区", "1号楼", "103", badCheck, nil, "男", "汉"},
		{4, "丁", "户主", "一化小区", "1号楼", "104", good, "1981-01-01", "男", "汉"},
		{5, "戊", "户主", "一化小区", "9号楼", "105", idNumber("19600101", "111"), nil, "男", "汉"},
		{6, "己", "子", "一化小区", "1号楼", "106", idNumber("19610101", "111"), nil, "男", "汉"},
		{7, "庚", "户主", "一化小区", "1号楼", "107", nil, "1990/13/45", "男", "汉"},
		{8, "辛", "户主", "一化小区", "1号楼", "108", idNumber("19620101", "111"), nil, "男", "火星族"},
		{9, "壬", "户主", "一化小区", "1号楼", "109", dup, nil, "男", "汉"},
		{10, "癸", "户主", "一化小区", "2号楼", "110", idNumber("19630101", "111"), nil, "男", "汉"},
		{11, "子", "户主", "一化小区", "2号楼", "111", dup, nil, "男", "汉"},
		{12, "丑", "户主", "一化小区", "2号楼", "112", idNumber("19640101", "111"), nil, "男", "汉"},
	}
	for i, r := range rows {
		set(t, f, s, cellName(0, i+2), r...)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// gbkCSV writes a CSV file in GBK, as Chinese Excel saves one, without a
// byte-order mark: two households in 2号楼 of the fixture.
func gbkCSV(t *testing.T, path string) {
	t.Helper()
	text := "姓名,与户主关系,小区,楼栋,单元,房号,身份证号,民族,联系电话\r\n" +
		"孙丽华,户主,一化小区,2号楼,3,501," + sunID + ",藏族,13711112222\r\n" +
		"周建军,户主,一化小区,2号楼,3,502,,汉,\r\n"
	// 周建军 has no ID number: his birth date is missing, an error.
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func tempFile(t *testing.T, name string) string { return filepath.Join(t.TempDir(), name) }
