package main

import (
	"context"
	"strings"

	"wanhu/internal/org"
	"wanhu/internal/store"
)

// query is one search: what is typed (q) and what the table calls it.
type query struct{ label, q string }

// queries are the searches timed: names, addresses with and without
// spaces, and numbers (a phone's last four digits, a whole phone and ID
// number), the numbers and the address taken from a household of the
// last account's scope (a grid leader's), so each finds something there.
// Searches by a whole number count against the account's hourly limit
// (household.NumberSearches): keep runs+1 under 30 for two of them.
func queries(ctx context.Context, db *store.DB, scope org.Scope) ([]query, error) {
	qs := []query{
		{"name 王伟", "王伟"},
		{"surname 王", "王"},
		{"initials wxl", "wxl"},
		{"pinyin wangwei", "wangwei"},
		{"address 一化小区 3号楼", "一化小区 3号楼"},
		{"address 一化小区3号楼", "一化小区3号楼"},
		{"building 3号楼", "3号楼"},
		{"building 3栋", "3栋"},
		{"compound 一化小区", "一化小区"},
	}
	// A household with a unit and a mobile phone, and a member with an
	// ID number, in the scope's first grid.
	grid := int64(1)
	if len(scope.GridIDs) > 0 {
		grid = scope.GridIDs[0]
	}
	var bname, unit, room, phone string
	err := db.QueryRowContext(ctx, db.Rebind(`SELECT b.name, h.unit, h.room, h.phone FROM households h JOIN buildings b ON b.id = h.building_id
		WHERE h.grid_id = ? AND h.unit <> '' AND h.phone_tail_hash IS NOT NULL ORDER BY h.id LIMIT 1`), grid).Scan(&bname, &unit, &room, &phone)
	if err != nil {
		return nil, err
	}
	if phone, err = db.Keys().Open(phone); err != nil {
		return nil, err
	}
	var idNumber string
	if err := db.QueryRowContext(ctx, db.Rebind(`SELECT p.id_number FROM persons p JOIN households h ON h.id = p.household_id
		WHERE h.grid_id = ? AND p.id_number <> '' ORDER BY p.id LIMIT 1`), grid).Scan(&idNumber); err != nil {
		return nil, err
	}
	if idNumber, err = db.Keys().Open(idNumber); err != nil {
		return nil, err
	}
	dashed := strings.TrimSuffix(bname, "号楼") + "-" + unit + "-" + room
	return append(qs,
		query{"building-unit-room " + dashed, dashed},
		query{"phone, last four", phone[len(phone)-4:]},
		query{"phone, whole", phone},
		query{"ID number", idNumber},
	), nil
}
