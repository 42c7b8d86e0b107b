package api

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"wanhu/internal/apperr"
	"wanhu/internal/visit"
)

// errNoVisit answers a visit that is not there or not in the caller's scope.
var errNoVisit = &apiError{http.StatusNotFound, "not_found", "no such visit", ""}

// errBusy answers a photo that found no free decoding slot in time (or
// whose client gave up waiting); Retry-After goes with it.
var errBusy = &apiError{http.StatusServiceUnavailable, "busy", "the server is busy with other photos; try again after Retry-After seconds", ""}

// errNoPhoto answers a photo that is not there, of a visit that is not
// there or not in the caller's scope.
var errNoPhoto = &apiError{http.StatusNotFound, "not_found", "no such photo", ""}

// addVisitPhoto adds one photo to a recorded visit: the body is the image
// itself (JPEG or PNG, at most visit.MaxPhotoBytes). 201 with the visit's
// photos; 503 with Retry-After when the server is decoding as many photos
// as it may.
func (h *handler) addVisitPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.failPhotoUpload(w, r, err)
		return
	}
	data, err := readPhoto(w, r)
	if err != nil {
		h.failPhotoUpload(w, r, err)
		return
	}
	ps, err := h.visits(r).AddPhotos(r.Context(), id, [][]byte{data})
	if err != nil {
		h.failPhotoUpload(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, listOf(ps, len(ps)))
}

// failPhotoUpload answers the error of addVisitPhoto: a visit that is not
// there as errNoVisit; no free decoding slot in time, or a client that
// gave up waiting, as errBusy with Retry-After.
func (h *handler) failPhotoUpload(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		err = errNoVisit
	case errors.Is(err, visit.ErrBusy) || r.Context().Err() != nil:
		w.Header().Set("Retry-After", strconv.Itoa(int(h.d.Photos.RetryAfter().Seconds())))
		err = errBusy
	}
	h.fail(w, r, err)
}

// readPhoto reads the body of a photo upload, of at most
// visit.MaxPhotoBytes, into a buffer sized once from Content-Length.
func readPhoto(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, min(max(r.ContentLength, 0), visit.MaxPhotoBytes)+bytes.MinRead))
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, visit.MaxPhotoBytes))
	if errors.As(err, new(*http.MaxBytesError)) {
		return nil, apperr.Field("photos[0]", "too_large", "must be at most %d MB", visit.MaxPhotoBytes>>20)
	}
	return buf.Bytes(), err
}

// visitPhotos lists the photos of a visit.
func (h *handler) visitPhotos(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, errNoVisit) // pathID fails only with ErrNotFound
		return
	}
	ps, err := h.visits(r).Photos(r.Context(), id)
	if errors.Is(err, apperr.ErrNotFound) {
		err = errNoVisit
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(ps, len(ps)))
}

// visitPhoto sends the bytes of one photo of a visit.
func (h *handler) visitPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, errNoPhoto) // pathID fails only with ErrNotFound
		return
	}
	photo, err := pathNumber(r, "photo")
	if err != nil {
		h.fail(w, r, errNoPhoto)
		return
	}
	p, data, err := h.visits(r).PhotoData(r.Context(), id, photo)
	if errors.Is(err, apperr.ErrNotFound) {
		err = errNoPhoto
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", p.ContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(data)
}
