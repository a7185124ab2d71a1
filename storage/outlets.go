package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/topicfeed/topicfeed/news"
)

// ReasonRemoved is the DisabledReason of an outlet that is no longer in the
// configuration.
const ReasonRemoved = "removed from config"

// SyncOutlets records the configured outlets: new ones are added, known
// ones (matched by name) get the configured slug and URL while keeping
// their polling state. When an outlet's configured URL changed, its feed
// URL resets to it (with fresh validators, status and errors) and it is
// enabled again. Stored outlets missing from outlets are disabled with
// reason ReasonRemoved; their items stay.
func (db *DB) SyncOutlets(ctx context.Context, outlets []news.Outlet) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		configured := make(map[string]bool, len(outlets))
		upsert, err := tx.PrepareContext(ctx, `
				INSERT INTO outlets (name, slug, config_url, feed_url) VALUES (?1, ?2, ?3, ?3)
				ON CONFLICT (name) DO UPDATE SET
					slug = excluded.slug,
					config_url = excluded.config_url,
					feed_url = CASE WHEN outlets.config_url <> excluded.config_url
						THEN excluded.config_url ELSE outlets.feed_url END,
					etag = CASE WHEN outlets.config_url <> excluded.config_url
						THEN '' ELSE outlets.etag END,
					last_modified = CASE WHEN outlets.config_url <> excluded.config_url
						THEN '' ELSE outlets.last_modified END,
					consecutive_errors = CASE WHEN outlets.config_url <> excluded.config_url
						THEN 0 ELSE outlets.consecutive_errors END,
					next_poll = CASE WHEN outlets.config_url <> excluded.config_url
						THEN 0 ELSE outlets.next_poll END,
					last_status = CASE WHEN outlets.config_url <> excluded.config_url
						THEN 0 ELSE outlets.last_status END,
					last_error = CASE WHEN outlets.config_url <> excluded.config_url
						THEN '' ELSE outlets.last_error END,
					disabled = CASE WHEN outlets.config_url <> excluded.config_url OR outlets.disabled_reason = ?4
						THEN 0 ELSE outlets.disabled END,
					disabled_reason = CASE WHEN outlets.config_url <> excluded.config_url OR outlets.disabled_reason = ?4
						THEN '' ELSE outlets.disabled_reason END`)
		if err != nil {
			return fmt.Errorf("sync outlets: %w", err)
		}
		defer upsert.Close()
		for _, o := range outlets {
			if o.Name == "" {
				return errors.New("sync outlets: outlet with an empty name")
			}
			configured[o.Name] = true
			if _, err := upsert.ExecContext(ctx, o.Name, o.Slug, o.URL, ReasonRemoved); err != nil {
				return fmt.Errorf("sync outlet %q: %w", o.Name, err)
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT name FROM outlets WHERE NOT (disabled = 1 AND disabled_reason = ?)`, ReasonRemoved)
		if err != nil {
			return fmt.Errorf("sync outlets: list stored: %w", err)
		}
		var removed []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				rows.Close()
				return fmt.Errorf("sync outlets: list stored: %w", err)
			}
			if !configured[name] {
				removed = append(removed, name)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sync outlets: list stored: %w", err)
		}
		for _, name := range removed {
			if _, err := tx.ExecContext(ctx, `UPDATE outlets SET disabled = 1, disabled_reason = ? WHERE name = ?`, ReasonRemoved, name); err != nil {
				return fmt.Errorf("disable outlet %q: %w", name, err)
			}
		}
		return db.bump(ctx, tx, false)
	})
}

const outletColumns = `name, slug, config_url, feed_url, etag, last_modified, last_fetch, last_success,
	next_poll, last_status, last_error, consecutive_errors, disabled, disabled_reason, item_count`

func scanOutlet(row interface{ Scan(...any) error }) (news.OutletState, error) {
	var (
		st                               news.OutletState
		lastFetch, lastSuccess, nextPoll int64
		disabled                         int
	)
	err := row.Scan(&st.Name, &st.Slug, &st.URL, &st.FeedURL, &st.ETag, &st.LastModified,
		&lastFetch, &lastSuccess, &nextPoll, &st.LastStatus, &st.LastError, &st.ConsecutiveErrors,
		&disabled, &st.DisabledReason, &st.ItemCount)
	if err != nil {
		return news.OutletState{}, err
	}
	st.LastFetch = fromMillis(lastFetch)
	st.LastSuccess = fromMillis(lastSuccess)
	st.NextPoll = fromMillis(nextPoll)
	st.Disabled = disabled != 0
	return st, nil
}

// OutletState returns the stored state of the outlet named name, or an
// error wrapping news.ErrNotFound.
func (db *DB) OutletState(ctx context.Context, name string) (news.OutletState, error) {
	st, err := scanOutlet(db.outletStmt.QueryRowContext(ctx, name))
	if errors.Is(err, sql.ErrNoRows) {
		return news.OutletState{}, fmt.Errorf("outlet %q: %w", name, news.ErrNotFound)
	}
	if err != nil {
		return news.OutletState{}, fmt.Errorf("outlet %q: %w", name, err)
	}
	if q, ok := db.states.queued(name); ok {
		st = overlayState(st, q)
	} else {
		db.states.markKnown(name)
	}
	return st, nil
}

// Outlets returns every stored outlet, enabled or not, sorted by name.
func (db *DB) Outlets(ctx context.Context) ([]news.OutletState, error) {
	if err := db.flushStates(ctx); err != nil {
		return nil, fmt.Errorf("list outlets: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+outletColumns+` FROM outlets ORDER BY `+db.eng.bytewise(`name`))
	if err != nil {
		return nil, fmt.Errorf("list outlets: %w", err)
	}
	defer rows.Close()
	var out []news.OutletState
	for rows.Next() {
		st, err := scanOutlet(rows)
		if err != nil {
			return nil, fmt.Errorf("list outlets: %w", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list outlets: %w", err)
	}
	names := make([]string, len(out))
	for i, st := range out {
		names[i] = st.Name
	}
	db.states.markKnown(names...)
	return out, nil
}

func (db *DB) saveOutletState(ctx context.Context, tx *sql.Tx, st news.OutletState) error {
	res, err := tx.StmtContext(ctx, db.ws.saveOutlet).ExecContext(ctx,
		st.FeedURL, st.ETag, st.LastModified, toMillis(st.LastFetch), toMillis(st.LastSuccess),
		toMillis(st.NextPoll), st.LastStatus, st.LastError, st.ConsecutiveErrors, boolInt(st.Disabled), st.DisabledReason,
		st.Name)
	if err != nil {
		return fmt.Errorf("save state of outlet %q: %w", st.Name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("save state of outlet %q: %w", st.Name, err)
	}
	if n == 0 {
		return fmt.Errorf("save state of outlet %q: %w", st.Name, news.ErrNotFound)
	}
	return nil
}
