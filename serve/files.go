package serve

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"sort"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// cleanRel turns the rest of a request path into a path relative to a
// root, or reports false for one that could leave it or that names
// something no image holds: a ".." or "." element, an empty element, a
// backslash, a NUL, or an encoded slash or backslash in the raw path.
func cleanRel(r *http.Request, rest string) (string, bool) {
	raw := strings.ToLower(r.URL.RawPath)
	if strings.Contains(raw, "%2f") || strings.Contains(raw, "%5c") {
		return "", false
	}
	if rest == "" {
		return ".", true
	}
	if strings.ContainsAny(rest, "\\\x00") || !fs.ValidPath(rest) {
		return "", false
	}
	return rest, true
}

// serveFile serves rel from root: a directory as its index.html, never a
// listing; a missing or refused name is 404.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, root *os.Root, rel string) {
	if root == nil {
		http.NotFound(w, r)
		return
	}
	f, fi, err := openServed(root, rel)
	if err != nil {
		s.notFound(w, r, err)
		return
	}
	defer f.Close()
	if fi.IsDir() {
		if !strings.HasSuffix(r.URL.Path, "/") {
			http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
			return
		}
		f.Close()
		rel = path.Join(rel, "index.html")
		if f, fi, err = openServed(root, rel); err != nil {
			s.notFound(w, r, err)
			return
		}
		defer f.Close()
		if !fi.Mode().IsRegular() {
			s.notFound(w, r, nil)
			return
		}
	}
	if !fi.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, fi.Name(), fi.ModTime(), f)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.logf("%s %s: %v", r.Method, r.URL.Path, err)
	}
	http.NotFound(w, r)
}

// files serves the files below a root under prefix ("/report/").
func (s *Server) files(prefix, root string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rel, ok := cleanRel(r, strings.TrimPrefix(r.URL.Path, prefix))
		if !ok {
			http.NotFound(w, r)
			return
		}
		s.serveFile(w, r, s.roots[root], rel)
	}
}

// topFile serves one named file at the top of the image.
func (s *Server) topFile(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.serveFile(w, r, s.roots["top"], name)
	}
}

// modProxy serves the GOPROXY protocol under /mod/ (see the package doc).
func (s *Server) modProxy(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "the module proxy is read-only", http.StatusMethodNotAllowed)
		return
	}
	rel, ok := cleanRel(r, strings.TrimPrefix(r.URL.Path, "/mod/"))
	root := s.roots["mod"]
	if !ok || root == nil {
		http.NotFound(w, r)
		return
	}
	if mod, ok := strings.CutSuffix(rel, "/@latest"); ok {
		if _, err := module.UnescapePath(mod); err != nil {
			http.NotFound(w, r)
			return
		}
		s.latest(w, r, root, mod)
		return
	}
	mod, file, ok := strings.Cut(rel, "/@v/")
	if !ok || strings.Contains(file, "/") {
		http.NotFound(w, r)
		return
	}
	if _, err := module.UnescapePath(mod); err != nil {
		http.NotFound(w, r)
		return
	}
	switch {
	case file == "list":
		s.list(w, r, root, mod)
		return
	case strings.HasSuffix(file, ".info"), strings.HasSuffix(file, ".mod"), strings.HasSuffix(file, ".zip"):
		v := file[:strings.LastIndex(file, ".")]
		if uv, err := module.UnescapeVersion(v); err != nil || !semver.IsValid(uv) {
			http.NotFound(w, r)
			return
		}
	default:
		http.NotFound(w, r)
		return
	}
	switch path.Ext(file) {
	case ".info":
		w.Header().Set("Content-Type", "application/json")
	case ".zip":
		w.Header().Set("Content-Type", "application/zip")
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	s.serveFile(w, r, root, mod+"/@v/"+file)
}

// versions returns the versions of the escaped module mod: its @v/list,
// or, without one, the versions that have a .info file.
func versions(root *os.Root, mod string) ([]string, error) {
	f, _, err := openServed(root, mod+"/@v/list")
	if err == nil {
		defer f.Close()
		var vs []string
		sc := bufio.NewScanner(io.LimitReader(f, 8<<20))
		for sc.Scan() {
			if v := strings.TrimSpace(sc.Text()); v != "" {
				vs = append(vs, v)
			}
		}
		return vs, sc.Err()
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	d, _, err := openServed(root, mod+"/@v")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	var vs []string
	for _, n := range names {
		if v, ok := strings.CutSuffix(n, ".info"); ok {
			if uv, err := module.UnescapeVersion(v); err == nil && semver.IsValid(uv) && !module.IsPseudoVersion(uv) {
				vs = append(vs, uv)
			}
		}
	}
	semver.Sort(vs)
	return vs, nil
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, root *os.Root, mod string) {
	vs, err := versions(root, mod)
	if err != nil {
		s.notFound(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	for _, v := range vs {
		io.WriteString(w, v+"\n")
	}
}

// latest answers $module/@latest with the .info of the highest release
// in the list (the highest pre-release when there is no release).
func (s *Server) latest(w http.ResponseWriter, r *http.Request, root *os.Root, mod string) {
	vs, err := versions(root, mod)
	if err != nil {
		s.notFound(w, r, err)
		return
	}
	sort.SliceStable(vs, func(i, j int) bool {
		pi, pj := semver.Prerelease(vs[i]) != "", semver.Prerelease(vs[j]) != ""
		if pi != pj {
			return !pi // releases first
		}
		return semver.Compare(vs[i], vs[j]) > 0
	})
	for _, v := range vs {
		ev, err := module.EscapeVersion(v)
		if err != nil || !semver.IsValid(v) {
			continue
		}
		b, err := readSmall(root, mod+"/@v/"+ev+".info", 1<<20)
		if err != nil {
			continue
		}
		var info struct{ Version string }
		if json.Unmarshal(b, &info) != nil || info.Version != v {
			continue
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
		return
	}
	http.NotFound(w, r)
}

// readSmall reads name from root, at most limit bytes.
func readSmall(root *os.Root, name string, limit int64) ([]byte, error) {
	f, _, err := openServed(root, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(b)) > limit {
		return nil, errors.New(name + ": larger than " + http.StatusText(http.StatusRequestEntityTooLarge))
	}
	return b, err
}
