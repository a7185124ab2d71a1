package storage

import (
	"context"
	"fmt"
	"time"
)

// StoryDoc is what story clustering keeps of a stored item: enough to
// rebuild its index after a restart, none of the item's HTML, sources or
// tagging.
type StoryDoc struct {
	UID, Outlet, Title, Text string
	Published                time.Time
	StoryID                  string
}

// EachStoryDoc calls fn for every on-topic item published at or after
// since, oldest first (by Published, then by ID: the order they were
// assigned to stories in), one row at a time: memory does not grow with
// the number of items. It reads one snapshot; an error from fn stops it
// and is returned as it is.
func (db *DB) EachStoryDoc(ctx context.Context, since time.Time, fn func(StoryDoc) error) error {
	// A range scan of items_on_topic_published, read backwards.
	rows, err := db.r.QueryContext(ctx, `SELECT i.uid, o.name, i.title, i.text, i.published, i.story_id
		FROM items i JOIN outlets o ON o.id = i.outlet_id
		WHERE i.on_topic = 1 AND i.published >= ?
		ORDER BY i.published, i.id`, toMillis(since))
	if err != nil {
		return fmt.Errorf("query story docs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			d         StoryDoc
			published int64
		)
		if err := rows.Scan(&d.UID, &d.Outlet, &d.Title, &d.Text, &published, &d.StoryID); err != nil {
			return fmt.Errorf("read story doc: %w", err)
		}
		d.Published = fromMillis(published)
		if err := fn(d); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read story docs: %w", err)
	}
	return nil
}
