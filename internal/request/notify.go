package request

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/notify"
	"wanhu/internal/store"
)

// StaffChannel is the outbox channel of the messages to staff: the
// group robot or webhook chosen for staff delivers them. Residents get SMS.
const StaffChannel = notify.Staff

// Recipients are references the senders resolve, never an address in the
// clear: "grid:ID" (the grid leader's group), "unit:ID" (a community or a
// department), "user:ID" (a staff member) and "request:ID" (the reporter,
// whose phone is sealed in the request).
func gridRecipient(r *Request) string {
	if r.GridID != 0 {
		return "grid:" + strconv.FormatInt(r.GridID, 10)
	}
	parts := strings.Split(strings.Trim(r.orgPath, "/"), "/")
	return "unit:" + parts[len(parts)-1]
}

// handlerRecipient is who works on an accepted request: its department,
// its assignee, or else the grid.
func handlerRecipient(r *Request) string {
	switch {
	case r.Handling == Referred && r.DepartmentID != 0:
		return "unit:" + strconv.FormatInt(r.DepartmentID, 10)
	case r.AssigneeUserID != 0:
		return "user:" + strconv.FormatInt(r.AssigneeUserID, 10)
	}
	return gridRecipient(r)
}

// whom says, for each timeline kind, who hears of it: the grid (the
// community side), the handler, the resident.
var whom = map[string]struct{ grid, handler, resident bool }{
	"submitted":      {grid: true, resident: true},
	Accept:           {handler: true, resident: true},
	Decline:          {resident: true},
	Merge:            {resident: true},
	HandBack:         {grid: true},
	AskExtension:     {grid: true},
	ApproveExtension: {handler: true},
	RefuseExtension:  {handler: true},
	Resolve:          {grid: true, resident: true}, // the grid calls back
	"reopened":       {handler: true},
	DueRecounted:     {handler: true},
}

// notifyChange enqueues the messages of a change of r, in the caller's
// transaction. A dissatisfied callback that reopens the request is
// "reopened".
func notifyChange(ctx context.Context, q store.Querier, r *Request, kind, note string) error {
	if kind == Callback && r.State == Accepted {
		kind = "reopened"
	}
	w := whom[kind]
	payload := map[string]any{"request_id": r.ID, "tracking_code": r.TrackingCode, "category": r.Category,
		"state": r.State, "note": note}
	if r.DueAt != nil {
		payload["due_at"] = r.DueAt.In(calendar.China).Format(time.RFC3339)
	}
	var msgs []notify.Message
	if w.grid {
		msgs = append(msgs, notify.Message{Channel: StaffChannel, Recipient: gridRecipient(r)})
	}
	if w.handler && (!w.grid || handlerRecipient(r) != gridRecipient(r)) {
		msgs = append(msgs, notify.Message{Channel: StaffChannel, Recipient: handlerRecipient(r)})
	}
	if w.resident && r.phone != "" {
		msgs = append(msgs, notify.Message{Channel: notify.SMS, Recipient: fmt.Sprintf("request:%d", r.ID)})
	}
	for _, m := range msgs {
		m.Kind, m.Payload = "request."+kind, payload
		if err := notify.Enqueue(ctx, q, m); err != nil {
			return err
		}
	}
	return nil
}
