package request

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/store/storetest"
)

// fuzzActions are the actions a fuzzed step may ask for, in the order the
// first byte of a step picks them.
var fuzzActions = []string{Accept, Decline, Merge, Progress, HandBack, AskExtension, ApproveExtension, RefuseExtension, Resolve, Callback}

// fuzzStart is the clock of the world when each sequence starts.
var fuzzStart = time.Date(2026, 9, 30, 2, 0, 0, 0, time.UTC)

// stepBytes is how many bytes of the input one step takes, and maxSteps
// how many steps one input may run.
const (
	stepBytes = 3
	maxSteps  = 24
)

// fuzzStep is one step of a sequence, read from three bytes: a picks the
// action and the request (of three) it is done to; b picks its parameters,
// good or bad; c moves the clock on and picks the version sent.
type fuzzStep struct {
	target int
	change Change
	hours  int
	// version: 0 sends none, 1 the current one, 2 the one before (stale
	// unless the request is at version 1) and 3 the next (stale).
	version int
}

// readStep decodes a step from a, b, c; ids are the three requests.
func readStep(w *world, ids [3]int64, a, b, c byte) fuzzStep {
	s := fuzzStep{target: int(a/10) % 3, hours: int(c%4) * 7, version: int(c/4) % 4}
	ch := Change{Action: fuzzActions[int(a)%len(fuzzActions)]}
	note := ""
	if b%5 != 0 {
		note = fmt.Sprintf("说明 %d", b)
	}
	switch ch.Action {
	case Accept:
		ch.Urgency = []string{Urgent, General, "soon"}[b%3]
		ch.Handling = []string{Community, Referred}[(b/3)%2]
		switch (b / 6) % 4 {
		case 0: // the department the handling asks for
			if ch.Handling == Referred {
				ch.DepartmentID = w.dept.ID
			}
		case 1: // a department with the community's own handling
			ch.DepartmentID = w.dept.ID
		case 2: // an org unit that is not a department
			ch.DepartmentID = w.org.Grids[0].ID
		}
		ch.WorkingDays = []int{0, 3, 5, 7}[(b/24)%4]
	case Merge:
		if b%7 != 0 {
			ch.Into = ids[int(b)%3]
		}
	case AskExtension:
		ch.Note, ch.Days = note, []int{1, 20, 0, 21, 2}[(b/5)%5]
	case Callback:
		ch.Method = "phone" // its check has a test of its own (api TestRequestsContract)
		ch.Result = []string{Satisfied, BasicallySatisfied, Dissatisfied, "so-so"}[b%4]
		ch.Reason = []string{"", "slow", "not_solved", "rude"}[(b/4)%4]
		switch (b / 16) % 3 {
		case 0:
			ch.FollowUp = &household.Need{Kind: "other", Note: "还要更多"}
		case 1:
			ch.FollowUp = &household.Need{Kind: "cake"}
		}
		ch.Note = note
	default:
		ch.Note = note
	}
	s.change = ch
	return s
}

// fuzzWorld is a world and the requests of the sequence running on it.
type fuzzWorld struct {
	engine string
	w      *world
}

// snapshot is everything a step may change.
type snapshot struct {
	requests [3]string // each request with its timeline, as JSON
	reqs     [3]*Request
	events   int // rows of request_events
	outbox   int // messages
	needs    int // needs of all households
}

func (fw *fuzzWorld) snapshot(t *testing.T, ids [3]int64) snapshot {
	t.Helper()
	var s snapshot
	for i, id := range ids {
		r, err := fw.w.s.Get(t.Context(), id)
		if err != nil {
			t.Fatalf("%s: get request %d: %v", fw.engine, id, err)
		}
		b, err := json.Marshal(struct {
			*Request
			Data []string
		}{r, eventData(r.Timeline)})
		if err != nil {
			t.Fatal(err)
		}
		s.requests[i], s.reqs[i] = string(b), r
	}
	s.events = count(t, fw.w.db, `SELECT COUNT(*) FROM request_events`)
	s.outbox = count(t, fw.w.db, `SELECT COUNT(*) FROM outbox`)
	s.needs = count(t, fw.w.db, `SELECT COUNT(*) FROM needs`)
	return s
}

