//go:build race

package web

// raceOn: the race detector is on, under which sync.Pool drops some of
// what is put back, on purpose, so allocation counts say nothing.
const raceOn = true
