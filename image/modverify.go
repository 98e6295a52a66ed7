package image

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
)

// ModuleProblem is one module of an image whose files do not match.
type ModuleProblem struct {
	Module string // path@version
	Detail string
}

func (p ModuleProblem) String() string { return p.Module + ": " + p.Detail }

// ModuleError is returned when a module the project needs does not match
// its own hashes in the image or the project's go.sum: the image was
// edited after staging (its manifest with it). Nothing was written.
type ModuleError struct {
	Image    string
	Problems []ModuleProblem
}

func (e *ModuleError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "image %s: %s not what the project's go.sum and the image's own hashes say; it was refused", e.Image, countModules(len(e.Problems)))
	writeList(&b, e.Problems)
	return b.String()
}

func countModules(n int) string {
	if n == 1 {
		return "1 module is"
	}
	return fmt.Sprintf("%d modules are", n)
}

// Hint says what to do, for a person.
func (e *ModuleError) Hint() string {
	return "someone changed the image's modules after it was staged: get the image again from the organiser (not from a neighbour's stick) and rerun; nothing was written"
}

// moduleSet is what the project in an image's repo/ needs of its module
// tree: every module version its go.mod files reach through the image's
// own .mod files (a superset of the build list: every version mentioned,
// not only the one selected), and the hashes its go.sum files hold.
type moduleSet struct {
	img    string
	files  map[string]FileEntry // the manifest's entries, by path
	needed map[module.Version]bool
	paths  map[string]bool     // the module paths of needed
	main   map[string]bool     // the project's own module paths
	sums   map[string][]string // "path version" or "path version/go.mod" → h1: hashes
}

// projectModules reads the project's go.mod, go.work and go.sum files of
// the image (verified already) and walks the module graph through the
// image's .mod files.
func projectModules(img string, m *Manifest) (*moduleSet, error) {
	s := &moduleSet{img: img, files: map[string]FileEntry{}, needed: map[module.Version]bool{}, paths: map[string]bool{}, main: map[string]bool{}, sums: map[string][]string{}}
	var roots []module.Version
	repl := map[module.Version]module.Version{} // a Version of "" replaces every version
	for _, e := range m.Files {
		s.files[e.Path] = e
		if !e.IsFile() || !strings.HasPrefix(e.Path, RepoDir+"/") {
			continue
		}
		switch path.Base(e.Path) {
		case "go.sum", "go.work.sum":
			if err := s.readSum(e.Path); err != nil {
				return nil, err
			}
		case "go.mod", "go.work":
			mod, req, rep, err := readRequirements(filepath.Join(img, filepath.FromSlash(e.Path)))
			if err != nil {
				return nil, err
			}
			if mod != "" {
				s.main[mod] = true
			}
			roots = append(roots, req...)
			for k, v := range rep {
				repl[k] = v
			}
		}
	}
	queue := roots
	for len(queue) > 0 {
		mv := queue[0]
		queue = queue[1:]
		if r, ok := repl[mv]; ok {
			mv = r
		} else if r, ok := repl[module.Version{Path: mv.Path}]; ok {
			mv = r
		}
		if mv.Version == "" || s.needed[mv] { // a directory replacement, or seen
			continue
		}
		s.needed[mv], s.paths[mv.Path] = true, true
		name, ok := s.file(mv, ".mod")
		if !ok {
			continue
		}
		b, err := os.ReadFile(filepath.Join(img, filepath.FromSlash(name)))
		if err != nil {
			return nil, err
		}
		f, err := modfile.ParseLax(name, b, nil)
		if err != nil {
			continue // go rejects it too, if it needs it
		}
		for _, r := range f.Require {
			queue = append(queue, r.Mod)
		}
	}
	return s, nil
}

// readRequirements returns the module path the go.mod file at name
// declares ("" for a go.work), what it requires, and what it replaces by
// another module version.
func readRequirements(name string) (string, []module.Version, map[module.Version]module.Version, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return "", nil, nil, err
	}
	rep := map[module.Version]module.Version{}
	if filepath.Base(name) == "go.work" {
		w, err := modfile.ParseWork(name, b, nil)
		if err != nil {
			return "", nil, nil, fmt.Errorf("read %s: %w", name, err)
		}
		for _, r := range w.Replace {
			rep[r.Old] = r.New
		}
		return "", nil, rep, nil
	}
	f, err := modfile.ParseLax(name, b, nil)
	if err != nil {
		return "", nil, nil, fmt.Errorf("read %s: %w", name, err)
	}
	mod := ""
	if f.Module != nil {
		mod = f.Module.Mod.Path
	}
	var req []module.Version
	for _, r := range f.Require {
		req = append(req, r.Mod)
	}
	for _, r := range f.Replace {
		rep[r.Old] = r.New
	}
	return mod, req, rep, nil
}

