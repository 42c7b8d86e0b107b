package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// structureWorkbook returns the bytes of testworld.StructureWorkbook,
// without its sheets named drop.
func structureWorkbook(t *testing.T, drop ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "结构.xlsx")
	if err := testworld.StructureWorkbook(path); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, s := range drop {
		if err := f.DeleteSheet(s); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestImportStructureAPI: POST /imports/structure on both engines. Only
// administrators import; one of another community is answered as for a
// community that does not exist; a community's administrator may not add
// departments (refused whole, 422) but imports grids and team; a dry run
// writes nothing; accounts come with one-time passwords shown once, which
// sign in to the API only once changed (their usernames begin with the
// community's id, as the database has two); the same workbook again
// changes nothing.
func TestImportStructureAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := structureFixture(t, db)
		full, noDepts := structureWorkbook(t), structureWorkbook(t, "部门")
		xlsx := map[string]string{"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
		var made struct {
			Accounts []struct{ Username, Password string }
		}
		fx.run(t, []scenario{
			{name: "a grid leader", method: "POST", path: "/imports/structure", user: "leader1", body: full, header: xlsx, status: 403},
			{name: "a visitor", method: "POST", path: "/imports/structure", user: "visitor", body: full, header: xlsx, status: 403},
			{name: "another community", method: "POST", path: "/imports/structure?community={other}", user: "cadmin", body: full, header: xlsx,
				status: 400, want: []string{`"field":"community"`, `"code":"community_unknown"`}},
			{name: "no such community", method: "POST", path: "/imports/structure?community=987654321", user: "cadmin", body: full, header: xlsx,
				status: 400, want: []string{`"field":"community"`, `"code":"community_unknown"`}},
			{name: "no file", method: "POST", path: "/imports/structure", user: "cadmin", status: 400, want: []string{`"field":"file"`}},
			{name: "not a workbook", method: "POST", path: "/imports/structure?name=x.xlsx", user: "cadmin", body: "PK\x03\x04 broken", header: xlsx,
				status: 400, want: []string{`"field":"file"`, `"code":"workbook_unreadable"`, "x.xlsx"}},
			{name: "bad flag", method: "POST", path: "/imports/structure?accounts=maybe", user: "cadmin", body: full, header: xlsx,
				status: 400, want: []string{`"field":"accounts"`}},
			{name: "departments above the community", method: "POST", path: "/imports/structure", user: "cadmin", body: full, header: xlsx,
				status: 422, want: []string{`"code":"department_scope"`, `"sheet":"部门"`, `"applied":false`}, reject: []string{"13912340001"}},
			{name: "nothing was written", method: "GET", path: "/grids", user: "admin", status: 200, reject: []string{"东区网格"}},
			{name: "dry run", method: "POST", path: "/imports/structure?dry_run=true&accounts=true", user: "cadmin", body: noDepts, header: xlsx,
				status: 200, want: []string{`"dry_run":true`, `"applied":false`, `"username":"c{community}-g3-01"`, `"grids":{"created":2,"updated":2,"unchanged":0}`},
				reject: []string{`"password"`}},
			{name: "dry run wrote nothing", method: "GET", path: "/grids", user: "admin", status: 200, reject: []string{"东区网格"}},
			{name: "import with accounts", method: "POST", path: "/imports/structure?accounts=true&name=东兴社区.xlsx", user: "cadmin", body: noDepts,
				header: xlsx, status: 200, want: []string{`"applied":true`, `"grids":{"created":2,"updated":2,"unchanged":0}`,
					`"team":{"created":7,"updated":1,"unchanged":0}`, `"username":"c{community}-g3-01"`, `"password":"`},
				check: func(t *testing.T, body []byte) {
					if err := json.Unmarshal(body, &made); err != nil || len(made.Accounts) != 5 {
						t.Fatalf("%v: %s", err, body)
					}
				}},
			{name: "the grids", method: "GET", path: "/grids", user: "admin", status: 200, want: []string{`"name":"东区网格"`, `"leader_name":"刘洋"`}},
			{name: "audited", method: "GET", path: "/audit?action=import.structure", user: "admin", status: 200,
				want: []string{`"object":"file:东兴社区.xlsx"`, "5 accounts made"}},
			{name: "again", method: "POST", path: "/imports/structure?accounts=true", user: "cadmin", body: noDepts, header: xlsx,
				status: 200, want: []string{`"grids":{"created":0,"updated":0,"unchanged":4}`, `"team":{"created":0,"updated":0,"unchanged":7}`,
					`"buildings":{"created":0,"updated":0,"unchanged":7}`, `"existing":true`}, reject: []string{`"password"`}},
			{name: "the departments, by the city's administrator", method: "POST", path: "/imports/structure?community={community}", user: "admin",
				body: full, header: xlsx, status: 200, want: []string{`"departments":{"created":3,"updated":0,"unchanged":0}`}},
		})
		var g301 string
		for _, a := range made.Accounts {
			if a.Username == fmt.Sprintf("c%d-g3-01", fx.org.Community.ID) {
				g301 = a.Password
			}
		}
		fx.run(t, []scenario{
			{name: "a one-time password", method: "POST", path: "/auth/login", body: fmt.Sprintf(`{"username":"c{community}-g3-01","password":%q}`, g301),
				status: 403, want: []string{`"code":"password_change_required"`}},
		})
	})
}

// TestImportStructureCSVAPI: a CSV body is one sheet, read by the name's
// extension.
func TestImportStructureCSVAPI(t *testing.T) {
	fx := structureFixture(t, storetest.SQLite(t))
	csv, err := os.ReadFile(writeTeamCSV(t))
	if err != nil {
		t.Fatal(err)
	}
	fx.run(t, []scenario{
		{name: "team CSV", method: "POST", path: "/imports/structure?name=team.csv", user: "cadmin", body: string(csv),
			header: map[string]string{"Content-Type": "text/csv"}, status: 200, want: []string{`"team":{"created":1,`, `"kind":"team"`}},
	})
}

func writeTeamCSV(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "team.csv")
	if err := os.WriteFile(path, []byte("姓名,身份,网格,电话\n马学军,网格员,1,13912340001\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
