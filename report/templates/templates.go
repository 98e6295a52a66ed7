// Package templates holds the HTML templates, stylesheet and script of the
// static coverage report, embedded so the binary needs no files beside it.
// Everything here works from file:// with no network: no CDN, no web fonts.
//
// The page templates (index.html, package.html, file.html) share the
// "top" and "bottom" blocks of layout.html and the "treemap" block of
// treemap.html; report.HTML parses them once with html/template and feeds
// each a view model. The assets (style.css, site.js) are copied verbatim
// into the site's assets/ directory.
package templates

import "embed"

// FS holds *.html templates and the assets.
//
//go:embed *.html *.css *.js
var FS embed.FS

// Pages are the template files parsed together into one set.
var Pages = []string{"layout.html", "treemap.html", "index.html", "package.html", "file.html", "patch.html"}

// Assets are copied to assets/ in every site.
var Assets = []string{"style.css", "site.js", "linetests.js"}
