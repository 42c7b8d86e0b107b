package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"wanhu/internal/gen"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// TestScreenshots refreshes the README's screenshots from the demo
// community when WANHU_SCREENSHOTS names a folder:
//
//	WANHU_E2E=1 WANHU_SCREENSHOTS=$PWD/docs/screenshots go test ./internal/e2e/ -run Screenshots
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("WANHU_SCREENSHOTS")
	if dir == "" {
		t.Skip("screenshots not asked for: set WANHU_SCREENSHOTS to a folder")
	}
	s := newSite(t, func(ctx context.Context, db *store.DB) int64 {
		if _, err := gen.Generate(ctx, db, gen.Options{}); err != nil {
			t.Fatal(err)
		}
		cities, err := org.Units(ctx, db, org.City)
		if err != nil || len(cities) == 0 {
			t.Fatalf("no city: %v", err)
		}
		return cities[0].ID
	})
	s.login(t)
	red, _, err := household.NewStore(s.db).List(context.Background(), household.Filter{Colour: household.Red, Tag: "living_alone_elderly", Q: "一化小区", PerPage: 1})
	if err != nil || len(red) == 0 {
		t.Fatalf("no red household in 一化小区: %v", err)
	}
	file := fmt.Sprintf("/households/%d", red[0].ID)
	for name, path := range map[string]string{
		"households.png":     "/households?colour=red",
		"household-file.png": file,
		"print.png":          file + "/print",
		"key-persons.png":    "/rosters/key-persons",
	} {
		s.do(t, "open "+path, chromedp.Navigate(s.url+path), chromedp.WaitVisible(chromedp.CSS("body")))
		img, err := chromedp.Run(s.browser, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), img, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
