package pytest

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/coverage/importer"
)

// JUnit XML, as pytest writes it (junit_family xunit1 or xunit2):
//
//	<testsuites><testsuite name="pytest" tests="3" failures="1" …>
//	  <testcase classname="tests.test_ops" name="test_add" time="0.001"/>
//	  <testcase classname="tests.test_ops.TestOps" name="test_div" time="0.002">
//	    <failure message="ZeroDivisionError">traceback…</failure>   (or <error>, <skipped>)
//	    <system-out>…</system-out>
//	  </testcase>
//	</testsuite></testsuites>
type junitCase struct {
	Classname string     `xml:"classname,attr"`
	Name      string     `xml:"name,attr"`
	Time      string     `xml:"time,attr"`
	Failure   *junitText `xml:"failure"`
	Error     *junitText `xml:"error"`
	Skipped   *junitText `xml:"skipped"`
	SystemOut string     `xml:"system-out"`
	SystemErr string     `xml:"system-err"`
}

type junitText struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func parseJUnit(r io.Reader, mods map[string]string) ([]coverage.TestResult, error) {
	d := xml.NewDecoder(r)
	d.CharsetReader = importer.CharsetReader
	var out []coverage.TestResult
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "testcase" {
			continue
		}
		var tc junitCase
		if err := d.DecodeElement(&tc, &se); err != nil {
			return nil, err
		}
		pkg, name := splitTestName(tc.Classname, tc.Name, mods)
		if tc.Classname == "" && tc.Error != nil {
			// A module pytest could not collect: <testcase classname=""
			// name="tests.test_broken"><error message="collection failure">.
			out = append(out, coverage.TestResult{Package: tc.Name, Test: collectionTest, Outcome: "fail",
				Output: collectionOutput(tc.Error.Text)})
			continue
		}
		t := coverage.TestResult{Package: pkg, Test: name, Outcome: "pass"}
		t.Seconds, _ = strconv.ParseFloat(tc.Time, 64)
		var fail *junitText
		switch {
		case tc.Failure != nil:
			fail = tc.Failure
		case tc.Error != nil:
			fail = tc.Error
		case tc.Skipped != nil:
			t.Outcome = "skip"
		}
		if fail != nil {
			t.Outcome = "fail"
			var b strings.Builder
			for _, s := range []string{fail.Message, fail.Text, tc.SystemOut, tc.SystemErr} {
				if s = strings.TrimSpace(s); s != "" && !strings.Contains(b.String(), s) {
					if b.Len() > 0 {
						b.WriteString("\n")
					}
					b.WriteString(s)
				}
			}
			t.Output = b.String()
		}
		out = append(out, t)
	}
	return out, nil
}
