package patchcov

import (
	"fmt"
	"testing"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

func TestChangedTestsNamesTheTestFunctionsOfTheChange(t *testing.T) {
	root := t.TempDir()
	testkit.WriteTree(t, root, map[string]string{
		"args_test.go":       "package args\n\nimport \"testing\"\n\nfunc TestOld(t *testing.T) {\n\tt.Log(1)\n}\n\nfunc TestArg(t *testing.T) {\n\tArg()\n}\n\nfunc helper() {}\n",
		"tests/test_cart.py": "import shop\n\n\ndef test_total():\n    assert shop.total() == 0\n\n\nclass TestCart:\n    def test_add(self):\n        assert True\n\n    def helper(self):\n        pass\n",
		"args.go":            "package args\n\nfunc Arg() {}\n",
	})
	tests := []struct {
		name  string
		files map[string][]int
		want  string
	}{
		{name: "a Go test added whole is added; one with a changed line is changed",
			files: map[string][]int{"args_test.go": {6, 9, 10, 11}, "args.go": {3}},
			want:  "[{TestOld args_test.go 5 false} {TestArg args_test.go 9 true}]"},
		{name: "a change outside any test function names none",
			files: map[string][]int{"args_test.go": {13}},
			want:  "[]"},
		{name: "Python tests, at the top and in a Test class",
			files: map[string][]int{"tests/test_cart.py": {5, 9, 10}},
			want:  "[{test_total tests/test_cart.py 4 false} {TestCart.test_add tests/test_cart.py 9 true}]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := changedTests(root, &Changes{Files: tt.files})
			if s := fmt.Sprint(got); s != tt.want {
				t.Errorf("tests = %s, want %s", s, tt.want)
			}
		})
	}
}
