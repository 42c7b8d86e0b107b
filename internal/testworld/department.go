package testworld

import (
	"context"

	"wanhu/internal/org"
	"wanhu/internal/store"
)

// Department creates the district's culture bureau, the department the
// tests refer requests to.
func Department(ctx context.Context, q store.Querier, o *Org) (org.Unit, error) {
	d := org.Unit{Kind: org.Department, ParentID: o.District.ID, Name: "区文体旅游科技局"}
	return d, org.CreateUnit(ctx, q, &d)
}