// same reports whether s and o hold the same requests and counts.
func (s snapshot) same(o snapshot) bool {
	return s.requests == o.requests && s.events == o.events && s.outbox == o.outbox && s.needs == o.needs
}

func eventData(es []Event) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Data
	}
	return out
}

// run submits three requests (a household's, another household's, one
// with a free address and no household) and applies the steps of ops to
// them, checking each against the model.
func (fw *fuzzWorld) run(t *testing.T, ops []byte) {
	w := fw.w
	w.now = fuzzStart
	ids := [3]int64{
		w.submit(t, Input{Category: "repairs", Description: "楼道灯坏了", Channel: "walk_in", HouseholdID: w.red.ID}).ID,
		w.submit(t, Input{Category: "ev_charging", Description: "充电桩不够", Channel: "hotline", HouseholdID: w.green.ID}).ID,
		w.submit(t, Input{Category: "environment", Description: "门口垃圾", Channel: "web", Address: "一化小区门口", OrgPath: w.org.Community.Path}).ID,
	}
	entries := [3]int{1, 1, 1} // the timeline each request must have: every step it took, none lost
	for i := 0; i+stepBytes <= len(ops) && i < maxSteps*stepBytes; i += stepBytes {
		st := readStep(w, ids, ops[i], ops[i+1], ops[i+2])
		w.now = w.now.Add(time.Duration(st.hours) * time.Hour)
		before := fw.snapshot(t, ids)
		r := before.reqs[st.target]
		c := st.change
		switch st.version {
		case 1:
			c.Version = r.Version
		case 2:
			c.Version = r.Version - 1
		case 3:
			c.Version = r.Version + 1
		}
		where := fmt.Sprintf("%s, step %d: %s to request %d (%s, version %d) with %+v", fw.engine, i/stepBytes+1, c.Action,
			st.target, r.State, r.Version, c)
		_, err := w.s.Apply(t.Context(), clerk, ids[st.target], c)
		after := fw.snapshot(t, ids)
		want := expect(before.reqs, st.target, c, ids, w.dept.ID)
		if err != nil {
			checkRefusal(t, where, err, want, r.State)
			if !after.same(before) {
				t.Fatalf("%s: refused (%v) but something changed:\nbefore %+v\nafter  %+v", where, err, before, after)
			}
		} else {
			if want.refusal != "" {
				t.Fatalf("%s: done, want a refusal (%s)", where, want.refusal)
			}
			entries[st.target]++
			if c.Action == Merge {
				entries[slices.Index(ids[:], c.Into)]++
			}
			checkDone(t, where, before, after, st.target, c, want, ids)
		}
		for j, req := range after.reqs {
			if len(req.Timeline) != entries[j] {
				t.Fatalf("%s: request %d has %d timeline entries, want %d", where, j, len(req.Timeline), entries[j])
			}
			if why := invalid(req); why != "" {
				t.Fatalf("%s: request %d is %s, which is not valid: %s\n%+v", where, j, req.State, why, *req)
			}
		}
		if d := after.events - before.events; err == nil && d != 1+btoi(c.Action == Merge) {
			t.Fatalf("%s: %d timeline entries written, want %d", where, d, 1+btoi(c.Action == Merge))
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// outcome is what the model expects of a step: a refusal (a "transition"
// or "conflict", both 409, or a "field" error, 400), or the state the
// request is left in.
type outcome struct {
	refusal string
	to      string
}

// expect is the model of the workflow, written from its description rather
// than from state.go: which steps each state allows, what each needs, and
// where each leads. dept is the world's one department.
func expect(reqs [3]*Request, target int, c Change, ids [3]int64, dept int64) outcome {
	r := reqs[target]
	if c.Version != 0 && c.Version != r.Version {
		return outcome{refusal: "conflict"}
	}
	from := map[string]string{Accept: Submitted, Decline: Submitted, Merge: Submitted, Resolve: Accepted, Callback: Resolved}[c.Action]
	if from == "" {
		from = Accepted // progress, hand-back and the extension's steps
	}
	switch {
	case r.State != from,
		c.Action == HandBack && r.Handling != Referred,
		c.Action == AskExtension && r.Extension != nil,
		(c.Action == ApproveExtension || c.Action == RefuseExtension) && r.Extension == nil:
		return outcome{refusal: "transition"}
	}
	bad := outcome{refusal: "field"}
	switch c.Action {
	case Accept:
		if !slices.Contains(Urgencies, c.Urgency) || !slices.Contains(Handlings, c.Handling) ||
			(c.Handling == Referred) != (c.DepartmentID != 0) || (c.DepartmentID != 0 && c.DepartmentID != dept) ||
			(c.WorkingDays != 0 && (c.WorkingDays < 3 || c.WorkingDays > 5)) {
			return bad
		}
		return outcome{to: Accepted}
	case Decline:
		return map[bool]outcome{true: bad, false: {to: Declined}}[c.Note == ""]
	case Merge:
		i := slices.Index(ids[:], c.Into)
		if c.Into == 0 || i == target || i < 0 || (reqs[i].State != Submitted && reqs[i].State != Accepted) {
			return bad
		}
		return outcome{to: Merged}
	case Progress, HandBack:
		return map[bool]outcome{true: bad, false: {to: Accepted}}[c.Note == ""]
	case AskExtension:
		return map[bool]outcome{true: bad, false: {to: Accepted}}[c.Note == "" || c.Days < 1 || c.Days > 20]
	case ApproveExtension, RefuseExtension:
		return outcome{to: Accepted}
	case Resolve:
		return map[bool]outcome{true: bad, false: {to: Resolved}}[c.Note == ""]
	case Callback:
		dissatisfied := c.Result == Dissatisfied
		switch {
		case !slices.Contains(Results, c.Result),
			dissatisfied != (c.Reason != ""),
			dissatisfied && !slices.Contains(CallbackReasons, c.Reason),
			c.FollowUp != nil && (!dissatisfied || r.HouseholdID == 0 || c.FollowUp.Kind == "cake"):
			return bad
		case dissatisfied && c.FollowUp == nil:
			return outcome{to: Accepted} // reopened
		}
		return outcome{to: Closed}
	}
	panic("unknown action " + c.Action)
}

// checkRefusal fails t unless err is the refusal the model wants: a
// TransitionError naming the state, another conflict, or a field error.
func checkRefusal(t *testing.T, where string, err error, want outcome, state string) {
	t.Helper()
	var te *TransitionError
	isTransition := errors.As(err, &te)
	_, isField := apperr.AsField(err)
	switch {
	case want.refusal == "":
		t.Fatalf("%s: %v, want it done (to %s)", where, err, want.to)
	case want.refusal == "transition" && !(isTransition && te.State == state && errors.Is(err, apperr.ErrConflict)):
		t.Fatalf("%s: %v, want a TransitionError from %s", where, err, state)
	case want.refusal == "conflict" && !(errors.Is(err, apperr.ErrConflict) && !isTransition):
		t.Fatalf("%s: %v, want a version conflict", where, err)
	case want.refusal == "field" && !isField:
		t.Fatalf("%s: %v, want a field error", where, err)
	}
}

// checkDone fails t unless a step that was done led where the model says,
// added one timeline entry to the request (and one to a merge's target)
// while keeping every entry before, and left the other requests alone.
func checkDone(t *testing.T, where string, before, after snapshot, target int, c Change, want outcome, ids [3]int64) {
	t.Helper()
	r, a := before.reqs[target], after.reqs[target]
	if a.State != want.to || a.Version != r.Version+1 {
		t.Fatalf("%s: done, now %s at version %d; want %s at version %d", where, a.State, a.Version, want.to, r.Version+1)
	}
	merged := -1
	if c.Action == Merge {
		merged = slices.Index(ids[:], c.Into)
	}
	for i := range ids {
		b, n := before.reqs[i].Timeline, after.reqs[i].Timeline
		switch {
		case i == target:
			checkAppended(t, where, b, n, c.Action, r.State, a.State)
		case i == merged:
			checkAppended(t, where, b, n, "duplicate_merged", "", "")
		case before.requests[i] != after.requests[i]:
			t.Fatalf("%s: request %d changed too:\nbefore %s\nafter  %s", where, i, before.requests[i], after.requests[i])
		}
	}
}

// checkAppended fails t unless n is b with one entry of kind added at the
// end, naming the states when they differ.
func checkAppended(t *testing.T, where string, b, n []Event, kind, from, to string) {
	t.Helper()
	if len(n) != len(b)+1 {
		t.Fatalf("%s: %d timeline entries, had %d: want one more", where, len(n), len(b))
	}
	for i := range b {
		if !b[i].At.Equal(n[i].At) || b[i].Kind != n[i].Kind || b[i].Note != n[i].Note || b[i].Data != n[i].Data ||
			b[i].FromState != n[i].FromState || b[i].ToState != n[i].ToState {
			t.Fatalf("%s: timeline entry %d changed: %+v, was %+v", where, i, n[i], b[i])
		}
	}
	if from == to {
		from, to = "", ""
	}
	if e := n[len(n)-1]; e.Kind != kind || e.FromState != from || e.ToState != to {
		t.Fatalf("%s: new timeline entry %+v, want %s from %q to %q", where, e, kind, from, to)
	}
}

// invalid says what is wrong with r for its state, or "".
func invalid(r *Request) string {
	switch {
	case len(r.Timeline) == 0 || r.Timeline[0].Kind != "submitted":
		return "its timeline does not start with the submission"
	case r.Extension != nil && r.State != Accepted:
		return "an extension waits outside the accepted state"
	case r.State != Submitted && r.State != Declined && r.State != Merged && (r.AcceptedAt == nil || r.DueAt == nil ||
		!slices.Contains(Urgencies, r.Urgency) || !slices.Contains(Handlings, r.Handling)):
		return "it was accepted without an acceptance, deadline, urgency or handling"
	case r.State != Submitted && r.State != Declined && r.State != Merged && (r.Handling == Referred) != (r.DepartmentID != 0):
		return "a department goes with a referral, and only with one"
	}
	switch r.State {
	case Submitted:
		if r.AcceptedAt != nil || r.DueAt != nil || r.ResolvedAt != nil || r.ClosedAt != nil || r.MergedInto != 0 {
			return "a submitted request has been accepted, resolved, closed or merged"
		}
	case Accepted:
		if r.ResolvedAt != nil || r.ClosedAt != nil {
			return "an open request has a resolution or closing time"
		}
	case Resolved:
		if r.ResolvedAt == nil || r.Resolution == "" || r.ClosedAt != nil {
			return "a resolved request lacks its resolution or is closed"
		}
	case Closed:
		if r.ClosedAt == nil || !slices.Contains(Results, r.CallbackResult) || r.ResolvedAt == nil {
			return "a closed request lacks its closing time, callback result or resolution time"
		}
	case Declined:
		if r.ClosedAt == nil || r.DeclineReason == "" || r.AcceptedAt != nil {
			return "a declined request lacks its closing time or reason, or was accepted"
		}
	case Merged:
		if r.ClosedAt == nil || r.MergedInto == 0 || r.MergedInto == r.ID || r.AcceptedAt != nil {
			return "a merged request lacks its closing time or target, or was accepted"
		}
	default:
		return "unknown state"
	}
	return ""
}

// seedStep encodes one step for the seeds: action, request (0-2), the byte of
// parameters and the byte of clock and version.
func seedStep(action string, target int, b, c byte) []byte {
	return []byte{byte(slices.Index(fuzzActions, action) + 10*target), b, c}
}

// fuzzSeeds are sequences through every path of the workflow, and the
// illegal and stale steps beside them.
func fuzzSeeds() [][]byte {
	const (
		urgentCommunity  = 0                  // urgent, community, no department, the category's days
		generalReferred  = 1 + 3              // general, referred to the department
		generalCommunity = 1 + 24             // general, community, 3 working days
		intoFirst        = 3                  // merge into request 0
		note             = 1                  // a note
		days2            = 1 + 5*4            // two more days, with a reason
		satisfied        = 0 + 4*0 + 16*2     // satisfied, no reason, no follow-up
		dissatisfied     = 2 + 4*2 + 16*2     // dissatisfied, not solved, reopened
		followUp         = 2 + 4*2 + 16*0     // dissatisfied, not solved, closed with a need
		current, stale   = 4 * 1, 4*3 + 1     // the current version; a stale one, and 7 hours on
		later            = 2                  // 14 hours on
		badUrgency       = 2 + 3 + 6*0 + 24*3 // "soon", referred, the department, 7 days
	)
	return [][]byte{
		slices.Concat(seedStep(Accept, 1, generalReferred, current), seedStep(AskExtension, 1, days2, later), seedStep(ApproveExtension, 1, 0, 0),
			seedStep(Progress, 1, note, later), seedStep(Resolve, 1, note, 0), seedStep(Callback, 1, dissatisfied, later), seedStep(Resolve, 1, note, 0),
			seedStep(Callback, 1, followUp, 0)),
		slices.Concat(seedStep(Accept, 0, urgentCommunity, 0), seedStep(Resolve, 0, note, later), seedStep(Callback, 0, satisfied, current)),
		slices.Concat(seedStep(Decline, 2, note, 0), seedStep(Accept, 2, urgentCommunity, 0), seedStep(Decline, 2, note, 0)),
		slices.Concat(seedStep(Merge, 1, intoFirst, 0), seedStep(Merge, 2, 0, 0), seedStep(Merge, 0, intoFirst, 0)),
		slices.Concat(seedStep(Accept, 1, generalReferred, 0), seedStep(HandBack, 1, note, 0), seedStep(HandBack, 1, note, 0),
			seedStep(AskExtension, 1, days2, 0), seedStep(RefuseExtension, 1, note, 0), seedStep(RefuseExtension, 1, note, 0)),
		slices.Concat(seedStep(Accept, 0, badUrgency, 0), seedStep(Accept, 0, generalCommunity, stale), seedStep(Progress, 0, 0, 0),
			seedStep(Resolve, 0, 0, 0), seedStep(Callback, 2, followUp, 0), seedStep(Accept, 2, generalCommunity, 0), seedStep(Resolve, 2, note, 0),
			seedStep(Callback, 2, followUp, 0), seedStep(Callback, 2, satisfied+1, 0)),
		{},
		{0xff, 0xff, 0xff, 0xff},
	}
}

// FuzzRequestStates applies random sequences of actions (accept, decline,
// merge, progress, hand back, extension ask/approve/refuse, resolve,
// callback satisfied or not, with good and bad parameters, current and
// stale versions, the clock moving on) through the real Store to three
// requests, and checks each step against a model of the workflow written
// apart from state.go: a legal step with good input is done, leads to the
// state the model says and adds exactly one timeline entry (and one to a
// merge's target) keeping all before it; any other step is refused (409
// for the state or a stale version, 400 for the input) and changes nothing,
// not even the outbox; no request is ever in an invalid state or loses a
// timeline entry.
//
// Plain go test runs the seeds on SQLite and, when WANHU_TEST_POSTGRES_URL
// is set, on PostgreSQL; fuzzing runs on SQLite: go test -run='^$'
// -fuzz='^FuzzRequestStates$' ./internal/request/
func FuzzRequestStates(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	worlds := []*fuzzWorld{{"sqlite", newWorld(f, storetest.SQLite(f))}}
	if os.Getenv(storetest.PostgresURLEnv) != "" && !fuzzing() {
		worlds = append(worlds, &fuzzWorld{"postgres", newWorld(f, storetest.Postgres(f))})
	}
	f.Fuzz(func(t *testing.T, ops []byte) {
		for _, fw := range worlds {
			fw.run(t, ops)
		}
	})
}

// fuzzing reports whether the test binary runs with -test.fuzz (the
// fuzzer or one of its workers), as opposed to plain go test, which runs
// the seeds only.
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}