// readSum adds the lines of the go.sum at the image path name.
func (s *moduleSet) readSum(name string) error {
	b, err := os.ReadFile(filepath.Join(s.img, filepath.FromSlash(name)))
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && strings.HasPrefix(f[2], "h1:") {
			k := f[0] + " " + f[1]
			s.sums[k] = append(s.sums[k], f[2])
		}
	}
	return sc.Err()
}

// file returns the image path of mv's file with the suffix ext (".zip")
// and whether the manifest lists it.
func (s *moduleSet) file(mv module.Version, ext string) (string, bool) {
	ep, err1 := module.EscapePath(mv.Path)
	ev, err2 := module.EscapeVersion(mv.Version)
	if err1 != nil || err2 != nil {
		return "", false
	}
	name := ProxyDir + "/" + ep + "/@v/" + ev + ext
	e, ok := s.files[name]
	return name, ok && e.IsFile()
}

// owner says which module version the file rel (relative to the module
// tree) belongs to: a version's .info, .mod, .zip or .ziphash, or a
// module's @v/list (Version ""). ok is false for anything else.
func owner(rel string) (mv module.Version, ok bool) {
	dir, base := path.Split(rel)
	ep, found := strings.CutSuffix(dir, "/@v/")
	if !found {
		return mv, false
	}
	p, err := module.UnescapePath(ep)
	if err != nil {
		return mv, false
	}
	if base == "list" {
		return module.Version{Path: p}, true
	}
	for _, ext := range []string{".info", ".mod", ".zip", ".ziphash"} {
		if ev, found := strings.CutSuffix(base, ext); found {
			v, err := module.UnescapeVersion(ev)
			return module.Version{Path: p, Version: v}, err == nil
		}
	}
	return mv, false
}

// isMain reports whether mv is one of the project's own modules (go
// records a main module's version info in the module cache too).
func (s *moduleSet) isMain(mv module.Version) bool { return s.main[mv.Path] }

// wanted reports whether the project needs the module tree's file rel.
func (s *moduleSet) wanted(rel string) (module.Version, bool) {
	mv, ok := owner(rel)
	if !ok {
		return mv, false
	}
	if mv.Version == "" {
		return mv, s.paths[mv.Path]
	}
	return mv, s.needed[mv]
}

// verify checks every needed module version the image holds: its zip's
// h1: hash (dirhash.HashZip) must equal its .ziphash, which the go command
// trusts without hashing the zip again, and the project's go.sum line when
// there is one; its .mod must hash to its go.sum line when there is one.
// A line go.sum lacks is added by the go command in the checkout, from the
// .ziphash the zip was checked against.
func (s *moduleSet) verify() []ModuleProblem {
	var out []ModuleProblem
	vs := make([]module.Version, 0, len(s.needed))
	for mv := range s.needed {
		vs = append(vs, mv)
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].String() < vs[j].String() })
	for _, mv := range vs {
		if d := s.verifyZip(mv); d != "" {
			out = append(out, ModuleProblem{Module: mv.String(), Detail: d})
		}
		if d := s.verifyMod(mv); d != "" {
			out = append(out, ModuleProblem{Module: mv.String(), Detail: d})
		}
	}
	return out
}

func (s *moduleSet) verifyZip(mv module.Version) string {
	zip, ok := s.file(mv, ".zip")
	if !ok {
		return ""
	}
	got, err := dirhash.HashZip(filepath.Join(s.img, filepath.FromSlash(zip)), dirhash.Hash1)
	if err != nil {
		return fmt.Sprintf("its zip cannot be read as a module zip: %v", err)
	}
	if zh, ok := s.file(mv, ".ziphash"); ok {
		b, err := os.ReadFile(filepath.Join(s.img, filepath.FromSlash(zh)))
		if err != nil {
			return err.Error()
		}
		if want := strings.TrimSpace(string(b)); want != got {
			return fmt.Sprintf("its zip hashes to %s, its .ziphash says %s", got, want)
		}
	}
	for _, want := range s.sums[mv.Path+" "+mv.Version] {
		if want != got {
			return fmt.Sprintf("its zip hashes to %s, the project's go.sum says %s", got, want)
		}
	}
	return ""
}

func (s *moduleSet) verifyMod(mv module.Version) string {
	name, ok := s.file(mv, ".mod")
	wants := s.sums[mv.Path+" "+mv.Version+"/go.mod"]
	if !ok || len(wants) == 0 {
		return ""
	}
	got, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return os.Open(filepath.Join(s.img, filepath.FromSlash(name)))
	})
	if err != nil {
		return err.Error()
	}
	for _, want := range wants {
		if want != got {
			return fmt.Sprintf("its go.mod hashes to %s, the project's go.sum says %s", got, want)
		}
	}
	return ""
}
