package api

// The date rows of the programmes and activities (issue 17), kept apart
// so that dates_test.go's table stays as it was.
func init() {
	for k, v := range map[string]dateRoute{
		"GET /stats/programmes":            {},
		"POST /programmes/{id}/sessions":   {path: "/programmes/{prog}/sessions", body: `{"starts_at":"2026-03-01T08:30:00Z","ends_at":"2026-03-01T10:00:00Z"}`},
		"POST /programmes/{id}/enrolments": {path: "/programmes/{prog}/enrolments", body: `{"person_id":{widow}}`},
		"PATCH /programmes/{id}/sessions/{session}": {path: "/programmes/{prog}/sessions/{psession}",
			body: `{"starts_at":"2026-03-01T08:30:00Z","ends_at":"2026-03-01T10:00:00Z","version":1}`},
		"POST /activities":       {body: `{"community_id":{community},"title":"x","starts_at":"2030-03-01T08:30:00Z","ends_at":"2030-03-01T10:00:00Z"}`},
		"PATCH /activities/{id}": {path: "/activities/{act}", body: `{"title":"x","starts_at":"2030-03-01T08:30:00Z","ends_at":"2030-03-01T10:00:00Z","version":1}`},
	} {
		dateRoutes[k] = v
	}
}

// The programme routes that write without a body, kept apart so that
// bodies_fuzz_test.go's table stays as it was.
func init() {
	noBody["POST /programmes/{id}/enrolments/{enrolment}/withdraw"] = "no body"
	noBody["DELETE /programmes/{id}/sessions/{session}"] = "no body"
}
