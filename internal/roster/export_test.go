package roster

// SetListCaps sets where a big scope's roster page stops counting and how
// many rows make it dense, for a test, and returns what puts them back.
func SetListCaps(cap, dense int) (restore func()) {
	oldCap, oldDense := listCap, denseRows
	listCap, denseRows = cap, dense
	return func() { listCap, denseRows = oldCap, oldDense }
}
