// Package pytest is the Python producer of coverage: it finds the project's
// interpreter (FindPython) and runs its tests under coverage.py with pytest
// or unittest (Run), reading coverage.py's report through coverage/importer.
package pytest
