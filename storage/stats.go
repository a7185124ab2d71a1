package storage

import (
	"context"
	"fmt"
	"maps"
)

// Stats is a snapshot of what is stored, for metrics and status pages.
type Stats struct {
	Items   int
	OnTopic int
	Stories int
	ByTopic map[string]int // on-topic items by topic
	ByTag   map[string]int // on-topic items by tag
}

// statsCache keeps the last Stats with the content revision it was
// counted at: scrapes between two changes cost one read of meta.
type statsCache struct {
	rev   int64
	stats Stats
}

// Stats counts the stored items, stories, and on-topic items by topic and
// tag. It reads indexes only, and only when the content changed since the
// last call. The maps of the result are the caller's own.
func (db *DB) Stats(ctx context.Context) (Stats, error) {
	rev, err := db.ContentRevision(ctx)
	if err != nil {
		return Stats{}, err
	}
	db.statsMu.Lock()
	defer db.statsMu.Unlock()
	if db.stats == nil || db.stats.rev != rev {
		s, err := db.countStats(ctx)
		if err != nil {
			return Stats{}, err
		}
		db.stats = &statsCache{rev: rev, stats: s}
	}
	s := db.stats.stats
	s.ByTopic = maps.Clone(s.ByTopic)
	s.ByTag = maps.Clone(s.ByTag)
	return s, nil
}

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
