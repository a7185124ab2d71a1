package aggregator

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/cluster"
	"github.com/topicfeed/topicfeed/aggregator/fetcher"
	"github.com/topicfeed/topicfeed/aggregator/normalize"
	"github.com/topicfeed/topicfeed/aggregator/tagger"
	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// benchFeed writes a feedsim-like RSS 2.0 document: n items of 1–8 KB of
// HTML in content:encoded (paragraphs, a figure, a relative link), pct% of
// them on topic (spread evenly over seq); items with seq ≥ first are the
// newest. Deterministic from its arguments.
func benchFeed(outlet string, first, n, pct int) string {
	vocab := strings.Fields(`the council said on Tuesday would its new plan for local residents and business leaders after
		weeks of debate over budget housing transport schools hospitals roads water power market prices workers union
		talks agreement report figures growth season team coach match league weather rain wind forecast region city`)
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>%s</title><link>https://%s.example/</link>`, outlet, outlet)
	for seq := first + n - 1; seq >= first; seq-- {
		r := rand.New(rand.NewPCG(uint64(seq), 42))
		title := fmt.Sprintf("Council debates plan number %d for the %s", seq, vocab[r.IntN(len(vocab))])
		lead := "Residents asked questions about the plan."
		if seq*pct%100 < pct {
			title = fmt.Sprintf("Iran delivers batch %d of Shahed drones to Russia, Kyiv says", seq)
			lead = fmt.Sprintf("Iran has shipped consignment %d of drones to Russia, Ukrainian intelligence said, adding that the Shahed units were assembled near Moscow.", seq)
		}
		var body strings.Builder
		fmt.Fprintf(&body, "<p>%s</p>", lead)
		size := 1024 + r.IntN(7*1024)
		for body.Len() < size {
			body.WriteString("<p>")
			for range 40 + r.IntN(40) {
				body.WriteString(vocab[r.IntN(len(vocab))])
				body.WriteByte(' ')
			}
			fmt.Fprintf(&body, `<a href="/story/%d">more</a>.</p>`, r.IntN(1000))
			if r.IntN(4) == 0 {
				fmt.Fprintf(&body, `<figure><img src="/img/%d.jpg" alt="photo"/><figcaption>Photo %d</figcaption></figure>`, seq, seq)
			}
		}
		fmt.Fprintf(&b, `<item><title>%s</title><link>https://%s.example/%d</link><guid>https://%s.example/%d</guid><pubDate>%s</pubDate><description>%s</description><content:encoded><![CDATA[%s]]></content:encoded></item>`,
			title, outlet, seq, outlet, seq, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(seq)*time.Minute).Format(time.RFC1123Z),
			lead, body.String())
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPoll measures one poll of a 50-item feed through the whole
// pipeline (fetch from a loopback server, parse, normalise, tag,
// fingerprint, cluster, store in SQLite): the first poll of the outlet,
// and a re-poll after 3 new items were published (47 unchanged), each with
// 5% of the items on topic (a general outlet's usual share) and with 30%.
// It reports CPU time per item of the feed (the test server's included).
func BenchmarkPoll(b *testing.B) {
	cfg, err := config.LoadFile(filepath.Join("..", "config.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	tg, err := tagger.New(cfg.Topics, cfg.Tags)
	if err != nil {
		b.Fatal(err)
	}
	const items = 50
	for _, tc := range []struct {
		name    string
		changed int // new items before the timed poll; 0: the first poll
	}{{"first", 0}, {"repoll-3-changed", 3}} {
		for _, pct := range []int{5, 30} {
			b.Run(fmt.Sprintf("%s/%dpct", tc.name, pct), func(b *testing.B) { benchPoll(b, tg, items, tc.changed, pct) })
		}
	}
}

// benchPoll is one case of BenchmarkPoll: a poll of an items-long feed,
// pct% on topic, the first one (changed 0) or after changed new items.
func benchPoll(b *testing.B, tg *tagger.Tagger, items, changed, pct int) {
	var body atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(body.Load().(string)))
	}))
	defer srv.Close()
	now := func() time.Time { return time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC) }
	norm := normalize.New(normalize.DefaultRules())
	var cpu time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		ctx := context.Background()
		db, err := storage.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		name := fmt.Sprintf("outlet%d", i)
		o := Outlet{Outlet: news.Outlet{Name: name, Slug: name, URL: srv.URL + "/feed"}, Interval: 15 * time.Minute}
		if err := db.SyncOutlets(ctx, []news.Outlet{o.Outlet}); err != nil {
			b.Fatal(err)
		}
		p := NewPoller(PollerDeps{Fetcher: fetcher.New(fetcher.Options{AllowPrivateNetworks: true, Timeout: 10 * time.Second, Now: now}),
			Normalizer: norm, Tagger: tg, Stories: cluster.New(cluster.Options{Now: now}), Store: db, Now: now, Log: discard()})
		body.Store(benchFeed(name, 0, items, pct))
		if changed > 0 {
			if r := p.Poll(ctx, o); r.Err != nil || r.Stats.New != items {
				b.Fatalf("first poll: %+v", r)
			}
			body.Store(benchFeed(name, changed, items, pct))
		}
		start := cpuTime()
		b.StartTimer()
		r := p.Poll(ctx, o)
		b.StopTimer()
		cpu += cpuTime() - start
		if r.Err != nil || r.Items != items {
			b.Fatalf("poll: %+v", r)
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*items), "cpu-ns/item")
}
