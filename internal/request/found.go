package request

import (
	"context"

	"wanhu/internal/household"
)

// SubmitIn registers a request as Submit does and then applies each of
// steps to it (an acceptance, for a request that staff take on at once),
// without reading it back, and returns its id. It runs in the transaction
// joined to ctx (store.WithTx), if any, so the caller's own change and
// the request commit or fail together: a safety round and the requests of
// its failed items, a talk-room visitor and the request of their words,
// an Open311 client's data and its request.
func (s *Store) SubmitIn(ctx context.Context, actor household.Actor, in Input, steps ...Change) (int64, error) {
	id, err := s.submit(ctx, actor, in)
	if err != nil {
		return 0, err
	}
	for _, c := range steps {
		if err := s.apply(ctx, actor, id, c); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// SubmitAccepted registers a request that staff found themselves on site
// (a failed item of a safety round) and accepts it at once, handled in the
// community, with urgency: its deadline starts and it shows on the
// on-duty board as any accepted request. See SubmitIn.
func (s *Store) SubmitAccepted(ctx context.Context, actor household.Actor, in Input, urgency string) (int64, error) {
	return s.SubmitIn(ctx, actor, in, Change{Action: Accept, Urgency: urgency, Handling: Community})
}
