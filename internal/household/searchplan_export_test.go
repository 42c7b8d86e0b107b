package household

// SetSearchCaps sets the sizes that choose a search's plan (searchplan.go)
// for a test and returns a function that puts them back.
func SetSearchCaps(grids, drive, count int) (restore func()) {
	g, d, c := smallScopeGrids, driveCap, countCap
	smallScopeGrids, driveCap, countCap = grids, drive, count
	return func() { smallScopeGrids, driveCap, countCap = g, d, c }
}
