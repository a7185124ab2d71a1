package publish

import (
	"reflect"
	"strings"
	"testing"
)

// TestReadOPMLUnusable: outlines whose xmlUrl no feed can be read from
// are returned with it as written, for the import to report.
func TestReadOPMLUnusable(t *testing.T) {
	l, err := ReadOPML(strings.NewReader(`<opml version="2.0"><body>
<outline text="Folder"><outline text="Good" xmlUrl="https://good.example/feed"/></outline>
<outline text="Relative" xmlUrl="/feeds/local.xml"/>
<outline title="Gopher" xmlUrl="gopher://old.example/1"/>
<outline text="Link" htmlUrl="https://page.example/"/>
</body></opml>`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []OPMLOutlet{{Name: "Good", URL: "https://good.example/feed"}}; !reflect.DeepEqual(l.Feeds, want) {
		t.Errorf("Feeds = %v, want %v", l.Feeds, want)
	}
	want := []OPMLOutlet{{Name: "Relative", URL: "/feeds/local.xml"}, {Name: "Gopher", URL: "gopher://old.example/1"}}
	if !reflect.DeepEqual(l.Unusable, want) {
		t.Errorf("Unusable = %v, want %v", l.Unusable, want)
	}
}
