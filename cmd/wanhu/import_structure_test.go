package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/auth"
	"wanhu/internal/importer"
	"wanhu/internal/testworld"
)

// TestImportStructureCLI: wanhu import structure with --accounts and
// --passwords-out on both engines. The JSON report holds no password;
// the slips file (mode 0600) holds one per account made, and each is a
// one-time password the API refuses until it is changed. The same
// workbook again changes nothing, and a refused workbook exits non-zero
// with its report.
func TestImportStructureCLI(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			if engine == "postgres" && os.Getenv("WANHU_TEST_POSTGRES_URL") == "" {
				t.Skip("WANHU_TEST_POSTGRES_URL is not set")
			}
			ctx := context.Background()
			dsn, keyFile := importDB(t, engine)
			dir := t.TempDir()
			file, slips := filepath.Join(dir, "结构.xlsx"), filepath.Join(dir, "密码.xlsx")
			if err := testworld.StructureWorkbook(file); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := run(ctx, []string{"import", "structure", file, "--db", dsn, "--key-file", keyFile, "--community", "东兴社区",
				"--accounts", "--passwords-out", slips}, &out); err != nil {
				t.Fatalf("%v: %s", err, out.String())
			}
			var rep importer.StructureReport
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil || !rep.Applied || rep.Grids.Created != 2 || len(rep.Accounts) != 5 ||
				strings.Contains(out.String(), `"password"`) {
				t.Fatalf("report %s (%v)", out.String(), err)
			}
			fi, err := os.Stat(slips)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("the slips file: %v, %v", fi, err)
			}
			x, err := excelize.OpenFile(slips)
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := x.GetRows("一次性密码")
			x.Close()
			if len(rows) != 6 || rows[5][1] != "g3-01" || rows[5][0] != "赵刚" {
				t.Fatalf("slips %v", rows)
			}
			db := openSeededKey(t, dsn, keyFile)
			if _, _, err := auth.NewStore(db).Login(ctx, "g3-01", rows[5][2], auth.API); !errors.Is(err, auth.ErrChangePassword) {
				t.Errorf("the API with a one-time password: %v", err)
			}
			db.Close()

			before := checksum(t, dsn, keyFile)
			out.Reset()
			if err := run(ctx, []string{"import", "structure", file, "--db", dsn, "--key-file", keyFile, "--accounts", "--format", "text"}, &out); err != nil {
				t.Fatalf("%v: %s", err, out.String())
			}
			if !strings.Contains(out.String(), "grids 0 created, 0 updated, 4 unchanged") || strings.Count(out.String(), "(existing)") != 5 {
				t.Errorf("the same workbook again: %s", out.String())
			}
			if after := checksum(t, dsn, keyFile); after == before {
				t.Error("the second import left no audit entry") // checksum covers the audit log: one entry more
			}

			bad := filepath.Join(dir, "坏.csv")
			os.WriteFile(bad, []byte("姓名,身份,网格\n张三,保安,1\n"), 0o600)
			out.Reset()
			err = run(ctx, []string{"import", "structure", bad, "--db", dsn, "--key-file", keyFile}, &out)
			if err == nil || !strings.Contains(err.Error(), "refused") || !strings.Contains(out.String(), `"code": "team_role"`) {
				t.Errorf("a refused workbook: %v, %s", err, out.String())
			}
		})
	}
}

// TestImportStructureText: the text report prints each account made with
// its one-time password, once.
func TestImportStructureText(t *testing.T) {
	dsn, keyFile := importDB(t, "sqlite")
	file := filepath.Join(t.TempDir(), "结构.xlsx")
	if err := testworld.StructureWorkbook(file); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"import", "structure", file, "--db", dsn, "--key-file", keyFile, "--accounts", "--format", "text"}, &out); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	for _, want := range []string{"Applied.", "g1-leader", "g3-01", "赵刚", "The passwords are shown once"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text report lacks %q: %s", want, out.String())
		}
	}
	if n := len(regexpPassword.FindAllString(out.String(), -1)); n != 5 {
		t.Errorf("%d passwords in %s", n, out.String())
	}
}

var regexpPassword = regexp.MustCompile(`\b[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}\b`)
