package mediation

import (
	"context"
	"errors"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/request"
)

// NewRequest is a request that comes of a talk-room visit or a mediation
// case: its category and description, and, to refer it at once (a stray
// dog to 城管, an escalating dispute to the police or the judicial office),
// the department and the urgency.
type NewRequest struct {
	Category     string `json:"category"`
	Description  string `json:"description"`
	Address      string `json:"address"` // for a visitor without a file
	DepartmentID int64  `json:"department_id"`
	Urgency      string `json:"urgency"` // with a department: general (default) or urgent
}

// submit registers nr through the request store, with the talk room as
// its channel, for household hid (0: none, at address in the org unit of
// path), and refers it to its department if it names one; it returns the
// request's id. It runs in the transaction joined to ctx, so the record
// it comes of and the request are written together or not at all. The
// department is checked before the request is made.
func (s *Store) submit(ctx context.Context, actor household.Actor, field string, nr NewRequest, hid, pid int64, path string) (int64, error) {
	if nr.DepartmentID != 0 {
		var one int
		if err := s.db.QueryRowContext(ctx, `SELECT 1 FROM org_units WHERE id = ? AND kind = 'department'`, nr.DepartmentID).Scan(&one); err != nil {
			return 0, apperr.Field(field+".department_id", "not_found", "department %d does not exist", nr.DepartmentID)
		}
		if nr.Urgency == "" {
			nr.Urgency = request.General
		}
		if nr.Urgency != request.General && nr.Urgency != request.Urgent {
			return 0, apperr.Field(field+".urgency", "one_of", "must be one of urgent, general")
		}
	}
	var refer []request.Change
	if nr.DepartmentID != 0 {
		refer = append(refer, request.Change{Action: request.Accept, Urgency: nr.Urgency, Handling: request.Referred, DepartmentID: nr.DepartmentID})
	}
	id, err := s.requests.SubmitIn(ctx, actor, request.Input{Category: nr.Category, Description: nr.Description, Channel: "talk_room",
		HouseholdID: hid, PersonID: pid, Address: nr.Address, OrgPath: path}, refer...)
	return id, inField(err, field)
}

// inField puts a field error of the request under field ("request.category").
func inField(err error, field string) error {
	if fe, ok := apperr.AsField(err); ok && !errors.Is(err, apperr.ErrNotFound) {
		return apperr.InField(err, field+"."+fe.Field)
	}
	return err
}
