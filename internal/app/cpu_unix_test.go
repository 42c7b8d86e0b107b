//go:build unix

package app

import "syscall"

// processCPU is the CPU time, user and system, this process has used, in
// nanoseconds (0 where it cannot be read).
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
