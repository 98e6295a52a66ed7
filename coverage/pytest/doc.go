// Package pytest is the Python producer of coverage: it runs a project's
// tests under coverage.py with pytest or unittest (Run, run.go), with the
// interpreter internal/pyenv finds, and reads what the run left: pytest's
// JUnit XML (junit.go) or unittest's verbose output (unittest.go), and
// coverage.py's report through coverage/importer. A test module that fails
// to import marks what it tests not run (notrun.go); shard.go splits a run
// into CI shards and merges them again.
package pytest
