package app

import (
	"context"
	"database/sql"
	"fmt"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the test cluster's admin connection

	"github.com/topicfeed/topicfeed/app/apptest"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// testPostgresURL creates an empty database in the test cluster
// (TOPICFEED_TEST_POSTGRES, see scripts/pg) and returns its URL with a
// password the cluster ignores (trust), which no log may show. Without a
// cluster the test is skipped, or fails when CI is set.
func testPostgresURL(t *testing.T, password string) string {
	t.Helper()
	base := os.Getenv("TOPICFEED_TEST_POSTGRES")
	if base == "" {
		msg := `no PostgreSQL cluster for the tests: start one with eval "$(scripts/pg start)" (sets TOPICFEED_TEST_POSTGRES)`
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("topicfeed_app_test_%d", os.Getpid())
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	// postgres://user@host:port/postgres?query → postgres://user:password@host:port/name?query
	m := regexp.MustCompile(`^(postgres(?:ql)?://)([^@/:]+)(?::[^@/]*)?@([^/?]+)/[^?]*(\?.*)?$`).FindStringSubmatch(base)
	if m == nil {
		t.Fatalf("TOPICFEED_TEST_POSTGRES: want postgres://user@host:port/database, got %s", storage.Redact(base))
	}
	return m[1] + m[2] + ":" + password + "@" + m[3] + "/" + name + m[4]
}

// TestPollIntoPostgres: `database:` a postgres:// URL stores a round of a
// loopback outlet in PostgreSQL, and no log line shows the password.
func TestPollIntoPostgres(t *testing.T) {
	const password = "not-in-any-log"
	url := testPostgresURL(t, password)
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
