package stats

import "wanhu/internal/household"

// BornBy returns the last birth date of the people who are at least n
// years old on day on (see bornBy): the one age cut-off that the
// statistics and the service rosters both count with.
func BornBy(on household.Date, n int) household.Date { return bornBy(on, n) }
