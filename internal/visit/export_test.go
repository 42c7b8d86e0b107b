package visit

// SetFewVisits sets fewVisits to n and returns what sets it back.
func SetFewVisits(n int) func() {
	old := fewVisits
	fewVisits = n
	return func() { fewVisits = old }
}

// SetOnePassCoverage makes coverage counted in one pass for every scope
// and returns what sets it back.
func SetOnePassCoverage() func() {
	onePassCoverage = true
	return func() { onePassCoverage = false }
}
