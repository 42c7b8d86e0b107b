package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"wanhu/internal/testworld"
)

// TestStructureImportInTheBrowser: the administrator uploads the structure
// workbook on 机构与网格 with accounts, sees the check and confirms; the
// page shows each account's one-time password once. The grid worker signs
// in with theirs, can do nothing but change it, and then works as usual.
func TestStructureImportInTheBrowser(t *testing.T) {
	s := newSite(t, twoFamilies(t))
	file := filepath.Join(t.TempDir(), "东兴社区结构.xlsx")
	if err := testworld.StructureWorkbook(file); err != nil {
		t.Fatal(err)
	}
	s.login(t)
	s.do(t, "upload the workbook",
		chromedp.Navigate(s.url+"/settings/org"),
		chromedp.WaitVisible(chromedp.CSS(`#structure-upload`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#structure-file`), []string{file}),
		chromedp.Click(chromedp.CSS(`#structure-make-accounts`)),
		chromedp.Click(chromedp.CSS(`#structure-check`)),
		chromedp.WaitVisible(chromedp.CSS(`#structure-checked`)),
	)
	if counts := s.text(t, "#structure-counts"); !strings.Contains(counts, "网格") {
		t.Errorf("the check: %s", counts)
	}
	s.do(t, "confirm", chromedp.Click(chromedp.CSS(`#structure-apply`)), chromedp.WaitVisible(chromedp.CSS(`#structure-applied`)))
	pw := strings.TrimSpace(s.text(t, `tr[data-username="g3-01"] code`))
	if len(pw) != 14 {
		t.Fatalf("the one-time password %q", pw)
	}
	s.do(t, "leave the page", chromedp.Navigate(s.url+"/households"), chromedp.WaitVisible(chromedp.CSS(`input[name="q"]`)))
	s.logout(t)

	s.do(t, "sign in with the one-time password",
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "g3-01"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), pw),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#password-one-time`)),
	)
	s.do(t, "open another page", chromedp.Navigate(s.url+"/households"), chromedp.WaitVisible(chromedp.CSS(`#password-one-time`)))
	s.do(t, "change the password",
		chromedp.SendKeys(chromedp.CSS(`#current_password`), pw),
		chromedp.SendKeys(chromedp.CSS(`#password`), "zhao-gang-2026"),
		chromedp.Click(chromedp.CSS(`#password-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
	)
	s.do(t, "sign in with the new password",
		chromedp.Navigate(s.url+"/households"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "g3-01"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "zhao-gang-2026"),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="q"]`)),
	)
}
