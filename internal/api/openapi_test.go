package api

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"

	"wanhu/internal/server"
)

// TestOpenAPIMatchesRoutes fails when a route of the route table is missing
// from openapi.json, when the document lists a route that does not exist,
// when a public route is documented as needing a token (or the other way
// round), or when a $ref points nowhere.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi %q, want 3.1", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
			var op struct {
				Security *[]any `json:"security"`
			}
			json.Unmarshal(raw, &op)
			public := op.Security != nil && len(*op.Security) == 0
			for _, rt := range newHandler(server.Deps{}).routes() {
				if rt.method == strings.ToUpper(method) && rt.path == path && rt.public != public {
					t.Errorf("%s %s: public %v in the route table, %v in openapi.json", rt.method, path, rt.public, public)
				}
			}
		}
	}
	served := map[string]bool{}
	for _, rt := range newHandler(server.Deps{}).routes() {
		key := rt.method + " " + rt.path
		served[key] = true
		if !documented[key] {
			t.Errorf("route %s is not in openapi.json", key)
		}
	}
	var extra []string
	for key := range documented {
		if !served[key] {
			extra = append(extra, key)
		}
	}
	sort.Strings(extra)
	for _, key := range extra {
		t.Errorf("openapi.json lists %s, which is not a route", key)
	}

	var all map[string]any
	json.Unmarshal(openAPIDoc, &all)
	for _, m := range regexp.MustCompile(`"\$ref": "#/([^"]+)"`).FindAllStringSubmatch(string(openAPIDoc), -1) {
		var node any = all
		for _, part := range strings.Split(m[1], "/") {
			obj, _ := node.(map[string]any)
			node = obj[part]
		}
		if node == nil {
			t.Errorf("$ref #/%s points nowhere", m[1])
		}
	}
}
