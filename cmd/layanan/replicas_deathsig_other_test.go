//go:build !linux

package main

import "os/exec"

// replicaDiesWithTest does nothing where the kernel offers no
// parent-death signal: a replica outlives a test binary that is killed,
// and the test's cleanup ends it otherwise.
func replicaDiesWithTest(*exec.Cmd) {}
