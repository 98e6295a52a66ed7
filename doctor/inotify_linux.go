package doctor

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/sprintkit/sprintkit/internal/human"
)

// Inotify checks the inotify watch limit against the number of directories
// watch-test would watch.
//
// # Linux notes
//
// watch-test watches every directory with inotify, one watch each.
// fs.inotify.max_user_watches caps the watches of all of a user's programs
// together (editors and IDEs use the same pool). The default was 8192 on
// older kernels; since Linux 5.11 it scales with memory (about 1% of RAM,
// capped at 1048576). Past the limit, adding a watch fails with ENOSPC and
// the watcher falls back to polling, which is slower to notice saves.
func Inotify(opts Options) (Check, bool) {
	c := Check{ID: "inotify", Name: "inotify watch limit"}
	b, err := os.ReadFile("/proc/sys/fs/inotify/max_user_watches")
	if err != nil {
		c.Status = Warn
		c.Detail = "cannot read /proc/sys/fs/inotify/max_user_watches: " + err.Error()
		c.Hint = "watch-test may fall back to polling"
		return c, true
	}
	limit, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		c.Status = Warn
		c.Detail = fmt.Sprintf("unreadable limit %q", strings.TrimSpace(string(b)))
		return c, true
	}
	return inotifyVerdict(c, limit, opts.Dirs), true
}

func inotifyVerdict(c Check, limit, dirs int) Check {
	hint := "sudo sysctl fs.inotify.max_user_watches=524288 (add it to /etc/sysctl.d/ to keep it after a reboot)"
	switch {
	case dirs == 0:
		c.Status = OK
		c.Detail = fmt.Sprintf("limit %d watches (directories are counted after the clone)", limit)
	case dirs > limit:
		c.Status = Warn
		c.Detail = fmt.Sprintf("%d directories to watch, but the limit is %d watches; watch-test would fall back to polling", dirs, limit)
		c.Hint = hint
	case dirs > limit/2:
		c.Status = Warn
		c.Detail = fmt.Sprintf("%d directories to watch use over half the limit of %d watches, which your editor shares", dirs, limit)
		c.Hint = hint
	default:
		c.Status = OK
		c.Detail = fmt.Sprintf("%s to watch, limit %d", human.Count(dirs, "directory", "directories"), limit)
	}
	return c
}
