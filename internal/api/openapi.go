package api

import (
	_ "embed"
	"net/http"
	"time"
)

//go:embed openapi.json
var openAPIDoc []byte

// shanghai is the zone in which the API names days (export file names).
var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// openAPI serves the OpenAPI 3.1 description of the API.
func (h *handler) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPIDoc)
}
