package visit

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/feedback"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// Praise is a household's thanks of its visitors, said on the visit
// (李奶奶: "要是你们不来，我都不知道该咋办"): the words, and who said them
// when not the household's head ("刘奶奶的女儿").
type Praise struct {
	Words string `json:"words"`
	From  string `json:"from"`
}

// checkPraise validates the praise: words are required.
func (in *Input) checkPraise() error {
	if in.Praise == nil {
		return nil
	}
	in.Praise.Words, in.Praise.From = strings.TrimSpace(in.Praise.Words), strings.TrimSpace(in.Praise.From)
	switch {
	case in.Praise.Words == "" && in.Praise.From == "":
		in.Praise = nil // an empty form field
		return nil
	case in.Praise.Words == "":
		return apperr.Field("praise.words", "required", "is required: what the household said")
	case len([]rune(in.Praise.Words)) > feedback.MaxBody:
		return apperr.Field("praise.words", "too_long", "must be at most %d characters", feedback.MaxBody)
	case len([]rune(in.Praise.From)) > 50:
		return apperr.Field("praise.from", "too_long", "must be at most %d characters", 50)
	}
	if err := apperr.Text("praise.words", in.Praise.Words); err != nil {
		return err
	}
	return apperr.Text("praise.from", in.Praise.From)
}

// recordPraise records, in tx, the praise of each visitor of visit id or,
// when it lists none, of the team member the recording account is linked
// to (a grid worker recording their own visit on the web form); with
// neither there is nobody to thank.
func recordPraise(ctx context.Context, tx *store.Tx, actor household.Actor, id int64, in Input, at, now time.Time) error {
	if in.Praise == nil {
		return nil
	}
	visitors := in.Visitors
	if len(visitors) == 0 && actor.ID != 0 {
		var m sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT team_member_id FROM users WHERE id = ?`, actor.ID).Scan(&m); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if m.Valid {
			visitors = []int64{m.Int64}
		}
	}
	if len(visitors) == 0 {
		return apperr.Field("praise", "no_visitor", "names no visitor to thank: list the visitors")
	}
	for _, m := range visitors {
		_, err := feedback.Add(ctx, tx, actor, feedback.Input{Kind: feedback.Praise, MemberID: m, Body: in.Praise.Words,
			FromName: in.Praise.From, Source: feedback.FromVisit, VisitID: id, At: &at}, now)
		if err != nil {
			return apperr.InField(err, "praise")
		}
	}
	return nil
}
