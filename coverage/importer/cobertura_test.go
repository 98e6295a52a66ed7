package importer

import (
	"strings"
	"testing"
)

func TestImportCobertura(t *testing.T) {
	const head = `<?xml version="1.0" ?>
<!DOCTYPE coverage SYSTEM "https://raw.githubusercontent.com/cobertura/web/master/htdocs/xml/coverage-04.dtd">
`
	tests := []struct {
		name     string
		xml      string
		total    [2]int
		files    map[string][2]int
		funcs    map[string][]fnWant
		warnings []string
	}{
		{
			name: "totals are lines-covered over lines-valid, paths relative to a source",
			xml: head + `<coverage lines-valid="3" lines-covered="2" line-rate="0.6667" branch-rate="0" version="7.4">
<sources><source>/build/agent/work/proj/src</source><source>SRCROOT/src</source></sources>
<packages><package name="src" line-rate="0.6667">
<classes><class name="a.c" filename="a.c" line-rate="0.6667">
<methods/>
<lines><line number="1" hits="1"/><line number="2" hits="0"/><line number="3" hits="4"/></lines>
</class></classes></package></packages></coverage>`,
			total: [2]int{2, 3},
			files: map[string][2]int{"src/a.c": {2, 3}},
		},
		{
			name: "a relative source directory is taken from the checkout",
			xml: `<coverage lines-valid="1" lines-covered="1"><sources><source>lib/util</source></sources>
<packages><package name="util"><classes><class name="with space.c" filename="with space.c">
<lines><line number="4" hits="1"/></lines></class></classes></package></packages></coverage>`,
			total: [2]int{1, 1},
			files: map[string][2]int{"lib/util/with space.c": {1, 1}},
		},
		{
			name: "classes sharing a file merge, and methods become functions",
			xml: `<coverage lines-valid="5" lines-covered="3">
<packages><package name="com.example"><classes>
<class name="com.example.Outer" filename="src/a.c">
  <methods><method name="run" signature="()V">
    <lines><line number="2" hits="3"/><line number="3" hits="3"/></lines>
  </method></methods>
  <lines><line number="1" hits="1"/><line number="2" hits="3"/><line number="3" hits="3"/></lines>
</class>
<class name="com.example.Outer$Inner" filename="src/a.c">
  <methods><method name="idle" signature="()V"><lines><line number="10" hits="0"/><line number="11" hits="0"/></lines></method></methods>
  <lines><line number="10" hits="0"/><line number="11" hits="0"/></lines>
</class>
</classes></package></packages></coverage>`,
			total: [2]int{3, 5},
			files: map[string][2]int{"src/a.c": {3, 5}},
			funcs: map[string][]fnWant{"src/a.c": {{"Outer.run", 2, 3, 2, 2}, {"Outer$Inner.idle", 10, 11, 2, 0}}},
		},
		{
			name: "branch attributes are accepted",
			xml: `<coverage lines-valid="2" lines-covered="2" branches-valid="2" branches-covered="1" branch-rate="0.5">
<packages><package name="src"><classes><class name="b.c" filename="src/b.c"><lines>
<line number="7" hits="2" branch="true" condition-coverage="50% (1/2)"><conditions><condition number="0" type="jump" coverage="50%"/></conditions></line>
<line number="8" hits="1" branch="false"/>
</lines></class></classes></package></packages></coverage>`,
			total: [2]int{2, 2},
		},
		{
			name: "a class with no lines is a file with zero statements",
			xml: `<coverage lines-valid="0" lines-covered="0"><packages><package name="src"><classes>
<class name="empty.c" filename="src/empty.c"><methods/><lines/></class></classes></package></packages></coverage>`,
			total: [2]int{0, 0},
			files: map[string][2]int{"src/empty.c": {0, 0}},
		},
		{
			name:  "CRLF line endings read the same",
			xml:   "<?xml version=\"1.0\" ?>\r\n<coverage lines-valid=\"1\" lines-covered=\"0\">\r\n<packages><package name=\"src\"><classes>\r\n<class name=\"a.c\" filename=\"src/a.c\"><lines>\r\n<line number=\"5\" hits=\"0\"/>\r\n</lines></class></classes></package></packages></coverage>\r\n",
			total: [2]int{0, 1},
		},
		{
			name: "declared totals that disagree with the lines give way to them, with a warning",
			xml: `<coverage lines-valid="10" lines-covered="9"><packages><package name="src"><classes>
<class name="a.c" filename="src/a.c"><lines><line number="1" hits="1"/></lines></class></classes></package></packages></coverage>`,
			total:    [2]int{1, 1},
			warnings: []string{"declares lines-covered/lines-valid 9/10 but its line data gives 1/1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, sources)
			r := importString(t, root, "coverage.xml", strings.ReplaceAll(tt.xml, "SRCROOT", root))
			if got := [2]int{r.Total.Covered, r.Total.Statements}; got != tt.total {
				t.Errorf("total = %v, want %v", got, tt.total)
			}
			if r.Language != "cobertura" {
				t.Errorf("language %q", r.Language)
			}
			for rel, want := range tt.files {
				f := findFile(r, rel)
				if f == nil {
					t.Errorf("%s missing; packages %v, warnings %q", rel, pkgNames(r), r.Warnings)
					continue
				}
				if got := [2]int{f.Covered, f.Statements}; got != want {
					t.Errorf("%s = %v, want %v", rel, got, want)
				}
			}
			for rel, want := range tt.funcs {
				checkFunctions(t, findFile(r, rel).Functions, want)
			}
			checkWarnings(t, r.Warnings, tt.warnings)
		})
	}
}

func TestParseCoberturaErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"another root element is refused", "<report name=\"x\"/>", "bad.xml:1: want a Cobertura <coverage> root element, got <report>"},
		{"unclosed elements are refused with their line", "<coverage>\n<packages>\n<package>\n", "bad.xml:4: want well-formed XML"},
		{"mismatched tags are refused", "<coverage>\n<packages></package>\n</coverage>", "bad.xml:2: want well-formed XML"},
		{"a line without hits is refused", "<coverage>\n<packages><package><classes><class filename=\"a.c\"><lines>\n<line number=\"3\"/>\n</lines></class></classes></package></packages></coverage>",
			`bad.xml:3: want <line number="N" hits="N"> with a line from 1 to 16777216 and hits ≥ 0, got number="3" hits=""`},
		{"a class without a filename is refused", "<coverage><packages><package><classes>\n<class name=\"x\">", `bad.xml:2: want <class filename="…">`},
		{"non-numeric totals are refused", `<coverage lines-valid="x" lines-covered="1"/>`, "bad.xml:1: want <coverage lines-valid and lines-covered> to be counts"},
		{"an unknown encoding is refused", `<?xml version="1.0" encoding="EBCDIC"?><coverage/>`, "bad.xml:1: want well-formed XML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCobertura("bad.xml", strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseCoberturaLatin1(t *testing.T) {
	in := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><coverage><packages><package><classes>" +
		"<class name=\"x\" filename=\"caf\xe9.c\"><lines><line number=\"1\" hits=\"1\"/></lines></class></classes></package></packages></coverage>"
	p, err := ParseCobertura("l.xml", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if p.Files[0].Path != "café.c" {
		t.Errorf("path = %q", p.Files[0].Path)
	}
}
