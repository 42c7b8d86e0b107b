package household

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"wanhu/internal/secret"
)

// TestDecodeHousehold: a household's row as one JSON array (SQLite's
// householdSelect) reads as scanHousehold scans its columns, its sealed
// phone opened, and a null where the columns are NOT NULL is refused.
func TestDecodeHousehold(t *testing.T) {
	k := secret.TestKeyring()
	phone, err := k.Seal("13800138000")
	if err != nil {
		t.Fatal(err)
	}
	vals := []any{7, 2, "第一网格", 3, "一化小区", 0, "", "1", 5, "501", "一化小区 1单元 501室", "commercial", "小卖部", "retail",
		"rented", phone, "morning,evening", "敲门", "zh", "notes \"x\"", "马桂兰", 4, "red",
		`[{"code":"ordinary","colour":"green","name_zh":"普通家庭","name_en":"Ordinary household"}]`, "yellow", "why",
		9, "2025-12-25 02:34:56.123456789+00:00", "2026-01-02 03:04:05+00:00", "2:elderly,1:dibao"}
	b, _ := json.Marshal(vals)
	h, tags, err := decodeHousehold(k, string(b))
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2025, 12, 25, 2, 34, 56, 123456789, time.UTC)
	if h.ID != 7 || h.GridID != 2 || h.GridName != "第一网格" || h.CompoundID != 3 || h.BuildingID != 0 || h.Unit != "1" ||
		h.Floor != 5 || h.Room != "501" || h.Kind != "commercial" || h.ShopName != "小卖部" || h.Occupancy != "rented" ||
		h.Phone != "13800138000" || !slices.Equal(h.ContactTimes, []string{"morning", "evening"}) || h.Notes != `notes "x"` ||
		h.Householder != "马桂兰" || h.MemberCount != 4 || h.Colour != "red" || len(h.ColourReasons) != 1 ||
		h.ColourOverride != "yellow" || h.OverrideReason != "why" || h.Version != 9 || !h.CreatedAt.Equal(created) ||
		h.UpdatedAt.IsZero() || tags != "2:elderly,1:dibao" || h.Tags == nil {
		t.Errorf("got %+v, tags %q", h, tags)
	}
	for _, i := range []int{0, 2, 8, 15, 27} {
		bad := slices.Clone(vals)
		bad[i] = nil
		b, _ := json.Marshal(bad)
		if _, _, err := decodeHousehold(k, string(b)); err == nil || !strings.Contains(err.Error(), "null") {
			t.Errorf("value %d null: %v, want it refused", i, err)
		}
	}
	if _, _, err := decodeHousehold(k, string(b[:len(b)-1])+`,1]`); err == nil {
		t.Error("31 values: no error")
	}
}
