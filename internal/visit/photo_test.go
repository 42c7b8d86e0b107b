package visit_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"testing"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
)

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestVisitPhotos: photos go in with the visit, all or nothing, at most
// three a visit, and only those who see the household see them.
func TestVisitPhotos(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := seedHouseholds(t, db, 1)
		vs := visit.NewStore(db, household.NewStore(db))
		clerk := household.Actor{Name: "测试"}

		// A bad photo: nothing is recorded, the photo is named.
		_, _, err := vs.Record(ctx, clerk, visit.Input{ClientID: "p0", HouseholdID: ids[0], Outcome: "met", Photos: [][]byte{pngOf(t, 4, 4), []byte("GIF89a")}})
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "photos[1]" {
			t.Fatalf("bad photo: %v", err)
		}
		var n int
		db.QueryRowContext(ctx, `SELECT COUNT(*) FROM visits`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d visits recorded with a bad photo", n)
		}

		v, _, err := vs.Record(ctx, clerk, visit.Input{ClientID: "p1", HouseholdID: ids[0], Outcome: "met", Photos: [][]byte{pngOf(t, 30, 20)}})
		if err != nil || len(v.Photos) != 1 {
			t.Fatalf("visit with a photo: %+v %v", v, err)
		}
		p, data, err := vs.PhotoData(ctx, v.ID, v.Photos[0])
		if err != nil || p.ContentType != "image/png" || p.Size != len(data) {
			t.Fatalf("photo: %+v %d bytes %v", p, len(data), err)
		}
		if img, err := png.Decode(bytes.NewReader(data)); err != nil || img.Bounds().Dx() != 30 {
			t.Errorf("stored photo: %v", err)
		}

		ps, err := vs.AddPhotos(ctx, v.ID, [][]byte{pngOf(t, 5, 5), pngOf(t, 6, 6)})
		if err != nil || len(ps) != 3 {
			t.Fatalf("add two: %d %v", len(ps), err)
		}
		if _, err := vs.AddPhotos(ctx, v.ID, [][]byte{pngOf(t, 7, 7)}); err == nil {
			t.Error("a fourth photo was accepted")
		}
		if ps, _ := vs.Photos(ctx, v.ID); len(ps) != 3 {
			t.Errorf("%d photos after the refused one", len(ps))
		}

		stranger := vs.In(org.Scope{})
		if _, _, err := stranger.PhotoData(ctx, v.ID, v.Photos[0]); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("out of scope: %v", err)
		}
		if _, err := stranger.AddPhotos(ctx, v.ID, [][]byte{pngOf(t, 4, 4)}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("add out of scope: %v", err)
		}
		if _, _, err := vs.PhotoData(ctx, v.ID+1, v.Photos[0]); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("a photo under another visit: %v", err)
		}
	})
}
