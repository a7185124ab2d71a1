package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/mmcdole/gofeed"
	_ "modernc.org/sqlite" // the pure-Go SQLite topicfeed stores into
)

// floorReport is what the libraries topicfeed is built on cost per item on
// every outlet's current document, in CPU microseconds on one goroutine:
// parsing (gofeed), sanitising each item's HTML (bluemonday's UGC policy)
// and storing each item as one row of a one-table SQLite database (a
// transaction per document). No aggregator can ingest for less with these
// libraries; BENCHMARKS.md sets topicfeed's own cost per item against it.
type floorReport struct {
	Documents      int     `json:"documents"`
	Items          int     `json:"items"`
	Bytes          int64   `json:"bytes"`
	ParseUS        float64 `json:"parse_us_per_item"`
	SanitizeUS     float64 `json:"sanitize_us_per_item"`
	InsertUS       float64 `json:"insert_us_per_item"`
	TotalUS        float64 `json:"total_us_per_item"`
	Rows           int     `json:"rows"`
	SanitizedBytes int64   `json:"sanitized_bytes"`
}

// cpuTime is the process's user and system CPU time so far: it counts the
// collector's work on other threads too, as topicfeed's figures do.
func cpuTime() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// libraryFloor renders every outlet's current document (the bytes serve
// sends and parse times) and measures the three stages one after another,
// each from a collected heap, with the database in dir.
func libraryFloor(ctx context.Context, sim *Sim, dir string) (floorReport, error) {
	n := sim.opts.Outlets
	docs := make([][]byte, n)
	r := floorReport{Documents: n}
	for i := range docs {
		b, _, _, err := sim.Document(i, Format(i))
		if err != nil {
			return r, err
		}
		docs[i] = b
		r.Bytes += int64(len(b))
	}
	db, err := openFloorDB(ctx, filepath.Join(dir, "floor.db"))
	if err != nil {
		return r, err
	}
	defer db.Close()

	feeds := make([]*gofeed.Feed, n)
	parse, err := cpuOf(func() error {
		for i, d := range docs {
			f, err := gofeed.NewParser().Parse(bytes.NewReader(d))
			if err != nil {
				return fmt.Errorf("parse outlet %d: %w", i, err)
			}
			feeds[i] = f
			r.Items += len(f.Items)
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	if r.Items == 0 {
		return r, fmt.Errorf("the documents hold no items")
	}
	html := make([][]string, n)
	policy := bluemonday.UGCPolicy()
	sanitize, err := cpuOf(func() error {
		for i, f := range feeds {
			html[i] = make([]string, len(f.Items))
			for j, it := range f.Items {
				c := it.Content
				if c == "" {
					c = it.Description
				}
				html[i][j] = policy.Sanitize(c)
				r.SanitizedBytes += int64(len(html[i][j]))
			}
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	insert, err := cpuOf(func() error {
		for i, f := range feeds {
			if err := insertFloor(ctx, db, f, html[i]); err != nil {
				return fmt.Errorf("store outlet %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM items`).Scan(&r.Rows); err != nil {
		return r, fmt.Errorf("count rows: %w", err)
	}
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 / float64(r.Items) }
	r.ParseUS, r.SanitizeUS, r.InsertUS = per(parse), per(sanitize), per(insert)
	r.TotalUS = per(parse + sanitize + insert)
	return r, nil
}

// cpuOf returns the CPU time f takes, after a collection so that no stage
// pays for the garbage of the one before.
func cpuOf(f func() error) (time.Duration, error) {
	runtime.GC()
	start, err := cpuTime()
	if err != nil {
		return 0, err
	}
	if err := f(); err != nil {
		return 0, err
	}
	end, err := cpuTime()
	if err != nil {
		return 0, err
	}
	return end - start, nil
}

// openFloorDB opens a new database as topicfeed's writer does (WAL,
// synchronous NORMAL) with one table and no index but the rowid.
func openFloorDB(ctx context.Context, path string) (*sql.DB, error) {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("floor database: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, fmt.Errorf("floor database: %w", err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE items(
		id INTEGER PRIMARY KEY, guid TEXT, link TEXT, title TEXT, published TEXT, html TEXT)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("floor database %s: %w", path, err)
	}
	return db, nil
}

func insertFloor(ctx context.Context, db *sql.DB, f *gofeed.Feed, html []string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	// After Commit, Rollback only reports sql.ErrTxDone.
	defer func() { _ = tx.Rollback() }()
	st, err := tx.PrepareContext(ctx, `INSERT INTO items(guid, link, title, published, html) VALUES(?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for j, it := range f.Items {
		if _, err := st.ExecContext(ctx, it.GUID, it.Link, it.Title, it.Published, html[j]); err != nil {
			return err
		}
	}
	return tx.Commit()
}
