package web

import (
	"database/sql"
	"testing"

	_ "modernc.org/sqlite" // reads newsboat's SQLite cache
)

// newsboatTitles lists the entry titles newsboat stored in its cache file,
// which is what it shows in its article list.
func newsboatTitles(tb testing.TB, cache string) []string {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+cache+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT title FROM rss_item ORDER BY pubDate DESC`)
	if err != nil {
		tb.Fatalf("read newsboat cache: %v", err)
	}
	defer rows.Close()
	var titles []string
	for rows.Next() {
		var title string
		if err := rows.Scan(&title); err != nil {
			tb.Fatal(err)
		}
		titles = append(titles, title)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return titles
}
