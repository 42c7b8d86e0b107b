package staff

import "wanhu/internal/feedback"

// addFeedback adds what residents said of them by name in the period
// (feedback.Tallies): the praise beside the complaints, with the latest
// words of thanks, and the complaints recorded about them by name (those
// not already counted as a dissatisfied callback for attitude), which
// weigh in the score like the callbacks' complaints.
func (c *Scorecard) addFeedback(t feedback.Tally) {
	c.Praise += t.Praise
	if t.Latest != "" {
		c.PraiseLatest = t.Latest
	}
	c.Complaints += t.Complaints
}
