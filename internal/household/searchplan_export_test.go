package household

// SetSearchCaps sets the sizes that choose a search's plan (searchplan.go)
// for a test and returns a function that puts them back.
func SetSearchCaps(grids, drive, count int) (restore func()) {
	g, d, c := smallScopeGrids, driveCap, countCap
	smallScopeGrids, driveCap, countCap = grids, drive, count
	return func() { smallScopeGrids, driveCap, countCap = g, d, c }
}

// SetScopeDriveCap sets scopeDriveCap for a test and returns a function
// that puts it back.
func SetScopeDriveCap(n int) (restore func()) {
	old := scopeDriveCap
	scopeDriveCap = n
	return func() { scopeDriveCap = old }
}

// SetPlainCountCap sets plainCountCap for a test and returns a function
// that puts it back.
func SetPlainCountCap(n int) (restore func()) {
	old := plainCountCap
	plainCountCap = n
	return func() { plainCountCap = old }
}
