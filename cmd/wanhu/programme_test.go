package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/programme"
)

// TestProgrammeList: `wanhu programme list --format json` prints byte for
// byte what GET /api/v1/programmes answers the city's administrator; the
// text lists the same numbers; a bad format is refused.
func TestProgrammeList(t *testing.T) {
	path, f := seedDB(t)
	ctx := context.Background()
	db := openSeeded(t, path)
	defer db.Close()
	ps := programme.NewStore(db, household.NewStore(db))
	p, err := ps.CreateProgramme(ctx, household.Actor{Name: "test"}, programme.ProgrammeInput{CommunityID: f.Community.ID, Name: "四点半课堂", Kind: programme.FourThirty})
	if err != nil {
		t.Fatal(err)
	}
	var person int64
	if err := db.QueryRowContext(ctx, `SELECT MIN(id) FROM persons`).Scan(&person); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Enrol(ctx, household.Actor{Name: "test"}, p.ID, programme.EnrolInput{PersonID: person}); err != nil {
		t.Fatal(err)
	}
	want := cityAdminAPI(t, db)("/programmes")
	var out bytes.Buffer
	if err := run(ctx, []string{"programme", "list", "--db", path, "--format", "json"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Errorf("cli %s\napi %s", out.String(), want)
	}
	if !strings.Contains(out.String(), `"enrolled":1`) {
		t.Errorf("enrolled missing: %s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"programme", "list", "--db", path, "--format", "text"}, &out); err != nil {
		t.Fatal(err)
	}
	if words := strings.Join(strings.Fields(out.String()), " "); !strings.Contains(words, "1 1 0 四点半课堂") || !strings.Contains(words, "1 programmes") {
		t.Errorf("text: %s", out.String())
	}
	if err := run(ctx, []string{"programme", "list", "--db", path, "--format", "xml"}, io.Discard); err == nil || !strings.Contains(err.Error(), "--format") {
		t.Errorf("bad format: %v", err)
	}
}
