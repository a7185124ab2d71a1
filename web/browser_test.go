package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// artifactDir is where screenshots go: $TOPICFEED_ARTIFACTS, else a
// temporary directory.
func artifactDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("TOPICFEED_ARTIFACTS")
	if dir == "" {
		return tb.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// newBrowser starts headless Chromium at a phone's viewport size.
func newBrowser(tb testing.TB) context.Context {
	tb.Helper()
	exe := requireTool(tb, "/usr/bin/chromium", "chromium")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(390, 844),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	tb.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	tb.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	tb.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	return bctx
}

func saveScreenshot(tb testing.TB, ctx context.Context, name string) {
	tb.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(artifactDir(tb), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("screenshot: %s (%d bytes)", path, len(png))
}

// run runs one action, failing the test on error.
func run[T any](tb testing.TB, ctx context.Context, what string, a chromedp.Action[T]) T {
	tb.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
	return v
}

func TestBrowserFrontPage(t *testing.T) {
	ctx := newBrowser(t)
	srv, st := liveServer(t, "")
	want := onTopic(st.items)

	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("article.story")),
	); err != nil {
		t.Fatalf("load front page: %v", err)
	}
	titles := run(t, ctx, "story titles", chromedp.Nodes(chromedp.CSSAll("article.story h2 a")))
	links := run(t, ctx, "links", chromedp.Nodes(chromedp.CSSAll("a[href]")))
	alternate := run(t, ctx, "alternate links", chromedp.Nodes(chromedp.CSSAll(`link[rel="alternate"]`)))
	also := run(t, ctx, "coverage links", chromedp.Nodes(chromedp.CSSAll("p.coverage a")))
	viewport := run(t, ctx, "viewport", chromedp.AttributeValue(chromedp.CSS(`meta[name="viewport"]`), "content"))
	overflow := run(t, ctx, "overflow", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
	saveScreenshot(t, ctx, "front-page.png")

	if len(titles) != len(want) {
		t.Errorf("front page shows %d stories, want %d", len(titles), len(want))
	}
	if len(alternate) != 3 {
		t.Errorf("%d <link rel=alternate>, want 3", len(alternate))
	}
	if len(also) != 2 {
		t.Errorf("%d also-reported-by links, want 2 (Al Mayadeen, The Moscow Times)", len(also))
	}
	if !strings.Contains(viewport.Value, "width=device-width") {
		t.Errorf("viewport meta %q", viewport.Value)
	}
	if overflow {
		t.Error("the page scrolls sideways at a phone's width")
	}

	// Every link to the site answers 200.
	client := srv.Client()
	checked := map[string]bool{}
	for _, n := range append(links, alternate...) {
		href := n.AttributeValue("href")
		u, err := url.Parse(href)
		if err != nil || (u.Host != "" && "http://"+u.Host != srv.URL) || checked[href] {
			continue // another site: the outlets' articles
		}
		checked[href] = true
		res, err := client.Get(srv.URL + u.EscapedPath())
		if err != nil {
			t.Errorf("%s: %v", href, err)
			continue
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("link %s answers %d", href, res.StatusCode)
		}
	}
	if len(checked) < 10 {
		t.Errorf("only %d site links checked: %v", len(checked), checked)
	}

	// Following "Story page" in the browser opens the story.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`article.story a[href="/items/u-burns"]`)),
		chromedp.WaitVisible(chromedp.CSS("h1")),
	); err != nil {
		t.Fatalf("follow story link: %v", err)
	}
	h1 := run(t, ctx, "story h1", chromedp.Text(chromedp.CSS("h1")))
	loc := run(t, ctx, "location", chromedp.Location())
	coverage := run(t, ctx, "story coverage", chromedp.Nodes(chromedp.CSSAll("p.coverage a")))
	saveScreenshot(t, ctx, "story-page.png")
	if loc != srv.URL+"/items/u-burns" || !strings.Contains(h1, "CIA director") {
		t.Errorf("story page: location %q, h1 %q", loc, h1)
	}
	if len(coverage) != 2 {
		t.Errorf("story page lists %d other outlets, want 2", len(coverage))
	}

	// The outlets page shows every outlet's health.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav.site a[href="/outlets"]`)),
		chromedp.WaitVisible(chromedp.CSS("table")),
	); err != nil {
		t.Fatalf("outlets page: %v", err)
	}
	rows := run(t, ctx, "outlet rows", chromedp.Nodes(chromedp.CSSAll("tbody tr")))
	failing := run(t, ctx, "failing marker", chromedp.Text(chromedp.CSS(".failing")))
	saveScreenshot(t, ctx, "outlets-page.png")
	if len(rows) != len(st.outlets) || failing != "failing" {
		t.Errorf("outlets page: %d rows (want %d), failing marker %q", len(rows), len(st.outlets), failing)
	}
}
