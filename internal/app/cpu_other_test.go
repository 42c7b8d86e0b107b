//go:build !unix

package app

// processCPU is 0 where the process's CPU time is not read (see
// cpu_unix_test.go).
func processCPU() int64 { return 0 }
