package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/visit"
)

// errNoVisit answers a visit that is not there or not in the caller's scope.
var errNoVisit = &apiError{http.StatusNotFound, "not_found", "no such visit", ""}

// addVisitPhoto adds one photo to a recorded visit: the body is the image
// itself (JPEG or PNG, at most visit.MaxPhotoBytes). 201 with the visit's
// photos.
func (h *handler) addVisitPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = allow(r, access.RecordVisits)
	}
	var data []byte
	if err == nil {
		data, err = io.ReadAll(http.MaxBytesReader(w, r.Body, visit.MaxPhotoBytes))
		if errors.As(err, new(*http.MaxBytesError)) {
			err = apperr.Field("photos[0]", "too_large", "must be at most %d MB", visit.MaxPhotoBytes>>20)
		}
	}
	var ps []visit.Photo
	if err == nil {
		ps, err = h.visits(r).AddPhotos(r.Context(), id, [][]byte{data})
	}
	if errors.Is(err, apperr.ErrNotFound) {
		err = errNoVisit
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, listOf(ps, len(ps)))
}

// visitPhotos lists the photos of a visit.
func (h *handler) visitPhotos(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var ps []visit.Photo
	if err == nil {
		ps, err = h.visits(r).Photos(r.Context(), id)
	}
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
	photo, perr := strconv.ParseInt(r.PathValue("photo"), 10, 64)
	if err == nil && perr != nil {
		err = apperr.ErrNotFound
	}
	var p visit.Photo
	var data []byte
	if err == nil {
		p, data, err = h.visits(r).PhotoData(r.Context(), id, photo)
	}
	if errors.Is(err, apperr.ErrNotFound) {
		err = &apiError{http.StatusNotFound, "not_found", "no such photo", ""}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", p.ContentType)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Write(data)
}
