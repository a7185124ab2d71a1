package app

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/topicfeed/topicfeed/app/apptest"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
	"github.com/topicfeed/topicfeed/storage/pgtest"
)

// TestPollIntoPostgres: `database:` a postgres:// URL stores a round of a
// loopback outlet in PostgreSQL (a database of its own in the test
// cluster, pgtest), and no log line shows the password in the URL.
func TestPollIntoPostgres(t *testing.T) {
	const password = "not-in-any-log"
	url := pgtest.WithPassword(t, pgtest.NewDatabase(t), password)
	srv := httptest.NewServer(apptest.ServeFeed(apptest.OnTopicRSS("pg", 3), "application/rss+xml"))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	cfg := apptest.WriteOutletsConfig(t, dir, []apptest.Outlet{{"Loopback", srv.URL + "/feed"}},
		"listen: \"127.0.0.1:0\"\nallow_private_networks: true\n")
	// WriteOutletsConfig names a SQLite file: point database: at PostgreSQL
	body, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	body = regexp.MustCompile(`(?m)^database: .*$`).ReplaceAll(body, []byte(fmt.Sprintf("database: %q", url)))
	if err := os.WriteFile(cfg, body, 0o644); err != nil {
		t.Fatal(err)
	}

	polled, _, log := pollRound(t, cfg, false)
	if len(polled) != 1 {
		t.Fatalf("polled %q, want the one outlet\n%s", polled, apptest.LogTail(log))
	}
	if strings.Contains(log, password) {
		t.Errorf("the log shows the database password:\n%s", apptest.GrepLines(log, password))
	}
	if _, err := os.Stat(dir + "/data"); err == nil {
		t.Errorf("a SQLite data folder was created beside the configuration")
	}

	ctx := context.Background()
	db, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	items, err := db.Items(ctx, news.Query{OnTopic: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 {
		t.Errorf("%d on-topic items stored in PostgreSQL, want 3", len(items))
	}
	for _, it := range items {
		if len(it.Sources) != 1 || it.Sources[0].Outlet != "Loopback" {
			t.Errorf("item %q: sources %+v, want one of Loopback", it.Title, it.Sources)
		}
	}
}
