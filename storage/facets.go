package storage

import (
	"context"
	"fmt"
)

// OnTopicCounts returns the number of stored on-topic items each outlet
// carried (as its own item or as another source of one: what its page and
// feeds select), by outlet name, every outlet included. It counts a range
// of item_outlets' primary key per outlet, so its cost grows with the
// on-topic items stored; the web server asks once per change.
func (db *DB) OnTopicCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT o.name,
		(SELECT count(*) FROM item_outlets x WHERE x.outlet_id = o.id AND x.on_topic = 1) FROM outlets o`)
	if err != nil {
		return nil, fmt.Errorf("count on-topic items by outlet: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			name string
			n    int
		)
		if err := rows.Scan(&name, &n); err != nil {
			return nil, fmt.Errorf("count on-topic items by outlet: %w", err)
		}
		out[name] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count on-topic items by outlet: %w", err)
	}
	return out, nil
}

// FacetCounts returns the number of on-topic items by topic and by tag,
// from the counts Stats reads.
func (db *DB) FacetCounts(ctx context.Context) (topics, tags map[string]int, err error) {
	s, err := db.Stats(ctx)
	if err != nil {
		return nil, nil, err
	}
	return s.ByTopic, s.ByTag, nil
}
