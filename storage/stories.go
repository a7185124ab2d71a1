package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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
	tx, err := db.r.BeginTx(ctx, db.eng.snapshot())
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

// relatedStoriesLimit bounds the stories RelatedStories returns.
const relatedStoriesLimit = 20

// relatedStoriesSQL lists the stories related to story ?1, at most ?2:
// items_story finds the story's items, items_related the items that name
// it, and items_story each linked story's latest item.
// items_related is a partial index: the query repeats its condition,
// or the planner does not use it.
const relatedStoriesSQL = `SELECT story FROM (
		SELECT l.story, (SELECT max(published) FROM items WHERE story_id = l.story) AS latest FROM (
			SELECT related_story AS story FROM items WHERE story_id = ?1 AND related_story <> ''
			UNION ALL
			SELECT story_id FROM items WHERE related_story = ?1 AND related_story <> ''
		) l WHERE l.story <> ?1 GROUP BY l.story
	) AS related WHERE latest IS NOT NULL
	ORDER BY latest DESC, story DESC LIMIT ?2`

// RelatedStories returns the stories related to the story with that id
// without being part of it, whichever of the two named the other: the
// stories its items name as related (news.Item.RelatedStory) and the
// stories of the items that name it. Each comes once, newest first (by
// its latest stored item), at most 20; a story with no stored item left
// is not returned.
func (db *DB) RelatedStories(ctx context.Context, storyID string) ([]string, error) {
	if storyID == "" {
		return nil, nil
	}
	rows, err := db.r.QueryContext(ctx, relatedStoriesSQL, storyID, relatedStoriesLimit)
	if err != nil {
		return nil, fmt.Errorf("query stories related to %q: %w", storyID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("query stories related to %q: %w", storyID, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query stories related to %q: %w", storyID, err)
	}
	return out, nil
}

// SetStories moves stored items to other stories: stories maps an item's
// UID to the story it belongs to now (story clustering decided it again
// when an item published before it arrived). Items not stored, or already
// in that story, are left as they are; it returns how many items moved.
// The items' story states follow them, the story count is kept, the
// revision is bumped when any item moved, so that feeds and pages are
// rendered again, and each moved item records when it moved: the entry of
// the story it joined shows that time as its update (fillStorySources).
func (db *DB) SetStories(ctx context.Context, stories map[string]string) (int, error) {
	// Most calls change nothing (the items were stored in these stories):
	// those are told on the read pool, without taking the writer.
	changes, err := db.storyChanges(ctx, stories)
	if err != nil || len(changes) == 0 {
		return 0, err
	}
	moved := 0
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		// The stories an item leaves or joins, to count the stories that
		// appear or are left empty.
		var involved []string
		type move struct {
			id    int64
			story string
		}
		var moves []move
		for uid, story := range changes {
			var (
				id  int64
				old string
			)
			err := tx.QueryRowContext(ctx, `SELECT id, story_id FROM items WHERE uid = ?`, uid).Scan(&id, &old)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && old == story) {
				continue
			}
			if err != nil {
				return fmt.Errorf("set story of item %s: %w", uid, err)
			}
			involved = append(involved, old, story)
			moves = append(moves, move{id, story})
		}
		if len(moves) == 0 {
			return nil
		}
		list, err := json.Marshal(involved)
		if err != nil {
			return fmt.Errorf("set stories: %w", err)
		}
		count := func() (int, error) {
			var n int
			err := tx.QueryRowContext(ctx, `SELECT count(DISTINCT story_id) FROM items
				WHERE story_id IN (SELECT value FROM `+db.eng.jsonValues(`?`)+`)`, string(list)).Scan(&n)
			if err != nil {
				return 0, fmt.Errorf("set stories: count stories: %w", err)
			}
			return n, nil
		}
		before, err := count()
		if err != nil {
			return err
		}
		now := toMillis(db.now().UTC())
		for _, m := range moves {
			if _, err := tx.ExecContext(ctx, `UPDATE items SET story_id = ?1, story_changed = ?3 WHERE id = ?2 AND story_id <> ?1`,
				m.story, m.id, now); err != nil {
				return fmt.Errorf("set story of item %d: %w", m.id, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE story_states SET story_id = ?1 WHERE item_id = ?2 AND story_id <> ?1`, m.story, m.id); err != nil {
				return fmt.Errorf("set story state of item %d: %w", m.id, err)
			}
		}
		after, err := count()
		if err != nil {
			return err
		}
		var counts countDeltas
		counts.add("stories", "", after-before)
		if err := counts.write(ctx, tx.StmtContext(ctx, db.ws.addCount)); err != nil {
			return err
		}
		moved = len(moves)
		return db.bump(ctx, tx, true)
	})
	if err != nil {
		return 0, err
	}
	return moved, nil
}

// storyChangesSQL reads the stories of the items whose uids ?1 lists (a
// JSON array).
func storyChangesSQL(e engine) string {
	return `SELECT uid, story_id FROM items WHERE uid IN (SELECT value FROM ` + e.jsonValues(`?1`) + `)`
}

// storyChanges returns the entries of stories whose item is stored in
// another story, as a read of the last committed state.
func (db *DB) storyChanges(ctx context.Context, stories map[string]string) (map[string]string, error) {
	uids := make([]string, 0, len(stories))
	for uid := range stories {
		uids = append(uids, uid)
	}
	changes := map[string]string{}
	for start := 0; start < len(uids); start += sourcesChunk {
		chunk := uids[start:min(start+sourcesChunk, len(uids))]
		list, err := json.Marshal(chunk)
		if err != nil {
			return nil, fmt.Errorf("read stories of %d items: %w", len(uids), err)
		}
		rows, err := db.r.QueryContext(ctx, storyChangesSQL(db.eng), string(list))
		if err != nil {
			return nil, fmt.Errorf("read stories of %d items: %w", len(uids), err)
		}
		for rows.Next() {
			var uid, story string
			if err := rows.Scan(&uid, &story); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read stories of %d items: %w", len(uids), err)
			}
			if want := stories[uid]; want != "" && want != story {
				changes[uid] = want
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read stories of %d items: %w", len(uids), err)
		}
	}
	return changes, nil
}
