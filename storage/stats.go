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
