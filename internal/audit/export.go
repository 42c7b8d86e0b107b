package audit

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"wanhu/internal/calendar"
)

// csvHeader is the header row of an export, in Chinese for the community
// office's Excel.
var csvHeader = []string{"编号", "时间", "用户编号", "用户名", "角色", "来源地址", "操作", "对象", "结果", "详情", "前一哈希", "哈希"}

// exportBatch is how many entries ExportCSV reads at a time.
const exportBatch = 1000

// ExportCSV writes every entry f selects (its page is ignored), oldest
// first, as CSV that Excel opens: a UTF-8 byte-order mark, Chinese headers,
// times in China's time zone with their offset. It reads in batches, so the
// whole log may be exported.
func (l *Log) ExportCSV(ctx context.Context, w io.Writer, f Filter) error {
	if l == nil {
		return fmt.Errorf("audit: no log")
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	where, args := f.where()
	if where == "" {
		where = " WHERE id > ?"
	} else {
		where += " AND id > ?"
	}
	after := int64(-1 << 63)
	for {
		rows, err := l.db.QueryContext(ctx, `SELECT `+recordColumns+` FROM audit_log`+where+` ORDER BY id LIMIT ?`,
			append(append([]any{}, args...), after, exportBatch)...)
		if err != nil {
			return fmt.Errorf("audit: export: %w", err)
		}
		recs, err := scanRecords(rows)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := cw.Write(csvRow(r)); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if len(recs) < exportBatch {
			return nil
		}
		after = recs[len(recs)-1].ID
	}
}

func csvRow(r Record) []string {
	return []string{
		strconv.FormatInt(r.ID, 10),
		r.At.In(calendar.China).Format("2006-01-02T15:04:05.000000Z07:00"),
		strconv.FormatInt(r.UserID, 10),
		cell(r.Username), cell(r.Role), cell(r.IP), cell(r.Action), cell(r.Object), r.Result, cell(r.Detail),
		r.PrevHash, r.Hash,
	}
}

// cell keeps a spreadsheet from reading a value as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
