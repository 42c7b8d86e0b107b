package importer

import (
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/auth"
)

// WritePasswords writes the accounts made with their one-time passwords
// as a workbook to print and cut into slips, one row for each person to
// hand theirs to (the accounts that existed are left out). Whoever writes
// it keeps the file as they would the passwords (mode 0600) and deletes
// it once the slips are handed over.
func WritePasswords(w io.Writer, accounts []Account) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "一次性密码"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	head := []any{"姓名", "账号", "一次性密码", "身份", "网格", "说明"}
	if err := f.SetSheetRow(sheet, "A1", &head); err != nil {
		return err
	}
	n := 2
	for _, a := range accounts {
		if a.Password == "" {
			continue
		}
		role := "网格员（走访）"
		if a.Role == auth.GridLeader {
			role = "网格长"
		}
		row := []any{a.DisplayName, a.Username, a.Password, role, strings.Join(a.Grids, "、"), "首次登录后须修改密码"}
		if err := f.SetSheetRow(sheet, cellName(0, n), &row); err != nil {
			return err
		}
		n++
	}
	for col, width := range map[string]float64{"A": 12, "B": 14, "C": 18, "D": 14, "E": 20, "F": 22} {
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return err
		}
	}
	_, err := f.WriteTo(w)
	return err
}
