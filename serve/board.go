package serve

import (
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/sprintkit/sprintkit/image"
	"github.com/sprintkit/sprintkit/report/templates"
)

// Target is one ranked sprint target of the image's coverage.json.
type Target struct {
	Rank      int     `json:"rank"`
	Kind      string  `json:"kind"`
	Name      string  `json:"name"`
	Package   string  `json:"package,omitempty"`
	File      string  `json:"file,omitempty"`
	Percent   float64 `json:"percent"`
	Uncovered int     `json:"uncovered"`
	Reason    string  `json:"reason"`
	Functions []struct {
		Name string `json:"name"`
	} `json:"functions,omitempty"`
}

// maxTargets is how many targets the board lists.
const maxTargets = 500

// readTargets reads the targets of coverage.json at the top of the image;
// none when the image has no coverage.json (staged with --no-report).
func readTargets(top *os.Root) ([]Target, error) {
	b, err := readSmall(top, image.CoverageFile, 256<<20)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", image.CoverageFile, err)
	}
	var doc struct {
		Targets []Target `json:"targets"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("parse %s: %w", image.CoverageFile, err)
	}
	if len(doc.Targets) > maxTargets {
		doc.Targets = doc.Targets[:maxTargets]
	}
	return doc.Targets, nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.landing)
	mux.HandleFunc("GET /board.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(boardJS)
	})
	mux.HandleFunc("GET /style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(reportCSS)
	})
	mux.HandleFunc("GET /sprint.json", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.sprint(baseURL(r)))
	})
	mux.HandleFunc("/repo.git/", s.gitRepo)
	mux.HandleFunc("/mod/", s.modProxy)
	mux.Handle("GET /simple/", s.simple())
	mux.HandleFunc("GET /report/", s.files("/report/", "report"))
	mux.HandleFunc("GET /bin/", s.files("/bin/", "bin"))
	mux.HandleFunc("GET /baseline.json", s.topFile(image.BaselineFile))
	mux.HandleFunc("GET /coverage.json", s.topFile(image.CoverageFile))
	mux.HandleFunc("GET /manifest.json", s.topFile(image.ManifestFile))
	mux.HandleFunc("GET /claims", s.listClaims)
	mux.HandleFunc("POST /claims", s.postClaim)
	mux.HandleFunc("DELETE /claims/{target...}", s.deleteClaim)
	return mux
}

// hostRE is a plain host[:port] as a Host header carries it.
var hostRE = regexp.MustCompile(`^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$`)

// baseURL is the server's URL as the client reached it, with a final
// slash.
func baseURL(r *http.Request) string {
	host := r.Host
	if !hostRE.MatchString(host) {
		host = "127.0.0.1"
		if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
			host = a.String()
		}
	}
	return "http://" + host + "/"
}

func (s *Server) sprint(base string) Sprint {
	m := s.manifest
	mods := m.ModulePaths()
	if mods == nil {
		mods = []string{}
	}
	return withSimple(Sprint{
		Type: SprintType, Version: SprintVersion,
		Project: m.Project, Commit: m.Commit, Go: m.Go, Upstream: m.Upstream,
		Modules: mods,
		URLs: URLs{
			Home: base, Repo: base + "repo.git", GoProxy: base + "mod",
			Report: base + "report/", Baseline: base + "baseline.json",
			Coverage: base + "coverage.json", Claims: base + "claims",
		},
		ClaimsNeedToken: s.token != "",
	}, base, s.hasWheels())
}

func (s *Server) listClaims(w http.ResponseWriter, r *http.Request) {
	cs, err := s.claims.All()
	if err != nil {
		s.logf("GET /claims: %v", err)
		writeError(w, http.StatusInternalServerError, "the claims database cannot be read")
		return
	}
	if cs == nil {
		cs = []Claim{}
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, Board{Type: "claims", Version: 1, Claims: cs})
}

// authorized reports whether r may change the board, answering 401 when
// not.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	if s.token == "" {
		return true
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ok && subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1 {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="sprint"`)
	writeError(w, http.StatusUnauthorized, "claims on this board need the sprint's token (Authorization: Bearer TOKEN)")
	return false
}

// knownTarget reports whether name is a target of coverage.json (any name
// when the image has none), by any unit: a listed target, its package, its
// file, or one of its functions as `--by function` names it ("pkg.Func").
func (s *Server) knownTarget(name string) bool {
	if len(s.targets) == 0 {
		return true
	}
	for _, t := range s.targets {
		if t.Name == name || (t.Package != "" && t.Package == name) || (t.File != "" && t.File == name) {
			return true
		}
		short := t.Package
		if i := strings.LastIndex(short, "/"); i >= 0 {
			short = short[i+1:]
		}
		for _, fn := range t.Functions {
			if short+"."+fn.Name == name {
				return true
			}
		}
	}
	return false
}

func (s *Server) postClaim(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	// Only application/json: a form or a text/plain body, which another
	// site could make a browser send without asking (no CORS preflight),
	// is refused.
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "a claim is sent as application/json")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxClaimBody)
	var c Claim
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&c); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("a claim request is at most %d bytes", maxClaimBody))
			return
		}
		writeError(w, http.StatusBadRequest, "a claim is a JSON object {\"target\", \"name\", \"note\"}: "+err.Error())
		return
	}
	if err := CheckClaim(&c); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if !s.knownTarget(c.Target) {
		writeError(w, http.StatusNotFound, "no target "+c.Target+" in this sprint's coverage.json")
		return
	}
	got, err := s.claims.Claim(c, time.Now())
	var ce *ClaimedError
	switch {
	case errors.As(err, &ce):
		writeJSON(w, http.StatusConflict, ErrorDoc{Type: "error", Version: 1, Error: ce.Error(), Claim: &ce.Claim})
		return
	case err != nil:
		s.logf("POST /claims: %v", err)
		writeError(w, http.StatusInternalServerError, "the claim could not be saved")
		return
	}
	writeJSON(w, http.StatusCreated, ClaimDoc{Type: "claim", Version: 1, Claim: got})
}

