package storage

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// The story assigner lease: the processes that share one database (serve,
// a poll from cron, two polls at once) each keep a story index, and one
// of them, the lease's holder, decides the stories of the items the
// others store (aggregator.Assigner). The lease is one row of settings,
// read and written in one write transaction: SQLite lets one writer in at
// a time across processes, so two processes never both take it.
const assignerKey = "story_assigner"

// assignerLease is the stored lease: its holder, and when it ends (Unix
// milliseconds; a release sets it to the release time, keeping the
// holder, so that the next holder learns until when another held it).
type assignerLease struct {
	Holder  string `json:"holder"`
	Expires int64  `json:"expires"`
}

// AcquireAssigner takes the story assigner lease for holder until now+ttl
// when it is free, expired or holder's already (which renews it), and
// reports whether holder holds it. When holder takes it over from another
// holder, otherUntil is when that holder's lease ended (expired or
// released), which may be after the moment holder's story index was last
// in step with the database; otherwise it is zero.
func (db *DB) AcquireAssigner(ctx context.Context, holder string, ttl time.Duration, now time.Time) (held bool, otherUntil time.Time, err error) {
	if holder == "" {
		return false, time.Time{}, errors.New("acquire story assigner lease: empty holder")
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		cur, ok, err := readAssignerLease(ctx, tx)
		if err != nil {
			return err
		}
		switch {
		case !ok || cur.Holder == holder:
		case cur.Expires <= toMillis(now):
			otherUntil = fromMillis(cur.Expires)
		default:
			return nil // another holder's, in force
		}
		held = true
		return writeAssignerLease(ctx, tx, assignerLease{Holder: holder, Expires: toMillis(now.Add(ttl))})
	})
	if err != nil {
		return false, time.Time{}, fmt.Errorf("acquire story assigner lease: %w", err)
	}
	return held, otherUntil, nil
}

// ReleaseAssigner ends holder's story assigner lease at now, so that
// another process may take it at once; a lease holder does not hold is
// left as it is.
func (db *DB) ReleaseAssigner(ctx context.Context, holder string, now time.Time) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		cur, ok, err := readAssignerLease(ctx, tx)
		if err != nil || !ok || cur.Holder != holder {
			return err
		}
		cur.Expires = min(cur.Expires, toMillis(now))
		return writeAssignerLease(ctx, tx, cur)
	})
	if err != nil {
		return fmt.Errorf("release story assigner lease: %w", err)
	}
	return nil
}

func readAssignerLease(ctx context.Context, tx *sql.Tx) (assignerLease, bool, error) {
	var v string
	err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, assignerKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return assignerLease{}, false, nil
	}
	if err != nil {
		return assignerLease{}, false, fmt.Errorf("read lease: %w", err)
	}
	var l assignerLease
	if err := json.Unmarshal([]byte(v), &l); err != nil {
		// unreadable (not written by this code): as good as free, and
		// rewritten whole by the next holder
		return assignerLease{}, false, nil
	}
	return l, true, nil
}

func writeAssignerLease(ctx context.Context, tx *sql.Tx, l assignerLease) error {
	v, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("encode lease: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, assignerKey, string(v)); err != nil {
		return fmt.Errorf("write lease: %w", err)
	}
	return nil
}

// LastItemID returns the highest id of a stored item (0 when none): items
// stored later get higher ids (see StoryDocsAfter).
func (db *DB) LastItemID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := db.r.QueryRowContext(ctx, `SELECT max(id) FROM items`).Scan(&id); err != nil {
		return 0, fmt.Errorf("read last item id: %w", err)
	}
	return id.Int64, nil
}

// StoryDocsAfter returns the on-topic items whose id is greater than after
// (stored since the item with that id), at most limit of them by id, in
// publication order (then by id), each with its story state when it has
// one of stateVersion (State is nil otherwise; Title and Text are never
// read). next is the id to ask after next time: the last one these docs
// cover, off-topic items included.
//
// Ids are SQLite row ids, given in the order items are stored (one writer
// at a time, across processes), so asking after the last next sees every
// item stored since. When the newest items were deleted (pruned), ids may
// be given again: next then goes back to the highest id stored.
func (db *DB) StoryDocsAfter(ctx context.Context, after, stateVersion int64, limit int) (docs []StoryDoc, next int64, err error) {
	if limit <= 0 {
		return nil, after, nil
	}
	tx, err := db.r.BeginTx(ctx, db.eng.snapshot())
	if err != nil {
		return nil, after, fmt.Errorf("query new story docs: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to undo
	var last sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(id) FROM items`).Scan(&last); err != nil {
		return nil, after, fmt.Errorf("query new story docs: %w", err)
	}
	if last.Int64 <= after {
		return nil, last.Int64, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT i.id, i.uid, o.name, i.story_id, i.published, s.state
		FROM items i JOIN outlets o ON o.id = i.outlet_id
			LEFT JOIN story_states s ON s.item_id = i.id AND s.version = ?3
		WHERE i.id > ?1 AND i.id <= ?2 AND i.on_topic = 1
		ORDER BY i.id LIMIT ?4`, after, last.Int64, stateVersion, limit)
	if err != nil {
		return nil, after, fmt.Errorf("query new story docs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			d         StoryDoc
			published int64
		)
		if err := rows.Scan(&d.ID, &d.UID, &d.Outlet, &d.StoryID, &published, &d.State); err != nil {
			return nil, after, fmt.Errorf("read new story doc: %w", err)
		}
		d.Published = fromMillis(published)
		docs = append(docs, d)
	}
	if err := rows.Err(); err != nil {
		return nil, after, fmt.Errorf("read new story docs: %w", err)
	}
	next = last.Int64
	if len(docs) == limit {
		next = docs[len(docs)-1].ID
	}
	slices.SortFunc(docs, func(a, b StoryDoc) int {
		if c := a.Published.Compare(b.Published); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return docs, next, nil
}

// StoriesSince returns the story of every on-topic item published at or
// after since, by uid.
func (db *DB) StoriesSince(ctx context.Context, since time.Time) (map[string]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT uid, story_id FROM items WHERE on_topic = 1 AND published >= ?`, toMillis(since))
	if err != nil {
		return nil, fmt.Errorf("query stories since %s: %w", since.Format(time.RFC3339), err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var uid, story string
		if err := rows.Scan(&uid, &story); err != nil {
			return nil, fmt.Errorf("read stories since %s: %w", since.Format(time.RFC3339), err)
		}
		out[uid] = story
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read stories since %s: %w", since.Format(time.RFC3339), err)
	}
	return out, nil
}
