package pyenv

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// SimpleIndex serves the wheels (and source archives) in dir as a PEP 503
// simple repository, for pip's --index-url:
//
//	/simple/                 one link per project, by its normalized name
//	/simple/<name>/          one link per file, with #sha256=<hex> of it
//	/simple/<name>/<file>    the file
//
// A file's project is its name up to the first "-" for a wheel, up to the
// last "-" for an sdist, normalized as PEP 503 says (Normalize). Hashes are
// computed once per file (name, size and modification time).
func SimpleIndex(dir string) http.Handler {
	return &simpleIndex{dir: dir, sums: map[string]string{}}
}

type simpleIndex struct {
	dir  string
	mu   sync.Mutex
	sums map[string]string // name\x00size\x00mtime → hex sha256
}

func (x *simpleIndex) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/simple/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	files, err := x.files()
	if err != nil {
		http.Error(w, "wheels: "+err.Error(), http.StatusInternalServerError)
		return
	}
	project, file, _ := strings.Cut(rest, "/")
	switch {
	case project == "":
		x.writeRoot(w, files)
	case file == "":
		if project != Normalize(project) {
			http.Redirect(w, r, "/simple/"+Normalize(project)+"/", http.StatusMovedPermanently)
			return
		}
		x.writeProject(w, project, files[project])
	default:
		for _, f := range files[project] {
			if f == file {
				w.Header().Set("Content-Type", "application/octet-stream")
				http.ServeFile(w, r, filepath.Join(x.dir, f))
				return
			}
		}
		http.NotFound(w, r)
	}
}

// files are the index's files by normalized project name, sorted.
func (x *simpleIndex) files() (map[string][]string, error) {
	entries, err := os.ReadDir(x.dir)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if p := distProject(e.Name()); p != "" {
			out[p] = append(out[p], e.Name())
		}
	}
	return out, nil
}

// distProject is the normalized project of a distribution file name, ""
// when it is none.
func distProject(name string) string {
	switch {
	case strings.HasSuffix(name, ".whl"):
		p, _, ok := strings.Cut(name, "-")
		if ok {
			return Normalize(p)
		}
	case strings.HasSuffix(name, ".tar.gz"), strings.HasSuffix(name, ".zip"):
		base := strings.TrimSuffix(strings.TrimSuffix(name, ".tar.gz"), ".zip")
		if i := strings.LastIndex(base, "-"); i > 0 {
			return Normalize(base[:i])
		}
	}
	return ""
}

func (x *simpleIndex) writeRoot(w http.ResponseWriter, files map[string][]string) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, "<!DOCTYPE html>\n<html><head><title>Simple index</title></head><body>\n")
	for _, n := range names {
		fmt.Fprintf(w, "<a href=\"%s/\">%s</a><br>\n", html.EscapeString(n), html.EscapeString(n))
	}
	io.WriteString(w, "</body></html>\n")
}

func (x *simpleIndex) writeProject(w http.ResponseWriter, project string, files []string) {
	if len(files) == 0 {
		http.Error(w, "no such project: "+project, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>Links for %s</title></head><body>\n", html.EscapeString(project))
	for _, f := range files {
		sum, err := x.sum(f)
		if err != nil {
			continue
		}
		fmt.Fprintf(w, "<a href=\"%s#sha256=%s\">%s</a><br>\n", html.EscapeString(f), sum, html.EscapeString(f))
	}
	io.WriteString(w, "</body></html>\n")
}

// sum is the SHA-256 of the index's file f, computed once.
func (x *simpleIndex) sum(f string) (string, error) {
	p := filepath.Join(x.dir, f)
	fi, err := os.Stat(p)
	if err != nil {
		return "", err
	}
	key := fmt.Sprintf("%s\x00%d\x00%s", f, fi.Size(), fi.ModTime().Format(time.RFC3339Nano))
	x.mu.Lock()
	s, ok := x.sums[key]
	x.mu.Unlock()
	if ok {
		return s, nil
	}
	fh, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return "", err
	}
	s = hex.EncodeToString(h.Sum(nil))
	x.mu.Lock()
	x.sums[key] = s
	x.mu.Unlock()
	return s, nil
}
