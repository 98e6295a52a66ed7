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

// terminate sends SIGINT to the child's process group, and arranges SIGTERM
// after Grace and SIGKILL after another Grace for whatever of the group is
// still there.
func terminate(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	pgid := cmd.Process.Pid
	err := syscall.Kill(-pgid, syscall.SIGINT)
	go func() {
		// exec's WaitDelay kills only the leader; make sure the group goes.
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
			time.Sleep(Grace)
			if syscall.Kill(-pgid, 0) != nil {
				return // the whole group is gone
			}
			syscall.Kill(-pgid, sig)
		}
	}()
	return err
}
