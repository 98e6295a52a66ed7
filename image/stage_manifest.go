package image

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"

	"github.com/sprintkit/sprintkit/internal/state"
)

// stageDocs writes START_HERE.html and README.txt, each only when it
// changed.
func (s *stager) stageDocs(ctx context.Context) error {
	m, prev, res := s.m, s.prev, s.res
	if prev != nil && len(res.Targets) == 0 && contains(res.Skipped, "report") {
		res.Targets = readTargets(s.out)
	}
	doc := DocInfo{Manifest: m, HasReport: exists(filepath.Join(s.reportDir, "index.html")), Targets: firstTargets(res.Targets, 5), HostPlatform: runtime.GOOS + "/" + runtime.GOARCH}
	if prev != nil && m.Commit == prev.Commit {
		doc.Manifest = withCreated(m, prev.Created) // the docs' date moves only with the project
	}
	for _, d := range []struct {
		name  string
		write func(io.Writer, DocInfo) error
	}{{StartHere, WriteStartHere}, {ReadmeFile, WriteReadme}} {
		var b bytes.Buffer
		if err := d.write(&b, doc); err != nil {
			return fmt.Errorf("write %s: %w", d.name, err)
		}
		if err := writeIfChanged(filepath.Join(s.out, d.name), b.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// stageManifest lists every entry of the image in manifest.json, written
// last and atomically.
func (s *stager) stageManifest(ctx context.Context) error {
	s.step("manifest", "hashing every file for manifest.json")
	files, hashed, err := Scan(ctx, s.out, ScanOptions{Previous: s.prev, Workers: s.opts.Workers, Progress: s.opts.HashProgress})
	if err != nil {
		return err
	}
	s.m.SetEntries(files)
	s.res.Hashed = hashed
	if err := state.WriteJSON(filepath.Join(s.out, ManifestFile), s.m); err != nil {
		return err
	}
	s.res.Manifest = s.m
	return nil
}
