package round

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/request"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

// maxItems is the most results one round records; maxNote the longest
// note of one, in characters.
const (
	maxItems = 100
	maxNote  = 500
)

// ResultInput is one item checked: ok or failed, with a note and, for a
// round of public areas, the building where it was found.
type ResultInput struct {
	Item       string `json:"item"`
	OK         *bool  `json:"ok"`
	Note       string `json:"note"`
	BuildingID int64  `json:"building_id"`
	// RequestID, for a failed item, is a request already registered for
	// what was found (the demo's story, whose night-round findings were
	// entered as requests before rounds existed): the result links it
	// instead of making another.
	RequestID int64 `json:"-"`
}

// Recording is a round's results as the phone sends them. ClientID is the
// phone's id of the recording: sent again (the offline queue's retry), it
// answers the round recorded the first time.
type Recording struct {
	Items    []ResultInput `json:"items"`
	ClientID string        `json:"client_id"`
	Lat      *float64      `json:"lat"`
	Lng      *float64      `json:"lng"`
	// Photos are the uploaded photos (the web form's; optional), checked
	// and re-encoded as a visit's.
	Photos [][]byte `json:"-"`
}

// place is where a failed item was found, for its request.
type place struct {
	buildingID int64
	address    string
}

// Record records the results of round id and ends it. Each failed item
// makes a request (request.SubmitAccepted) of the item's category,
// accepted with its urgency; the round, its results and the requests are
// written in one transaction, so a save that fails changes nothing.
func (s *Store) Record(ctx context.Context, actor household.Actor, id int64, in Recording) (*Round, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	in.ClientID = strings.TrimSpace(in.ClientID)
	if r.State == Done {
		var client sql.NullString
		if err := s.db.QueryRowContext(ctx, `SELECT client_id FROM rounds WHERE id = ?`, id).Scan(&client); err != nil {
			return nil, err
		}
		if in.ClientID != "" && client.String == in.ClientID {
			return r, nil // the same recording sent again
		}
		return nil, apperr.ErrConflict
	}
	t, _ := TemplateByCode(r.Template)
	places, err := s.check(ctx, r, t, &in)
	if err != nil {
		return nil, err
	}
	photos, err := visit.CleanPhotos(ctx, s.photos, in.Photos)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	failed := 0
	for _, x := range in.Items {
		if !*x.OK {
			failed++
		}
	}
	reqs := request.NewStore(s.db, household.NewStore(s.db))
	reqs.SetClock(s.now)
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		ctx := store.WithTx(ctx, tx)
		res, err := tx.ExecContext(ctx, `UPDATE rounds SET state = ?, done_at = ?, done_by_name = ?, failed = ?, client_id = ?, lat = ?, lng = ?,
			started_at = COALESCE(started_at, ?), version = version + 1 WHERE id = ? AND state <> ?`,
			Done, now, actor.Name, failed, nullString(in.ClientID), in.Lat, in.Lng, now, id, Done)
		if err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.Field("client_id", "taken", "another round was recorded under this client_id")
			}
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Join(err, apperr.ErrConflict) // recorded meanwhile
		}
		for i, x := range in.Items {
			var reqID int64
			if !*x.OK && x.RequestID != 0 {
				reqID = x.RequestID
				var one int
				if err := tx.QueryRowContext(ctx, `SELECT 1 FROM requests WHERE id = ?`, reqID).Scan(&one); err != nil {
					return fmt.Errorf("item %s: request %d: %w", x.Item, reqID, err)
				}
			}
			if !*x.OK && reqID == 0 {
				it, _ := t.ItemOf(x.Item)
				desc := fmt.Sprintf("安全排查（%s）：%s 不合格。", t.Name, it.Name)
				if x.Note != "" {
					desc += x.Note
				}
				if reqID, err = reqs.SubmitAccepted(ctx, actor, request.Input{Category: it.Category, Description: desc, Channel: "visit",
					HouseholdID: r.HouseholdID, GridID: r.GridID, Address: places[i].address, BuildingID: places[i].buildingID,
					Lat: in.Lat, Lng: in.Lng}, it.Urgency); err != nil {
					return fmt.Errorf("item %s: %w", x.Item, err)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO round_results(round_id, item, ok, note, building_id, request_id) VALUES (?, ?, ?, ?, ?, ?)`,
				id, x.Item, *x.OK, x.Note, nullID(x.BuildingID), nullID(reqID)); err != nil {
				return err
			}
		}
		for _, p := range photos {
			if _, err := tx.ExecContext(ctx, `INSERT INTO round_photos(round_id, content_type, size, data, created_at) VALUES (?, ?, ?, ?, ?)`,
				id, p.ContentType, len(p.Data), p.Data, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// check validates in against round r of template t and returns where
// each item was found.
func (s *Store) check(ctx context.Context, r *Round, t Template, in *Recording) ([]place, error) {
	switch {
	case len(in.Items) == 0:
		return nil, apperr.Field("items", "required", "give at least one item checked")
	case len(in.Items) > maxItems:
		return nil, apperr.Field("items", "too_many", "at most %d items", maxItems)
	case len(in.ClientID) > 100:
		return nil, apperr.Field("client_id", "too_long", "must be at most 100 characters")
	case (in.Lat == nil) != (in.Lng == nil) || in.Lat != nil && !(*in.Lat >= -90 && *in.Lat <= 90 && *in.Lng >= -180 && *in.Lng <= 180):
		return nil, apperr.Field("lat", "invalid", "give lat and lng together, in degrees")
	}
	if in.Lat != nil && (math.IsNaN(*in.Lat) || math.IsNaN(*in.Lng)) {
		return nil, apperr.Field("lat", "invalid", "give lat and lng together, in degrees")
	}
	g, err := org.UnitByID(ctx, s.db, r.GridID)
	if err != nil {
		return nil, err
	}
	out := make([]place, len(in.Items))
	for i := range in.Items {
		x := &in.Items[i]
		f := func(name string) string { return fmt.Sprintf("items[%d].%s", i, name) }
		x.Item, x.Note = strings.TrimSpace(x.Item), strings.TrimSpace(x.Note)
		if _, ok := t.ItemOf(x.Item); !ok {
			return nil, apperr.OneOf(f("item"), x.Item, t.itemCodes())
		}
		if x.OK == nil {
			return nil, apperr.Field(f("ok"), "required", "say whether the item is ok")
		}
		if len([]rune(x.Note)) > maxNote {
			return nil, apperr.Field(f("note"), "too_long", "must be at most %d characters", maxNote)
		}
		if err := apperr.Text(f("note"), x.Note); err != nil {
			return nil, err
		}
		out[i].address = g.Name
		if x.BuildingID != 0 {
			if r.HouseholdID != 0 {
				return nil, apperr.Field(f("building_id"), "shop_round", "a shop check is at the shop's building")
			}
			b, compound, err := org.BuildingByID(ctx, s.db, x.BuildingID)
			if errors.Is(err, apperr.ErrNotFound) || err == nil && (b.GridID != r.GridID || b.RetiredAt != nil) {
				return nil, apperr.Field(f("building_id"), "not_found", "building %d is not in the round's grid", x.BuildingID)
			} else if err != nil {
				return nil, err
			}
			out[i] = place{buildingID: b.ID, address: compound + b.Name}
		}
	}
	return out, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
