package app

// The walk rows of the programmes and activities (issue 17), kept apart
// so that walk_test.go's table stays as it was.
//
// Programmes and activities are the community's, seen by all its grids:
// the walk calls the demo's first (the four-thirty class, the festival)
// for leaks; their enrolments and sign-ups are scoped by household (see
// internal/programme's tests), and writes get bodies that are refused.
var programmeWalkRows = map[string]walkRow{
	"GET /api/v1/programmes":                                       {},
	"POST /api/v1/programmes":                                      {body: `{}`},
	"GET /api/v1/programmes/{id}":                                  {fixed: first},
	"PATCH /api/v1/programmes/{id}":                                {fixed: first, body: `{}`},
	"GET /api/v1/programmes/{id}/sessions":                         {fixed: first},
	"POST /api/v1/programmes/{id}/sessions":                        {fixed: first, body: `{}`},
	"PUT /api/v1/programmes/{id}/sessions/{session}/attendance":    {fixed: map[string]string{"id": "1", "session": "1"}, body: `{"present":[-1]}`},
	"PATCH /api/v1/programmes/{id}/sessions/{session}":             {fixed: map[string]string{"id": "1", "session": "1"}, body: `{}`},
	"DELETE /api/v1/programmes/{id}/sessions/{session}":            {fixed: map[string]string{"id": "1", "session": "987654321"}},
	"PUT /api/v1/programmes/{id}/enrolments/{enrolment}/interests": {fixed: map[string]string{"id": "1", "enrolment": "987654321"}, body: `{"interests":["drawing"]}`},
	"GET /api/v1/programmes/{id}/enrolments":                       {fixed: first},
	"POST /api/v1/programmes/{id}/enrolments":                      {fixed: first, body: `{}`},
	"GET /api/v1/programmes/{id}/candidates":                       {fixed: first},
	"POST /api/v1/programmes/{id}/enrolments/{enrolment}/withdraw": {fixed: map[string]string{"id": "1", "enrolment": "987654321"}},
	"GET /api/v1/programmes/{id}/teachers":                         {fixed: first},
	"GET /api/v1/stats/programmes":                                 {},
	"GET /api/v1/activities":                                       {},
	"POST /api/v1/activities":                                      {body: `{}`},
	"GET /api/v1/activities/{id}":                                  {fixed: first},
	"PATCH /api/v1/activities/{id}":                                {fixed: first, body: `{}`},
	"GET /api/v1/activities/{id}/signups":                          {fixed: first},
	"POST /api/v1/activities/{id}/signups":                         {fixed: first, body: `{}`},
	"POST /api/v1/activities/{id}/signups/{signup}/attendance":     {fixed: map[string]string{"id": "1", "signup": "1"}, body: `{"attended":-1}`},
	"GET /api/v1/households/{id}/programmes":                       {},
	"GET /a/{token}/activities":                                    {},
	"POST /a/{token}/activities/{id}":                              {fixed: first, body: `people=0`},
	"GET /programmes":                                              {},
	"POST /programmes":                                             {body: `name=`},
	"GET /programmes/stats":                                        {},
	"GET /programmes/{id}":                                         {fixed: first},
	"GET /programmes/{id}/export":                                  {fixed: first},
	"POST /programmes/{id}/{action}":                               {fixed: map[string]string{"id": "1", "action": "attendance"}, body: `session=1&present=-1`},
	"GET /activities/{id}":                                         {fixed: first},
	"POST /activities/{id}/{action}":                               {fixed: map[string]string{"id": "1", "action": "attended"}, body: `signup=1&attended=-1`},
}

// first is the demo's first programme or activity.
var first = map[string]string{"id": "1"}

func init() {
	for k, v := range programmeWalkRows {
		walkRows[k] = v
	}
}
