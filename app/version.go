package app

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Version describes the running binary for `topicfeed -version`: the
// module's version ("(devel)" when built from a checkout rather than
// installed at a tagged version), the VCS revision and commit time the
// build stamped, with "+modified" when the work tree had changes, and the
// Go version.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "topicfeed (no build information) " + runtime.Version()
	}
	return versionOf(bi)
}

func versionOf(bi *debug.BuildInfo) string {
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+modified"
			}
		}
	}
	parts := []string{"topicfeed", bi.Main.Version}
	if bi.Main.Version == "" {
		parts[1] = "(unknown version)"
	}
	if rev != "" {
		parts = append(parts, fmt.Sprintf("revision %s%s", rev[:min(len(rev), 12)], modified))
		if at != "" {
			parts = append(parts, "of "+at)
		}
	}
	return strings.Join(append(parts, bi.GoVersion), " ")
}
