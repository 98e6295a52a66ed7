package image

import (
	"embed"
	htmltemplate "html/template"
	"io"
	"path"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/human"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

var (
	readmeTmpl    = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/README.txt.tmpl"))
	startHereTmpl = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/START_HERE.html.tmpl"))
)

// DocInfo is what START_HERE.html and README.txt show.
type DocInfo struct {
	Manifest  *Manifest
	HasReport bool
	Targets   []coverage.Target // the top few sprint targets, may be empty
	// HostPlatform is the "goos/goarch" of bin/sprintkit.
	HostPlatform string
}

// docView is the view model of both templates.
type docView struct {
	Project, Upstream, ShortCommit, SprintkitVersion, CreatedDate string
	GoRequired, StagedWith, DirName, ProxyDir                     string
	ModuleCount                                                   int
	HasReport                                                     bool
	Targets                                                       []coverage.Target
	Commands                                                      []docCommand
	Rule                                                          string
}

type docCommand struct{ Label, Line string }

func newDocView(d DocInfo) docView {
	m := d.Manifest
	v := docView{
		Project:          m.Project,
		Upstream:         m.Upstream,
		ShortCommit:      human.Commit(m.Commit),
		SprintkitVersion: m.SprintkitVersion,
		CreatedDate:      m.Created.UTC().Format(time.DateOnly),
		GoRequired:       m.Go,
		StagedWith:       m.StagedWith,
		DirName:          path.Base(strings.TrimSuffix(m.Project, "/")),
		ProxyDir:         ProxyDir,
		ModuleCount:      len(m.Modules),
		HasReport:        d.HasReport,
		Targets:          d.Targets,
	}
	if v.GoRequired == "" {
		v.GoRequired = "(any)"
	}
	if v.StagedWith == "" {
		v.StagedWith = "no Go toolchain"
	}
	if v.ShortCommit == "" {
		v.ShortCommit = "(unknown)"
	}
	v.Rule = strings.Repeat("=", len([]rune(v.Project))+len(" — sprint dev-in-a-box"))
	seen := map[string]bool{}
	add := func(platform, bin string) {
		if seen[platform] {
			return
		}
		seen[platform] = true
		goos, goarch, _ := strings.Cut(platform, "/")
		v.Commands = append(v.Commands, docCommand{Label: platformLabel(goos, goarch), Line: setupLine(goos, bin, v.DirName)})
	}
	if d.HostPlatform != "" {
		goos, _, _ := strings.Cut(d.HostPlatform, "/")
		add(d.HostPlatform, "bin/"+exeName(goos))
	}
	for _, p := range m.Platforms {
		goos, goarch, _ := strings.Cut(p, "/")
		add(p, "bin/"+goos+"-"+goarch+"/"+exeName(goos))
	}
	return v
}

func setupLine(goos, bin, dirName string) string {
	if goos == "windows" {
		return strings.ReplaceAll(bin, "/", `\`) + ` setup --from-image . --dir %USERPROFILE%\` + dirName
	}
	return "./" + bin + " setup --from-image . --dir ~/" + dirName
}

func platformLabel(goos, goarch string) string {
	names := map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows", "freebsd": "FreeBSD"}
	arch := map[string]string{"amd64": "x86-64", "arm64": "ARM64", "386": "32-bit x86", "arm": "ARM"}
	n, a := names[goos], arch[goarch]
	if n == "" {
		n = goos
	}
	if a == "" {
		a = goarch
	}
	if goos == "darwin" && goarch == "arm64" {
		a = "Apple silicon"
	}
	if goos == "darwin" && goarch == "amd64" {
		a = "Intel"
	}
	if goos == "windows" {
		return n + " (" + a + ", cmd.exe)"
	}
	return n + " (" + a + ")"
}

func exeName(goos string) string {
	if goos == "windows" {
		return "sprintkit.exe"
	}
	return "sprintkit"
}

// WriteReadme renders README.txt.
func WriteReadme(w io.Writer, d DocInfo) error { return readmeTmpl.Execute(w, newDocView(d)) }

// WriteStartHere renders START_HERE.html.
func WriteStartHere(w io.Writer, d DocInfo) error { return startHereTmpl.Execute(w, newDocView(d)) }
