package web

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
	"wanhu/internal/visit/phototest"
)

// postPhotos sends the full visit form with files as the field "photo".
func (c *client) postPhotos(path string, fields map[string]string, files ...[]byte) (int, string) {
	c.e.t.Helper()
	res, page := c.do(c.photoForm(path, fields, files...))
	if res.StatusCode == http.StatusSeeOther {
		return c.get(res.Header.Get("Location"))
	}
	return res.StatusCode, page
}

// photoForm is the request of the full visit form with files as the
// field "photo".
func (c *client) photoForm(path string, fields map[string]string, files ...[]byte) *http.Request {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", c.csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for i, f := range files {
		w, _ := mw.CreateFormFile("photo", fmt.Sprintf("IMG_%d.png", i))
		w.Write(f)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.e.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

// TestVisitPhotoUpload: the full visit form takes optional photos; the
// visit shows them to whoever sees the household; a file that is no image
// is refused by name and records nothing; a form without photos still works.
func TestVisitPhotoUpload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		worker := e.signedIn("worker")
		path := fmt.Sprintf("/households/%d/visits", e.widow.ID)
		var img bytes.Buffer
		png.Encode(&img, image.NewGray(image.Rect(0, 0, 40, 30)))

		code, body := worker.postPhotos(path, map[string]string{"outcome": "met", "client_id": "web-photo-1"}, img.Bytes(), []byte("%PDF-1.4 not a photo"))
		if code != http.StatusBadRequest {
			t.Fatalf("a PDF among the photos: %d", code)
		}
		mustContain(t, "refused photo", body, "照片（可选）: 应为 JPEG 或 PNG 图片")
		var n int
		storetest.Scan(t, db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM visits`), &n)
		if n != 0 {
			t.Fatalf("%d visits recorded with a refused photo", n)
		}

		code, body = worker.postPhotos(path, map[string]string{"outcome": "met", "client_id": "web-photo-2", "notes": "老人精神不错"}, img.Bytes())
		if code != http.StatusOK {
			t.Fatalf("visit with a photo: %d", code)
		}
		var vid, pid int64
		if err := db.QueryRowContext(t.Context(), `SELECT visit_id, id FROM visit_photos`).Scan(&vid, &pid); err != nil {
			t.Fatal(err)
		}
		src := fmt.Sprintf(`/visits/%d/photos/%d`, vid, pid)
		mustContain(t, "visit page", body, `src="`+src+`"`, "老人精神不错", `enctype="multipart/form-data"`)
		res, data := worker.do(mustRequest("GET", e.srv.URL+src))
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("the photo: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if got, err := png.Decode(bytes.NewReader([]byte(data))); err != nil || got.Bounds().Dx() != 40 {
			t.Errorf("the photo does not decode as the one sent: %v", err)
		}
		// The other grid's household file is not the worker's; its photos
		// are not theirs either.
		if code, _ := e.signedIn("admin").postPhotos(fmt.Sprintf("/households/%d/visits", e.family.ID), map[string]string{"outcome": "met", "client_id": "web-photo-3"}, img.Bytes()); code != http.StatusOK {
			t.Fatalf("admin's visit to the family: %d", code)
		}
		var other string
		storetest.Scan(t, db.QueryRowContext(t.Context(), `SELECT '/visits/' || visit_id || '/photos/' || id FROM visit_photos ORDER BY id DESC LIMIT 1`), &other)
		if res, _ := worker.do(mustRequest("GET", e.srv.URL+other)); res.StatusCode != http.StatusNotFound {
			t.Errorf("a photo out of scope: %d", res.StatusCode)
		}

		// No photo: the empty file input of the form is no photo.
		if code, _ := worker.postPhotos(path, map[string]string{"outcome": "not_home", "client_id": "web-photo-4"}, []byte{}); code != http.StatusOK {
			t.Errorf("a visit without a photo from the full form: %d", code)
		}
	})
}

// TestVisitPhotoLimitsWeb: the visit form refuses a photo too big to
// decode by name, with the limit in megapixels; while every decoding slot
// is taken it answers the error page, 503 with Retry-After, and records
// nothing; once a slot is free the same form goes through.
func TestVisitPhotoLimitsWeb(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		slots := visit.NewPhotoSlots(1, 0)
		e.h.photos = slots
		worker := e.signedIn("worker")
		path := fmt.Sprintf("/households/%d/visits", e.widow.ID)
		visits := func() (n int) {
			if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM visits`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		code, body := worker.postPhotos(path, map[string]string{"outcome": "met", "client_id": "web-big"}, phototest.PNG(8000, 8000, phototest.Gray, 8))
		if code != http.StatusBadRequest {
			t.Fatalf("an 8000×8000 photo: %d", code)
		}
		mustContain(t, "refused photo", body, "照片（可选）: 图片不能超过 25 百万像素")

		held, _ := slots.Acquire(t.Context())
		photo := phototest.PNG(40, 30, phototest.Gray, 8)
		res, body := worker.do(worker.photoForm(path, map[string]string{"outcome": "met", "client_id": "web-busy"}, photo))
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "1" {
			t.Errorf("every slot taken: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
		}
		mustContain(t, "busy page", body, "服务器正在处理其他照片")
		if n := visits(); n != 0 {
			t.Errorf("%d visits recorded while the photo was refused", n)
		}
		held()
		if code, _ := worker.postPhotos(path, map[string]string{"outcome": "met", "client_id": "web-busy"}, photo); code != http.StatusOK || visits() != 1 {
			t.Errorf("with the slot free again: %d, %d visits", code, visits())
		}
	})
}
