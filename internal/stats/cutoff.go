package stats

import (
	"wanhu/internal/calendar"
)

// BornBy returns the last birth date of the people who are at least n
// years old on day on (see bornBy): the one age cut-off that the
// statistics and the service rosters both count with.
func BornBy(on calendar.Date, n int) calendar.Date { return bornBy(on, n) }
