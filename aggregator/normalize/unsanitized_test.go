package normalize

import (
	"reflect"
	"strings"
	"testing"
)

// TestItemUnsanitizedMatchesItem checks, on every golden case (the seed
// articles among them), that ItemUnsanitized leaves the item Item gives
// but for its content: the same Text and title (what the tagger reads),
// and, once sanitised, the same ContentHTML. The report may differ only
// in counting a cut of the sanitised HTML, which ItemUnsanitized cannot
// know.
func TestItemUnsanitizedMatchesItem(t *testing.T) {
	n := New(DefaultRules())
	deferred := 0
	for _, name := range goldenCases(t) {
		t.Run(name, func(t *testing.T) {
			src, f := caseFeed(t, name)
			for i := range f.Items {
				want, wantRep, wantOK := n.Item(src, f, i, goldenNow)
				got, gotRep, gotOK := n.ItemUnsanitized(src, f, i, goldenNow)
				if gotOK != wantOK {
					t.Fatalf("item %d: ok %v, Item's %v", i, gotOK, wantOK)
				}
				if !wantOK {
					continue
				}
				if got.Text != want.Text || got.Title != want.Title {
					t.Errorf("item %d: the tagger would read other text:\ngot  %q / %q\nwant %q / %q", i, got.Title, got.Text, want.Title, want.Text)
				}
				if got.PendingHTML != "" {
					deferred++
					if got.ContentHTML != "" {
						t.Errorf("item %d: both ContentHTML and PendingHTML set", i)
					}
				}
				n.Sanitize(&got)
				if got.PendingHTML != "" {
					t.Errorf("item %d: PendingHTML left after Sanitize", i)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("item %d: sanitised later differs from Item:\ngot  %+v\nwant %+v", i, got, want)
				}
				gotRep.Truncated, wantRep.Truncated = false, false
				if !reflect.DeepEqual(gotRep, wantRep) {
					t.Errorf("item %d: report %+v, Item's %+v", i, gotRep, wantRep)
				}
			}
		})
	}
	if deferred == 0 {
		t.Error("no golden item was left unsanitised")
	}
}

// TestItemUnsanitizedSanitisesLater checks that the pending content is not
// safe to publish as it is and that Sanitize makes it so: scripts dropped,
// links absolute and marked.
func TestItemUnsanitizedSanitisesLater(t *testing.T) {
	n := New(DefaultRules())
	f := feedOf(itemOf("A headline", "https://example.com/a/1",
		`<p>Body text of the article, long enough to keep.</p><script>alert(1)</script><p><a href="/b/2" onclick="x()">more</a></p>`))
	it, _, ok := n.ItemUnsanitized(Source{Outlet: "Example", FeedURL: "https://example.com/feed"}, f, 0, goldenNow)
	if !ok || it.ContentHTML != "" || !strings.Contains(it.PendingHTML, "onclick") {
		t.Fatalf("ok %v, content %q, pending %q", ok, it.ContentHTML, it.PendingHTML)
	}
	n.Sanitize(&it)
	if it.PendingHTML != "" {
		t.Errorf("pending content left: %q", it.PendingHTML)
	}
	for _, bad := range []string{"<script", "onclick", `href="/b/2"`} {
		if strings.Contains(it.ContentHTML, bad) {
			t.Errorf("sanitised content holds %s: %s", bad, it.ContentHTML)
		}
	}
	if !strings.Contains(it.ContentHTML, `href="https://example.com/b/2"`) || !strings.Contains(it.ContentHTML, `rel="nofollow noopener"`) {
		t.Errorf("link not absolute and marked: %s", it.ContentHTML)
	}
}
