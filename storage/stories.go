package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// StoryDoc is what story clustering keeps of a stored item: enough to
// rebuild its index after a restart, none of the item's HTML, sources or
// tagging. An item whose story state is stored under the version asked
// for comes with State and without Title and Text (they are not read);
// otherwise State is nil and the index must analyse Title and Text.
type StoryDoc struct {
	ID                       int64
	UID, Outlet, Title, Text string
	Published                time.Time
	StoryID                  string
	State                    []byte
}

// EachStoryDoc calls fn for every on-topic item published at or after
// since, oldest first (by Published, then by ID: the order they were
// assigned to stories in), one row at a time: memory does not grow with
// the number of items. Items with a story state of stateVersion come with
// it instead of their text. It reads one snapshot; an error from fn stops
// it and is returned as it is.
func (db *DB) EachStoryDoc(ctx context.Context, since time.Time, stateVersion int64, fn func(StoryDoc) error) error {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("query story docs: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to undo
	// When every on-topic item of the window has a state of this version
	// (two index-only counts tell), the states table alone is read: no
	// item row is touched. Otherwise a range scan of
	// items_on_topic_published, read backwards, with each item's state if
	// it has one; the title and text (most of an item's row) are read only
	// for items without a state.
	var items, states int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM items WHERE on_topic = 1 AND published >= ?`,
		toMillis(since)).Scan(&items); err != nil {
		return fmt.Errorf("count story docs: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM story_states WHERE version = ? AND published >= ?`,
		stateVersion, toMillis(since)).Scan(&states); err != nil {
		return fmt.Errorf("count story states: %w", err)
	}
	query := `SELECT i.id, i.uid, o.name, i.story_id, i.published, s.state,
			CASE WHEN s.state IS NULL THEN i.title END, CASE WHEN s.state IS NULL THEN i.text END
		FROM items i JOIN outlets o ON o.id = i.outlet_id
			LEFT JOIN story_states s ON s.item_id = i.id AND s.version = ?1
		WHERE i.on_topic = 1 AND i.published >= ?2
		ORDER BY i.published, i.id`
	if items == states {
		query = `SELECT s.item_id, s.uid, o.name, s.story_id, s.published, s.state, NULL, NULL
			FROM story_states s JOIN outlets o ON o.id = s.outlet_id
			WHERE s.version = ?1 AND s.published >= ?2
			ORDER BY s.published, s.item_id`
	}
	rows, err := tx.QueryContext(ctx, query, stateVersion, toMillis(since))
	if err != nil {
		return fmt.Errorf("query story docs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			d           StoryDoc
			published   int64
			title, text sql.NullString
		)
		if err := rows.Scan(&d.ID, &d.UID, &d.Outlet, &d.StoryID, &published, &d.State, &title, &text); err != nil {
			return fmt.Errorf("read story doc: %w", err)
		}
		d.Published = fromMillis(published)
		d.Title, d.Text = title.String, text.String
		if err := fn(d); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read story docs: %w", err)
	}
	return nil
}

// SaveStoryStates stores story states (by item id) under version, for
// items restored without one, so that the next start reads them. Items
// that are gone or no longer on topic are skipped. Nothing published
// changes.
func (db *DB) SaveStoryStates(ctx context.Context, version int64, states map[int64][]byte) error {
	if len(states) == 0 {
		return nil
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		put := tx.StmtContext(ctx, db.ws.putStoryState)
		for id, st := range states {
			if len(st) == 0 {
				continue
			}
			if _, err := put.ExecContext(ctx, id, version, st); err != nil {
				return fmt.Errorf("store story state of item %d: %w", id, err)
			}
		}
		return nil
	})
}
