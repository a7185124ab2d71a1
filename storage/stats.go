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

// Stats counts the stored items, stories, and on-topic items by topic and
// tag. It reads indexes only.
func (db *DB) Stats(ctx context.Context) (Stats, error) {
	s := Stats{ByTopic: map[string]int{}, ByTag: map[string]int{}}
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(on_topic), 0), COUNT(DISTINCT story_id) FROM items`).
		Scan(&s.Items, &s.OnTopic, &s.Stories)
	if err != nil {
		return Stats{}, fmt.Errorf("count items: %w", err)
	}
	for _, q := range []struct {
		sql string
		m   map[string]int
	}{
		{`SELECT topic, COUNT(*) FROM item_topics WHERE on_topic = 1 GROUP BY topic`, s.ByTopic},
		{`SELECT tag, COUNT(*) FROM item_tags WHERE on_topic = 1 GROUP BY tag`, s.ByTag},
	} {
		rows, err := db.r.QueryContext(ctx, q.sql)
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
