package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/topicfeed/topicfeed/app/apptest"
	"github.com/topicfeed/topicfeed/publish"
)

// TestImportOPMLLayouts: the new outlets' lines go after the last outlet's
// entry, however it is written, and nothing else changes.
func TestImportOPMLLayouts(t *testing.T) {
	shipped, err := os.ReadFile(filepath.Join(apptest.Root(), "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	topics := string(shipped[bytes.Index(shipped, []byte("\ntopics:"))+1:])
	list := publish.OPMLList{
		Feeds:    []publish.OPMLOutlet{{Name: "New", URL: "https://new.example/feed"}, {Name: "Old", URL: "https://old.example/other"}},
		Unusable: []publish.OPMLOutlet{{Name: "Rel", URL: "feed.xml"}},
	}
	for _, c := range []struct {
		name, outlets, want string // want: outlets after the import
	}{
		{"indented", "outlets:\n  - name: Old\n    url: https://old.example/feed\n\n# next\n",
			"outlets:\n  - name: Old\n    url: https://old.example/feed\n  - name: \"New\"\n    url: \"https://new.example/feed\"\n\n# next\n"},
		{"not indented, a comment of the entry", "outlets:\n- name: Old\n  url: https://old.example/feed\n  # language: en\n# next\n",
			"outlets:\n- name: Old\n  url: https://old.example/feed\n  # language: en\n- name: \"New\"\n  url: \"https://new.example/feed\"\n# next\n"},
		{"dash alone, wide indent", "outlets:\n    -\n      name: Old\n      url: https://old.example/feed\n",
			"outlets:\n    -\n      name: Old\n      url: https://old.example/feed\n    - name: \"New\"\n      url: \"https://new.example/feed\"\n"},
		{"flow map entry, blank line in it", "outlets:\n  - {name: Old,\n\n     url: \"https://old.example/feed\"}\n\n  # trailing\n",
			"outlets:\n  - {name: Old,\n\n     url: \"https://old.example/feed\"}\n  - name: \"New\"\n    url: \"https://new.example/feed\"\n\n  # trailing\n"},
		{"CRLF", "outlets:\r\n  - name: Old\r\n    url: https://old.example/feed\r\n",
			"outlets:\r\n  - name: Old\r\n    url: https://old.example/feed\r\n  - name: \"New\"\r\n    url: \"https://new.example/feed\"\r\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := topics + c.outlets
			imp, err := ImportOPML("config.yaml", []byte(src), list)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(imp.Config); got != topics+c.want {
				t.Errorf("outlets after the import:\n%q\nwant\n%q", strings.TrimPrefix(got, topics), c.want)
			}
			if len(imp.Added) != 1 || len(imp.Skipped) != 2 || !strings.Contains(imp.Skipped[1], "Rel (feed.xml): not an absolute") {
				t.Errorf("added %q, skipped %q", imp.Added, imp.Skipped)
			}
			if !strings.Contains(imp.Diff, "+  - name: \"New\"") && !strings.Contains(imp.Diff, "+- name: \"New\"") && !strings.Contains(imp.Diff, "+    - name: \"New\"") {
				t.Errorf("diff:\n%s", imp.Diff)
			}
		})
	}
	// a file without a final newline
	imp, err := ImportOPML("config.yaml", []byte(topics+"outlets:\n  - name: Old\n    url: https://old.example/feed"), list)
	if err != nil || !strings.HasSuffix(string(imp.Config), "url: https://old.example/feed\n  - name: \"New\"\n    url: \"https://new.example/feed\"\n") {
		t.Errorf("no final newline: %v\n%q", err, imp.Config[len(topics):])
	}
	// a flow list is left for a person to edit
	if _, err := ImportOPML("config.yaml", []byte(topics+"outlets: [{name: Old, url: \"https://old.example/feed\"}]\n"), list); err == nil || !strings.Contains(err.Error(), "by hand") {
		t.Errorf("flow list: %v", err)
	}
}
