package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"wanhu/internal/feedback"
	"wanhu/internal/household"
	"wanhu/internal/org"
)

// TestFeedbackListSameAsAPI: `wanhu feedback list --format json` prints
// what GET /api/v1/feedback answers an administrator of the city; a bad
// --kind names its flag.
func TestFeedbackListSameAsAPI(t *testing.T) {
	path, f := seedDB(t)
	ctx := context.Background()
	db := openSeeded(t, path)
	defer db.Close()
	m := org.TeamMember{CommunityID: f.Community.ID, GridID: f.Grids[0].ID, Name: "卓玛", Role: org.RoleVolunteer}
	if err := org.CreateTeamMember(ctx, db, &m); err != nil {
		t.Fatal(err)
	}
	if _, err := feedback.NewStore(db).Record(ctx, household.Actor{Name: "冯晓霞"}, feedback.Input{Kind: feedback.Praise, MemberID: m.ID,
		FromName: "藏族居民", Body: "卓玛帮着翻译"}); err != nil {
		t.Fatal(err)
	}
	want := cityAdminAPI(t, db)("/feedback?kind=praise")
	var out bytes.Buffer
	if err := run(ctx, []string{"feedback", "list", "--db", path, "--kind", "praise", "--format", "json"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != want || !strings.Contains(out.String(), `"subject":"卓玛"`) {
		t.Errorf("cli %s\napi %s", out.String(), want)
	}
	if err := run(ctx, []string{"feedback", "list", "--db", path, "--kind", "thanks"}, io.Discard); err == nil || !strings.Contains(err.Error(), "--kind") {
		t.Errorf("bad --kind: %v", err)
	}
}
