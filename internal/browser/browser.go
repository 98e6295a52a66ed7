// Package browser opens a local file in the user's default browser, and
// names the command that does it, for "Next:" lines a person pastes.
package browser

import (
	"os/exec"
	"runtime"
)

// Command is the shell command that opens a file in the default browser on
// goos: "xdg-open" (Linux, BSDs), "open" (macOS), "start" (Windows: cmd.exe
// and PowerShell both have it).
func Command(goos string) string {
	switch goos {
	case "darwin":
		return "open"
	case "windows":
		return "start"
	}
	return "xdg-open"
}

// Open opens path in the default browser without waiting for it. On
// Windows it goes through url.dll's FileProtocolHandler, which is what
// `start` does without needing a shell.
func Open(path string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", path)
	default:
		cmd = exec.Command(Command(runtime.GOOS), path)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}
