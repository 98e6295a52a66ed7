//go:build unix

package proc

import (
	"os/exec"
	"syscall"
	"time"
)

func setGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
}

// terminate sends SIGTERM to the child's process group, and arranges a
// SIGKILL to the group if Wait gives up on it.
func terminate(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	pgid := cmd.Process.Pid
	err := syscall.Kill(-pgid, syscall.SIGTERM)
	go func() {
		// exec's WaitDelay kills only the leader; make sure the group goes.
		<-time.After(WaitDelay)
		syscall.Kill(-pgid, syscall.SIGKILL)
	}()
	return err
}
