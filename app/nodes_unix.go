//go:build unix

package app

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with id pid exists (it may be
// another program that got the pid since: then a gone node's leases
// expire as they would elsewhere).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
