package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
	"wanhu/internal/visit/phototest"
)

// TestVisitPhotosAPI: a photo is the body of POST /visits/{id}/photos; the
// visit lists it, GET sends it back as an image; a file that is no image,
// a fourth photo, a visit out of scope and an officer are refused.
func TestVisitPhotosAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		var img bytes.Buffer
		png.Encode(&img, image.NewGray(image.Rect(0, 0, 12, 9)))
		photo := img.String()
		image := map[string]string{"Content-Type": "image/png"}

		res, body := fx.do(t, "visitor", "POST", "/visits", `{"client_id":"photo-1","household_id":{red},"outcome":"met"}`, nil)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("visit: %d %s", res.StatusCode, short(body))
		}
		var v struct {
			ID     int64   `json:"id"`
			Photos []int64 `json:"photos"`
		}
		json.Unmarshal(body, &v)
		if v.Photos == nil || len(v.Photos) != 0 {
			t.Errorf("a visit without photos answers photos %v, want []", v.Photos)
		}
		path := fmt.Sprintf("/visits/%d/photos", v.ID)
		res, body = fx.do(t, "clerk", "POST", "/visits", `{"client_id":"photo-2","household_id":{green},"outcome":"met"}`, nil)
		var green struct{ ID int64 }
		if json.Unmarshal(body, &green); res.StatusCode != http.StatusCreated {
			t.Fatalf("visit to the green household: %d", res.StatusCode)
		}
		for i := range 3 {
			if res, body := fx.do(t, "visitor", "POST", path, photo, image); res.StatusCode != http.StatusCreated || !bytes.Contains(body, []byte(fmt.Sprintf(`"total":%d`, i+1))) {
				t.Fatalf("photo %d: %d %s", i+1, res.StatusCode, short(body))
			}
		}
		for name, c := range map[string]struct {
			user, path, body string
			status           int
			want             string
		}{
			"a fourth":         {"visitor", path, photo, 400, `"code":"too_many"`},
			"no image":         {"visitor", path, "plain text", 400, `"field":"photos[0]"`},
			"an officer":       {"officer", path, photo, 403, `"forbidden"`},
			"out of scope":     {"leader1", fmt.Sprintf("/visits/%d/photos", green.ID), photo, 404, `"no such visit"`},
			"no such photo":    {"visitor", path + "/999999", "", 404, `"no such photo"`},
			"the list":         {"visitor", path, "", 200, `"total":3`},
			"a bad photo path": {"visitor", path + "/x", "", 404, `"not_found"`},
		} {
			method := "POST"
			if c.body == "" {
				method = "GET"
			}
			res, body := fx.do(t, c.user, method, c.path, c.body, image)
			if res.StatusCode != c.status || !bytes.Contains(body, []byte(c.want)) {
				t.Errorf("%s: %d %s, want %d with %s", name, res.StatusCode, short(body), c.status, c.want)
			}
		}
		res, body = fx.do(t, "visitor", "GET", "/households/{red}/visits", "", nil)
		var l list[struct {
			Photos []int64 `json:"photos"`
		}]
		json.Unmarshal(body, &l)
		if res.StatusCode != 200 || len(l.Items) != 1 || len(l.Items[0].Photos) != 3 {
			t.Fatalf("the visit's photos: %s", short(body))
		}
		res, body = fx.do(t, "visitor", "GET", fmt.Sprintf("%s/%d", path, l.Items[0].Photos[0]), "", nil)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("the photo: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if got, err := png.Decode(bytes.NewReader(body)); err != nil || got.Bounds().Dx() != 12 {
			t.Errorf("the photo sent back: %v", err)
		}
	})
}

// TestVisitPhotoLimitsAPI: a photo too big to decode is refused with 400
// image_size naming photos[0] and the limit in megapixels; while every
// decoding slot is taken a photo is answered 503 with Retry-After and
// stores nothing, and is taken once a slot is free.
func TestVisitPhotoLimitsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		slots := visit.NewPhotoSlots(1, 0)
		d := fx.d
		d.Photos = slots
		mux := http.NewServeMux()
		Register(mux, d)
		busy := *fx
		busy.srv = httptest.NewServer(mux)
		defer busy.srv.Close()

		res, body := fx.do(t, "visitor", "POST", "/visits", `{"client_id":"photo-busy","household_id":{red},"outcome":"met"}`, nil)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("visit: %d %s", res.StatusCode, short(body))
		}
		path := fmt.Sprintf("/visits/%d/photos", decodeAs[struct{ ID int64 }](t, body).ID)
		png := map[string]string{"Content-Type": "image/png"}

		res, body = busy.do(t, "visitor", "POST", path, string(phototest.PNG(8000, 8000, phototest.RGBA, 8)), png)
		if res.StatusCode != http.StatusBadRequest || !bytes.Contains(body, []byte(`"code":"image_size","message":"must be at most 12.5 megapixels","field":"photos[0]"`)) {
			t.Errorf("an 8000×8000 PNG: %d %s", res.StatusCode, short(body))
		}

		held, _ := slots.Acquire(t.Context())
		small := string(phototest.PNG(40, 30, phototest.Gray, 8))
		res, body = busy.do(t, "visitor", "POST", path, small, png)
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "1" || !bytes.Contains(body, []byte(`"code":"busy"`)) {
			t.Errorf("every slot taken: %d Retry-After %q %s", res.StatusCode, res.Header.Get("Retry-After"), short(body))
		}
		if _, body := busy.do(t, "visitor", "GET", path, "", nil); !bytes.Contains(body, []byte(`"total":0`)) {
			t.Errorf("a photo was stored: %s", short(body))
		}
		held()
		if res, body := busy.do(t, "visitor", "POST", path, small, png); res.StatusCode != http.StatusCreated || !bytes.Contains(body, []byte(`"total":1`)) {
			t.Errorf("with the slot free again: %d %s", res.StatusCode, short(body))
		}
	})
}
