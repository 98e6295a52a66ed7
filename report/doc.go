// Package report renders a ranked coverage result for people and scripts: a
// terminal table, the JSON contract, Markdown to paste into an issue, and the
// static HTML site.
package report
