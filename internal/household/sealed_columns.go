package household

// SealedColumn is a column that holds sealed values (internal/secret), in
// the rows Where picks ("" for all of them).
type SealedColumn struct {
	Table, Column, Where string
}

// SealedColumns lists every column that holds sealed values, whichever
// package writes it: what a key file must open. Backup records which keys
// they use, and restore checks the key file against that.
func SealedColumns() []SealedColumn {
	var out []SealedColumn
	for _, t := range sealedColumns {
		for _, c := range t.cols {
			out = append(out, SealedColumn{Table: t.table, Column: c, Where: t.where})
		}
	}
	return out
}
