// Package room is the client side of a sprint room's server (`sprintkit
// serve`): the documents it serves (sprint.json, the board of claims) and
// the calls `sprintkit setup URL` and `sprintkit claim` make. Discover
// reads a server's sprint.json, Sprint.GoEnv points the go command at its
// module proxy, PostClaim and ReleaseClaim change the board, Claims reads
// it. It imports no server: package serve (git over CGI, the bbolt claims
// database) imports it for the same documents.
package room

import "strings"

// Sprint is sprint.json: what a sprint server serves (see package serve).
type Sprint struct {
	Type            string   `json:"type"` // "sprint"
	Version         int      `json:"version"`
	Project         string   `json:"project"`
	Commit          string   `json:"commit"`
	Go              string   `json:"go"`
	Upstream        string   `json:"upstream,omitempty"`
	Modules         []string `json:"modules"`
	URLs            URLs     `json:"urls"`
	ClaimsNeedToken bool     `json:"claims_need_token"`
}

// URLs are the addresses of what a sprint server serves.
type URLs struct {
	Home     string `json:"home"`
	Repo     string `json:"repo"`
	GoProxy  string `json:"goproxy"`
	Report   string `json:"report"`
	Baseline string `json:"baseline"`
	Coverage string `json:"coverage"`
	Claims   string `json:"claims"`
	// Simple is the PEP 503 index of a Python project's wheels, for pip.
	Simple string `json:"simple,omitempty"`
}

// SprintType and SprintVersion identify sprint.json.
const (
	SprintType    = "sprint"
	SprintVersion = 1
)

// EnvVar is one setting of the go command's environment (as
// image.EnvVar, which it converts to).
type EnvVar struct {
	Key, Value string
}

// GoEnv returns the environment that points a sprinter's go command at the
// server's module proxy, the way image.NewcomerEnv points it at an image:
// GOPROXY is the server's /mod, then userProxy (the user's own GOPROXY, so
// a module the image lacks falls through; "off" when there is none);
// GONOSUMDB lists the image's module paths, then userNoSumDB; GOFLAGS lets
// go complete go.sum and keeps the module cache removable; GOTOOLCHAIN is
// local. GOMODCACHE is set only when modcache is not "".
func (sp *Sprint) GoEnv(modcache, userProxy, userNoSumDB string) []EnvVar {
	proxy := sp.URLs.GoProxy
	if userProxy == "" {
		userProxy = "off"
	}
	if strings.HasPrefix(userProxy, proxy) {
		proxy = userProxy // already pointed at this server
	} else {
		proxy += "," + userProxy
	}
	nosum := strings.Join(append(append([]string{}, sp.Modules...), strings.FieldsFunc(userNoSumDB, func(r rune) bool { return r == ',' })...), ",")
	var vars []EnvVar
	if modcache != "" {
		vars = append(vars, EnvVar{Key: "GOMODCACHE", Value: modcache})
	}
	return append(vars,
		EnvVar{Key: "GOPROXY", Value: proxy},
		EnvVar{Key: "GOFLAGS", Value: "-mod=mod -modcacherw"},
		EnvVar{Key: "GONOSUMDB", Value: nosum},
		EnvVar{Key: "GOTOOLCHAIN", Value: "local"},
	)
}

// PipEnv is the environment that points a sprinter's pip at the server's
// index, the way GoEnv points the go command at its module proxy; none
// when the server has no wheels.
func (sp *Sprint) PipEnv() []EnvVar {
	if sp.URLs.Simple == "" {
		return nil
	}
	return []EnvVar{{Key: "PIP_INDEX_URL", Value: sp.URLs.Simple}}
}