func (s *Server) deleteClaim(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	target := r.PathValue("target")
	// The claimant releases their own claim; the organiser (the sprint's
	// token, on a server that has one) any claim.
	as := strings.TrimSpace(r.URL.Query().Get("as"))
	if as == "" && s.token == "" {
		writeError(w, http.StatusBadRequest, "releasing a claim needs the claimant's name (as=NAME), or the organiser's token")
		return
	}
	c, found, err := s.claims.Release(target, as)
	var ny *NotYoursError
	switch {
	case errors.As(err, &ny):
		writeError(w, http.StatusForbidden, ny.Error())
	case err != nil:
		s.logf("DELETE /claims: %v", err)
		writeError(w, http.StatusInternalServerError, "the claim could not be released")
	case !found:
		writeError(w, http.StatusNotFound, "nobody has claimed "+target)
	default:
		writeJSON(w, http.StatusOK, ClaimDoc{Type: "claim", Version: 1, Claim: c})
	}
}

//go:embed board.js
var boardJS []byte

//go:embed landing.html
var landingHTML string

// reportCSS is the report's stylesheet (both themes, by
// prefers-color-scheme), which the landing page and its board share: the
// one the binary embeds, not a copy.
var reportCSS = func() []byte {
	b, err := templates.FS.ReadFile("style.css")
	if err != nil {
		panic("serve: the report's style.css is not embedded: " + err.Error())
	}
	return b
}()

var landingTmpl = template.Must(template.New("landing").Funcs(template.FuncMap{
	"since": func(t time.Time) string { return t.Local().Format("15:04 Mon 2 Jan") },
}).Parse(landingHTML))

// binaryLink is one sprintkit binary of the image, for the landing page.
type binaryLink struct{ Label, Path string }

type targetRow struct {
	Target
	Claim *Claim
	Group string // the package, on the first row of its group
}

type landingView struct {
	Sprint
	Short     string
	Join      string
	Dir       string
	GitClone  string
	GoEnv     string
	Targets   []targetRow
	Others    []Claim // claims on names that are not listed targets
	Binaries  []binaryLink
	NeedToken bool
}

func (s *Server) landing(w http.ResponseWriter, r *http.Request) {
	cs, err := s.claims.All()
	if err != nil {
		s.logf("GET /: %v", err)
	}
	sp := s.sprint(baseURL(r))
	byTarget := map[string]*Claim{}
	for i := range cs {
		byTarget[cs[i].Target] = &cs[i]
	}
	v := landingView{Sprint: sp, NeedToken: s.token != ""}
	v.Short = sp.Commit
	if len(v.Short) > 12 {
		v.Short = v.Short[:12]
	}
	v.Join = "sprintkit setup " + sp.URLs.Home
	v.Dir = projectDir(sp.Project)
	v.GitClone = "git clone " + sp.URLs.Repo + " " + v.Dir
	v.GoEnv = "GOPROXY=" + sp.URLs.GoProxy + " GONOSUMDB=" + strings.Join(sp.Modules, ",") + " GOFLAGS=-mod=mod go test ./..."
	if f, err := s.roots["top"].Stat(image.HostBinary()); err == nil && f.Mode().IsRegular() {
		host := s.manifest.HostPlatform
		if host == "" { // an image staged before the manifest said
			host = runtime.GOOS + "/" + runtime.GOARCH
		}
		v.Binaries = append(v.Binaries, binaryLink{"sprintkit for " + host, image.HostBinary()})
	}
	for _, p := range s.manifest.Platforms {
		v.Binaries = append(v.Binaries, binaryLink{"sprintkit for " + p, image.PlatformBinary(p)})
	}
	listed := map[string]bool{}
	for _, t := range s.targets {
		listed[t.Name] = true
	}
	v.Targets = groupByPackage(s.targets, byTarget)
	for _, c := range cs {
		if !listed[c.Target] {
			v.Others = append(v.Others, c)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if err := landingTmpl.Execute(w, v); err != nil {
		s.logf("GET /: %v", err)
	}
}

// groupByPackage lists targets grouped by their package, the groups in the
// order of their best-ranked target and each group in rank order; a group
// of file or function targets starts with its package's name.
func groupByPackage(ts []Target, claims map[string]*Claim) []targetRow {
	var order []string
	groups := map[string][]Target{}
	for _, t := range ts {
		if _, ok := groups[t.Package]; !ok {
			order = append(order, t.Package)
		}
		groups[t.Package] = append(groups[t.Package], t)
	}
	var rows []targetRow
	for _, p := range order {
		for i, t := range groups[p] {
			row := targetRow{Target: t, Claim: claims[t.Name]}
			if i == 0 && t.Kind != "package" && p != "" {
				row.Group = p
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// projectDir is the directory a clone of project goes into: its last path
// element.
func projectDir(project string) string {
	p := strings.TrimSuffix(project, "/")
	if i := strings.LastIndex(p, "/"); i >= 0 {
		p = p[i+1:]
	}
	if p == "" || strings.ContainsAny(p, " '\"\\$`;&|<>") {
		return "project"
	}
	return p
}
