package visit

// SetFewVisits sets fewVisits to n and returns what sets it back.
func SetFewVisits(n int) func() {
	old := fewVisits
	fewVisits = n
	return func() { fewVisits = old }
}
