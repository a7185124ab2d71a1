package storage

import (
	"context"
	"fmt"
)

// Stats is a snapshot of what is stored, for metrics and status pages.
type Stats struct {
	Items   int
	OnTopic int
	Stories int
	ByTopic map[string]int // on-topic items by topic
	ByTag   map[string]int // on-topic items by tag
}

// Stats reads the counts of stored items, stories, and on-topic items by
// topic and tag. Triggers keep them in the counts table as items are
// stored, re-tagged and pruned (migration 4), so a call reads a few rows
// whatever the store's size. The maps of the result are the caller's own.
func (db *DB) Stats(ctx context.Context) (Stats, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT name, key, n FROM counts WHERE n <> 0`)
	if err != nil {
		return Stats{}, fmt.Errorf("read counts: %w", err)
	}
	defer rows.Close()
	s := Stats{ByTopic: map[string]int{}, ByTag: map[string]int{}}
	for rows.Next() {
		var (
			name, key string
			n         int
		)
		if err := rows.Scan(&name, &key, &n); err != nil {
			return Stats{}, fmt.Errorf("read counts: %w", err)
		}
		switch name {
		case "items":
			s.Items = n
		case "on_topic":
			s.OnTopic = n
		case "stories":
			s.Stories = n
		case "topic":
			s.ByTopic[key] = n
		case "tag":
			s.ByTag[key] = n
		}
	}
	if err := rows.Err(); err != nil {
		return Stats{}, fmt.Errorf("read counts: %w", err)
	}
	return s, nil
}

// countStats counts what Stats reports from the tables themselves: the
// reference the maintained counts are tested against.
func (db *DB) countStats(ctx context.Context) (Stats, error) {
	s := Stats{ByTopic: map[string]int{}, ByTag: map[string]int{}}
	// One read transaction, so that the counts agree with each other.
	tx, err := db.r.BeginTx(ctx, nil)
	if err != nil {
		return Stats{}, fmt.Errorf("count items: %w", err)
	}
	defer tx.Rollback()
	for _, c := range []struct {
		sql string
		dst *int
	}{
		// Each is a scan of a small covering index, never of the items.
		{`SELECT count(*) FROM items`, &s.Items},
		{`SELECT count(*) FROM items WHERE on_topic = 1`, &s.OnTopic},
		{`SELECT count(DISTINCT story_id) FROM items`, &s.Stories},
	} {
		if err := tx.QueryRowContext(ctx, c.sql).Scan(c.dst); err != nil {
			return Stats{}, fmt.Errorf("count items: %w", err)
		}
	}
	for _, q := range []struct {
		sql string
		m   map[string]int
	}{
		{`SELECT topic, count(*) FROM item_topics WHERE on_topic = 1 GROUP BY topic`, s.ByTopic},
		{`SELECT tag, count(*) FROM item_tags WHERE on_topic = 1 GROUP BY tag`, s.ByTag},
	} {
		rows, err := tx.QueryContext(ctx, q.sql)
		if err != nil {
			return Stats{}, fmt.Errorf("count items by label: %w", err)
		}
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return Stats{}, fmt.Errorf("count items by label: %w", err)
			}
			q.m[k] = n
		}
		if err := rows.Close(); err != nil {
			return Stats{}, fmt.Errorf("count items by label: %w", err)
		}
		if err := rows.Err(); err != nil {
			return Stats{}, fmt.Errorf("count items by label: %w", err)
		}
	}
	return s, nil
}
