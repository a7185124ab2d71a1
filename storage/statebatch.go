package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// Outlet states are written behind.
//
// Most polls of a running daemon are 304s whose only write is the outlet's
// polling state (last fetch, next poll, validators, status). A transaction
// of its own for each costs a writer round trip, a commit and a revision
// bump, and makes every 304 wait for the one writer behind the stores of
// changed feeds. SaveOutletState therefore queues the state in memory and
// returns; the queue is written in one transaction when it holds
// stateBatchMax outlets, stateFlushDelay after its first entry, at the start
// of any other write transaction (so that a later write, such as SaveFetch
// with the outlet's new state or SyncOutlets, always lands after the queued
// state it supersedes), before Outlets lists them, and at Close.
//
// Reads in this process see queued states: OutletState overlays its
// outlet's, Outlets writes the queue first, and Revision counts every
// queued save at once. Durability: a crash or kill loses at most the
// states queued in the last stateFlushDelay, never items: SaveFetch writes
// its items and the outlet's state with them in one transaction, as
// before. A lost state only makes its outlet due again as stored before,
// with the validators stored before (another conditional request).
const (
	stateBatchMax   = 256
	stateFlushDelay = 100 * time.Millisecond
)

// stateQueue is the queue of outlet states not yet written.
type stateQueue struct {
	mu      sync.Mutex
	pending map[string]news.OutletState
	timer   *time.Timer
	closed  bool
	// saves counts every queued save since Open (Revision adds it).
	saves int64
	// known are outlet names OutletState or Outlets read from the database: outlets
	// are never deleted, so a known name needs no check before queueing.
	known map[string]bool
}

func (q *stateQueue) markKnown(names ...string) {
	q.mu.Lock()
	if q.known == nil {
		q.known = make(map[string]bool, len(names))
	}
	for _, n := range names {
		q.known[n] = true
	}
	q.mu.Unlock()
}

// SaveOutletState records an outlet's polling state (feed URL, validators,
// times, status, errors, disabled flag). Name, slug, configured URL and
// item count are not changed by it; an empty FeedURL keeps the stored one.
// The state is written behind (see stateQueue): this process reads it back
// at once, the database has it within stateFlushDelay.
func (db *DB) SaveOutletState(ctx context.Context, st news.OutletState) error {
	q := &db.states
	q.mu.Lock()
	known := q.known[st.Name]
	q.mu.Unlock()
	if !known {
		// OutletState marks the name known.
		if _, err := db.OutletState(ctx, st.Name); err != nil {
			return fmt.Errorf("save state: %w", err)
		}
	}
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return fmt.Errorf("save state of outlet %q: %w", st.Name, errClosed)
	}
	if q.pending == nil {
		q.pending = make(map[string]news.OutletState)
	}
	q.pending[st.Name] = st
	q.saves++
	full := len(q.pending) >= stateBatchMax
	if !full && q.timer == nil {
		q.timer = time.AfterFunc(stateFlushDelay, db.flushStatesLogged)
	}
	q.mu.Unlock()
	if full {
		// The caller that fills the queue writes it: a bound on the
		// queue and back pressure on the pollers.
		if err := db.flushStates(context.WithoutCancel(ctx)); err != nil {
			return fmt.Errorf("save state of outlet %q: %w", st.Name, err)
		}
	}
	return nil
}

var errClosed = errors.New("database is closed")

// flushStates writes the queued outlet states in one transaction (writeTx
// takes the queue).
func (db *DB) flushStates(ctx context.Context) error {
	q := &db.states
	q.mu.Lock()
	empty := len(q.pending) == 0
	q.mu.Unlock()
	if empty {
		return nil
	}
	return db.writeTx(ctx, func(*sql.Tx) error { return nil })
}

func (db *DB) flushStatesLogged() {
	if err := db.flushStates(context.Background()); err != nil {
		db.log.Warn("write outlet states", "database", db.path, "error", err)
	}
}

// take empties the queue and returns what it held.
func (q *stateQueue) take() map[string]news.OutletState {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.timer != nil {
		q.timer.Stop()
		q.timer = nil
	}
	p := q.pending
	q.pending = nil
	return p
}

// putBack queues again the states of a transaction that failed, unless a
// newer state of the same outlet was queued meanwhile; a timer retries.
func (db *DB) putBackStates(p map[string]news.OutletState) {
	if len(p) == 0 {
		return
	}
	q := &db.states
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.pending == nil {
		q.pending = make(map[string]news.OutletState, len(p))
	}
	for name, st := range p {
		if _, newer := q.pending[name]; !newer {
			q.pending[name] = st
		}
	}
	if q.timer == nil && !q.closed {
		q.timer = time.AfterFunc(stateFlushDelay, db.flushStatesLogged)
	}
}

// writeStates writes states in tx and bumps the revision once.
func (db *DB) writeStates(ctx context.Context, tx *sql.Tx, states map[string]news.OutletState) error {
	if len(states) == 0 {
		return nil
	}
	for _, st := range states {
		err := db.saveOutletState(ctx, tx, st)
		if errors.Is(err, news.ErrNotFound) {
			// SaveOutletState checked the name; an outlet is never
			// deleted. Retrying could not help.
			db.log.Warn("outlet state of an unknown outlet dropped", "outlet", st.Name)
			continue
		}
		if err != nil {
			return err
		}
	}
	return db.bump(ctx, tx, false)
}

// queued returns the queued state of the outlet, if any.
func (q *stateQueue) queued(name string) (news.OutletState, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	st, ok := q.pending[name]
	return st, ok
}

// overlayState applies a saved state to the stored one as
// saveOutletState's UPDATE does.
func overlayState(stored, st news.OutletState) news.OutletState {
	if st.FeedURL != "" {
		stored.FeedURL = st.FeedURL
	}
	stored.ETag, stored.LastModified = st.ETag, st.LastModified
	stored.LastFetch, stored.LastSuccess, stored.NextPoll = st.LastFetch, st.LastSuccess, st.NextPoll
	stored.LastStatus, stored.LastError, stored.ConsecutiveErrors = st.LastStatus, st.LastError, st.ConsecutiveErrors
	stored.Disabled, stored.DisabledReason = st.Disabled, st.DisabledReason
	return stored
}

// closeStates refuses further saves and writes the queue.
func (db *DB) closeStates() error {
	q := &db.states
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	if err := db.flushStates(context.Background()); err != nil {
		return fmt.Errorf("write outlet states: %w", err)
	}
	return nil
}
