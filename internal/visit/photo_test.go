package visit_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
	"wanhu/internal/visit/phototest"
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
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM visits`), &n)
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

// TestPhotoSlots: no more photos are decoded at once than there are
// slots; a photo that finds none free waits for one, or is told ErrBusy
// when it may not wait, or gets its context's error when its client gave
// up; a slot given back twice counts once.
func TestPhotoSlots(t *testing.T) {
	slots := visit.NewPhotoSlots(2, 0)
	r1, err1 := slots.Acquire(t.Context())
	r2, err2 := slots.Acquire(t.Context())
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if _, err := slots.Acquire(t.Context()); !errors.Is(err, visit.ErrBusy) {
		t.Fatalf("a third of two: %v", err)
	}
	r1()
	r1()
	r3, err := slots.Acquire(t.Context())
	if err != nil {
		t.Fatalf("after one was given back: %v", err)
	}
	if _, err := slots.Acquire(t.Context()); !errors.Is(err, visit.ErrBusy) {
		t.Fatalf("a slot given back twice counted twice: %v", err)
	}
	r2()
	r3()

	waiting := visit.NewPhotoSlots(1, time.Hour)
	held, _ := waiting.Acquire(t.Context())
	ctx, cancel := context.WithCancel(t.Context())
	got := make(chan error)
	go func() {
		_, err := waiting.Acquire(ctx)
		got <- err
	}()
	cancel()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Fatalf("the client gave up while waiting: %v", err)
	}
	go func() {
		release, err := waiting.Acquire(t.Context())
		if err == nil {
			release()
		}
		got <- err
	}()
	held()
	if err := <-got; err != nil {
		t.Fatalf("waiting for the slot given back: %v", err)
	}
	if a, b := slots.RetryAfter(), waiting.RetryAfter(); a != time.Second || b != time.Hour {
		t.Errorf("Retry-After %v and %v", a, b)
	}
}

// TestVisitPhotoLimits: on both engines, a photo too big to decode and a
// photo that finds every decoding slot taken store nothing, and a visit
// recorded with such a photo is not recorded; a phone's photo is stored
// scaled down.
func TestVisitPhotoLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := seedHouseholds(t, db, 1)
		slots := visit.NewPhotoSlots(1, 0)
		vs := visit.NewStore(db, household.NewStore(db)).WithPhotoSlots(slots)
		clerk := household.Actor{Name: "测试"}
		v, _, err := vs.Record(ctx, clerk, visit.Input{ClientID: "big-0", HouseholdID: ids[0], Outcome: "met"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = vs.AddPhotos(ctx, v.ID, [][]byte{phototest.PNG(8000, 8000, phototest.RGBA, 8)})
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "photos[0]" || fe.Code != "image_size" {
			t.Errorf("an 8000×8000 PNG: %v", err)
		}

		held, _ := slots.Acquire(ctx)
		if _, err := vs.AddPhotos(ctx, v.ID, [][]byte{pngOf(t, 40, 30)}); !errors.Is(err, visit.ErrBusy) {
			t.Errorf("every slot taken: %v", err)
		}
		if _, _, err := vs.Record(ctx, clerk, visit.Input{ClientID: "big-1", HouseholdID: ids[0], Outcome: "met", Photos: [][]byte{pngOf(t, 40, 30)}}); !errors.Is(err, visit.ErrBusy) {
			t.Errorf("a visit with a photo, every slot taken: %v", err)
		}
		var visits, photos int
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM visits`), &visits)
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM visit_photos`), &photos)
		if visits != 1 || photos != 0 {
			t.Errorf("%d visits and %d photos after the refused ones, want 1 and 0", visits, photos)
		}
		held()

		big := image.NewGray(image.Rect(0, 0, 4032, 3024))
		var b bytes.Buffer
		png.Encode(&b, big)
		ps, err := vs.AddPhotos(ctx, v.ID, [][]byte{b.Bytes()})
		if err != nil || len(ps) != 1 {
			t.Fatalf("a phone-sized photo: %v", err)
		}
		_, data, err := vs.PhotoData(ctx, v.ID, ps[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if cfg, err := png.DecodeConfig(bytes.NewReader(data)); err != nil || cfg.Width != 1600 || cfg.Height != 1200 {
			t.Errorf("stored as %d×%d (%v), want 1600×1200", cfg.Width, cfg.Height, err)
		}
	})
}
