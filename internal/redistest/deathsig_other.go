//go:build !linux

package redistest

import "os/exec"

// dieWithParent does nothing where the kernel offers no parent-death
// signal: a server outlives a test binary that is killed, and stop (from
// t.Cleanup or Main) ends it otherwise.
func dieWithParent(*exec.Cmd) {}
