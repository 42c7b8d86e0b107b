package request

import (
	"context"

	"wanhu/internal/household"
)

// SubmitAccepted registers a request that staff found themselves on site
// (a failed item of a safety round) and accepts it at once, handled in the
// community, with urgency: its deadline starts and it shows on the
// on-duty board as any accepted request. It runs in the transaction joined
// to ctx (store.WithTx), if any, so the caller's change and the request
// commit or fail together; it returns the request's id.
func (s *Store) SubmitAccepted(ctx context.Context, actor household.Actor, in Input, urgency string) (int64, error) {
	id, err := s.submit(ctx, actor, in)
	if err != nil {
		return 0, err
	}
	return id, s.apply(ctx, actor, id, Change{Action: Accept, Urgency: urgency, Handling: Community})
}
