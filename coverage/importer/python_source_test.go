package importer

import (
	"fmt"
	"testing"
)

func TestPythonImports(t *testing.T) {
	src := `import os, calc.ops as o
from calc import (
    untested,  # a module
    ops as o2,
)
from calc.ops import *
from . import helpers
from ..calc import deep
x = 1; import not_read
def f():
    from calc.sub import thing \
        , other
s = "import fake"
`
	got := PythonImports([]byte(src), "tests/unit/test_x.py")
	want := []PyImport{{"os", ""}, {"calc.ops", ""}, {"calc", "untested"}, {"calc", "ops"}, {"calc.ops", ""},
		{"tests.unit", "helpers"}, {"tests.calc", "deep"}, {"calc.sub", "thing"}, {"calc.sub", "other"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("imports\n got %v\nwant %v", got, want)
	}
}
