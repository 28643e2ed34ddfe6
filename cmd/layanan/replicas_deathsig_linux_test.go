package main

import (
	"os/exec"
	"syscall"
)

// replicaDiesWithTest has the kernel kill a replica when the test binary
// dies, however it dies: a t.Cleanup does not run after a SIGKILL, a
// timeout's panic or os.Exit. Strictly the signal follows the thread that
// started the process; the Go runtime ends a thread only when a goroutine
// locked to it exits, which this test never does.
func replicaDiesWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
