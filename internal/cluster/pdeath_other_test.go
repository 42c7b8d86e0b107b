//go:build !linux

package cluster

import "os/exec"

// dieWithTest does nothing where the kernel cannot tie a child's life to
// its parent's: the test's cleanup stops the servers.
func dieWithTest(*exec.Cmd) {}
