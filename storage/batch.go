package storage

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/topicfeed/topicfeed/news"
)

// SaveFetches stores several fetched feeds in one transaction, each as
// SaveFetch would (its items with its outlet's state, all or nothing), and
// returns what each did, in order.
//
// It is for the poller's writer (aggregator's fetchWriter): one writer
// hand-off, revision bump and commit per batch instead of per fetch, so
// that polls queue behind one transaction rather than each behind the
// others'. Per item it costs what SaveFetch does: most pages a new item
// writes are its own, in indexes keyed by random values (BenchmarkStore,
// SaveFetch/new against SaveFetches/new-16). A fetch that fails
// (an unknown outlet, an item the database refuses) is rolled back to a
// savepoint taken before it and reported in its FetchResult; the others
// are stored. When the transaction itself fails (begin, commit, a
// cancelled ctx), nothing is stored and every fetch reports the error.
func (db *DB) SaveFetches(ctx context.Context, fetches []news.Fetch) []news.FetchResult {
	results := make([]news.FetchResult, len(fetches))
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		bound := make(map[*sql.Stmt]*sql.Stmt)
		changed := false
		for i, f := range fetches {
			results[i] = news.FetchResult{}
			if _, err := tx.ExecContext(ctx, `SAVEPOINT one_fetch`); err != nil {
				return fmt.Errorf("savepoint before outlet %q: %w", f.State.Name, err)
			}
			stats, ch, err := db.saveFetch(ctx, tx, bound, f.State, f.Items)
			if err != nil {
				results[i].Err = err
				if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT one_fetch`); rerr != nil {
					return fmt.Errorf("roll back outlet %q: %w (after: %w)", f.State.Name, rerr, err)
				}
			} else {
				results[i].Stats = stats
				changed = changed || ch
			}
			if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT one_fetch`); err != nil {
				return fmt.Errorf("release savepoint of outlet %q: %w", f.State.Name, err)
			}
		}
		return db.bump(ctx, tx, changed)
	})
	if err != nil {
		for i := range results {
			results[i] = news.FetchResult{Err: err}
		}
	}
	return results
}
