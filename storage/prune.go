package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// pruneBatch is how many items one Prune transaction deletes, so that the
// writer is never held for long.
const pruneBatch = 500

// Prune deletes items published and first seen before olderThan, with
// their sources and lookup rows, and keeps the outlets' item counts in
// step. It works in small transactions and returns how many items it
// deleted (also when it stops early with an error).
//
// An item is kept while it was first seen after olderThan, even if its
// publication date is older, so that an old article still in an outlet's
// feed is not deleted and stored again on the next poll.
func (db *DB) Prune(ctx context.Context, olderThan time.Time) (int, error) {
	cutoff := toMillis(olderThan)
	total := 0
	for {
		n := 0
		err := db.writeTx(ctx, func(tx *sql.Tx) error {
			ids, err := pruneIDs(ctx, tx, cutoff)
			if err != nil || len(ids) == 0 {
				return err
			}
			n = len(ids)
			in := `(?` + strings.Repeat(`, ?`, len(ids)-1) + `)`
			idsCTE := `WITH ids(id) AS (VALUES (CAST(? AS BIGINT))` + strings.Repeat(`, (?)`, len(ids)-1) + `) `
			if _, err := tx.ExecContext(ctx, idsCTE+pruneCountsSQL, ids...); err != nil {
				return fmt.Errorf("prune: update counts: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE outlets SET item_count = item_count - c.n
				FROM (SELECT outlet_id, count(*) AS n FROM item_outlets WHERE item_id IN `+in+` GROUP BY outlet_id) AS c
				WHERE outlets.id = c.outlet_id`, ids...); err != nil {
				return fmt.Errorf("prune: recount outlets: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM items WHERE id IN `+in, ids...); err != nil {
				return fmt.Errorf("prune: delete items: %w", err)
			}
			return db.bump(ctx, tx, true)
		})
		total += n
		if err != nil {
			return total, err
		}
		if n < pruneBatch {
			return total, nil
		}
	}
}

func pruneIDs(ctx context.Context, tx *sql.Tx, cutoff int64) ([]any, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM items WHERE published < ?1 AND first_seen < ?1 ORDER BY published LIMIT ?2`, cutoff, pruneBatch)
	if err != nil {
		return nil, fmt.Errorf("prune: select items: %w", err)
	}
	defer rows.Close()
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("prune: select items: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("prune: select items: %w", err)
	}
	return ids, nil
}
