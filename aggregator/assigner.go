package aggregator

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/cluster"
)

// Stories across processes. Every process that polls (serve, a poll from
// cron, two polls at once) keeps its own story index in memory and assigns
// the items it stores with it, as one process alone would. Left at that,
// two processes sharing one database would group the same articles
// differently: each index knows only the items its own process stored
// since it was restored.
//
// So one process is the authority: the holder of an assigner lease kept
// in the database (normally serve; a poll takes it when no one holds it).
// Every few seconds, and once more when it stops, the holder reads the
// on-topic items stored since its last look that its own index does not
// hold — stored by other processes — decides each from the story state
// stored with it (cluster.Index.AssignState, publication order) and writes
// the stories its index holds them, and the items their decisions moved,
// in (StorySettler). A process that does not hold the lease stores its new
// items in the stories its own index gives them, provisionally, and
// writes no moves of stored items (its settler keeps them): the holder
// corrects those items within seconds. A process that takes the lease over
// from another holder that held it after this process's index was last in
// step with the database also writes its index's story of every stored
// on-topic item of the window where it differs, so that the database then
// holds one index's stories.
//
// Items stored without a state of the holder's StateVersion (a process
// with other topic rules) are skipped: they are re-analysed when the
// holder restarts. A near-duplicate copy the holder recognises, stored as
// an item of its own by another process, stays an item of its own (in
// the original's story). Each stored item keeps the reason and related
// story its storing process gave it.

// AssignIndex is the story index as an Assigner uses it; *cluster.Index
// is the real one.
type AssignIndex interface {
	// StoryOf returns the story the index holds the item with that key in,
	// and whether it holds it.
	StoryOf(key string) (string, bool)
	// StateVersion identifies the format of the states the index reads.
	StateVersion() int64
	// AssignState decides an item stored by another process from the
	// state that process's index recorded of it.
	AssignState(d cluster.Doc, state []byte) (cluster.Decision, error)
}

// StoredDoc is an on-topic item as the Assigner reads it from the store.
type StoredDoc struct {
	ID          int64 // the store's id: ids grow in the order items are stored
	UID, Outlet string
	Published   time.Time
	// State is what the storing process's index recorded of the item,
	// nil when it has none of the version asked for.
	State []byte
}

// AssignerStore is what an Assigner needs from storage (storage.DB, with a
// conversion of its story docs).
type AssignerStore interface {
	// AcquireAssigner takes or renews the lease for holder until now+ttl
	// when it is free, expired or holder's, and reports whether holder
	// holds it; otherUntil is, when holder took it over from another
	// holder, when that one's lease ended, else zero.
	AcquireAssigner(ctx context.Context, holder string, ttl time.Duration, now time.Time) (held bool, otherUntil time.Time, err error)
	// ReleaseAssigner ends holder's lease at now.
	ReleaseAssigner(ctx context.Context, holder string, now time.Time) error
	// NewStoryDocs returns at most limit on-topic items stored with an id
	// greater than after, in publication order, with their states of
	// stateVersion, and the id to ask after next time.
	NewStoryDocs(ctx context.Context, after, stateVersion int64, limit int) (docs []StoredDoc, next int64, err error)
	// StoriesSince returns the stored story of every on-topic item
	// published at or after since, by uid.
	StoriesSince(ctx context.Context, since time.Time) (map[string]string, error)
}

// Assigner defaults.
const (
	DefaultAssignerTTL   = 15 * time.Second
	DefaultAssignerEvery = 2 * time.Second
	defaultAssignerBatch = 1000
)

// AssignerOptions configure an Assigner.
type AssignerOptions struct {
	// Holder names this process in the lease; default a random id with
	// the process id.
	Holder string
	// TTL is how long the lease lasts unless renewed; the holder renews it
	// every TTL/3 and stops writing stories as the holder TTL/3 before it
	// would end. Default 15s.
	TTL time.Duration
	// Every is the interval of Run's rounds. Default 2s.
	Every time.Duration
	// After is the id of the newest item the story index was restored
	// with (or any before it): items stored later, by other processes,
	// are the ones to assign.
	After int64
	// Synced is when the story index was last in step with the database:
	// before its restore began. Zero: when NewAssigner is called.
	Synced time.Time
	// Window is the story index's time window (default
	// cluster.DefaultWindow): a takeover reconciles the items published
	// within it before now.
	Window time.Duration
	// Batch bounds the items read at once. Default 1000.
	Batch int
	// Now is the clock.
	Now func() time.Time
	// Log receives the role at start and when it changes, rounds that
	// assigned anything, and failures.
	Log *slog.Logger
}

// AssignRound is what one round of an Assigner did.
type AssignRound struct {
	// Held says whether this process held the lease (and so ran the
	// round).
	Held bool
	// Assigned counts the items of other processes decided here.
	Assigned int
	// Skipped counts the items of other processes left as they are: no
	// state of the index's version, or an unreadable one.
	Skipped int
	// Moved counts the stored items whose story this round changed.
	Moved int
	// Reconciled says whether the round also wrote the index's story of
	// every stored item of the window where it differed (the lease was
	// taken over).
	Reconciled bool
}

// Assigner keeps the stories of a database shared by several processes
// one process's decisions (see the comment above AssignIndex). Build one
// per process with NewAssigner, run Run while the process polls and call
// Stop when it is done. RunOnce, Run and Stop may be called from any
// goroutine; rounds run one at a time.
type Assigner struct {
	stories AssignIndex
	settler *StorySettler
	store   AssignerStore
	o       AssignerOptions

	mu      sync.Mutex // guards until and renewed, read by the settler's gate
	until   time.Time  // the lease is this process's until then (zero: not held)
	renewed time.Time  // when it was last taken or renewed

	round     sync.Mutex // held through a round; guards the fields below
	after     int64      // the last item id looked at
	synced    time.Time  // the index was in step with the database until then
	reconcile bool       // the next round writes the whole window's stories
	role      string     // last logged role
}

// NewAssigner returns the Assigner of stories (the process's story index)
// over store. It gates settler, the one the process's Pollers share: from
// now on it writes stories only while this process holds the lease.
func NewAssigner(stories AssignIndex, settler *StorySettler, store AssignerStore, o AssignerOptions) *Assigner {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Holder == "" {
		o.Holder = fmt.Sprintf("%d-%s", os.Getpid(), rand.Text()[:12])
	}
	if o.TTL <= 0 {
		o.TTL = DefaultAssignerTTL
	}
	if o.Every <= 0 {
		o.Every = DefaultAssignerEvery
	}
	if o.Window <= 0 {
		o.Window = cluster.DefaultWindow
	}
	if o.Batch <= 0 {
		o.Batch = defaultAssignerBatch
	}
	if o.Synced.IsZero() {
		o.Synced = o.Now()
	}
	a := &Assigner{stories: stories, settler: settler, store: store, o: o, after: o.After, synced: o.Synced}
	settler.gate(a.Holds)
	return a
}

// Holds reports whether this process holds the lease now, so that its
// story index decides the stored stories.
func (a *Assigner) Holds() bool {
	now := a.o.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	return now.Before(a.until)
}

// Run runs a round every Every until ctx is done. Failures are logged;
// the next round tries again.
func (a *Assigner) Run(ctx context.Context) {
	t := time.NewTicker(a.o.Every)
	defer t.Stop()
	for {
		if _, err := a.RunOnce(ctx); err != nil && ctx.Err() == nil {
			a.o.Log.Warn("story assigner round failed", "holder", a.o.Holder, "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce takes or renews the lease when it can and, holding it, assigns
// the items other processes stored since the last round and stores the
// stories that changed.
func (a *Assigner) RunOnce(ctx context.Context) (AssignRound, error) {
	a.round.Lock()
	defer a.round.Unlock()
	now := a.o.Now()
	held, err := a.acquire(ctx, now)
	if err != nil {
		return AssignRound{Held: held}, err
	}
	a.logRole(held)
	if !held {
		return AssignRound{}, nil
	}
	r, err := a.assignOthers(ctx, now)
	if r.Assigned > 0 || r.Moved > 0 || r.Reconciled {
		a.o.Log.Info("stories of other processes' items assigned", "holder", a.o.Holder, "items", r.Assigned,
			"skipped", r.Skipped, "moved", r.Moved, "reconciled", r.Reconciled)
	}
	return r, err
}

// Stop runs a last round, taking the lease if it is free (the end of a
// poll run assigns what other processes stored meanwhile), and then
// releases the lease, so that another process takes it at once. Failures
// are logged. ctx must not be done already (a shutdown's context is).
func (a *Assigner) Stop(ctx context.Context) {
	r, err := a.RunOnce(ctx)
	if err != nil {
		a.o.Log.Warn("story assigner: last round failed", "holder", a.o.Holder, "error", err.Error())
	}
	if !r.Held && !a.Holds() {
		return
	}
	a.mu.Lock()
	a.until = time.Time{}
	a.mu.Unlock()
	if err := a.store.ReleaseAssigner(ctx, a.o.Holder, a.o.Now()); err != nil {
		a.o.Log.Warn("story assigner: lease not released", "holder", a.o.Holder, "error", err.Error())
	}
}

// acquire takes or renews the lease when it is free, expired or ours and
// the last renewal is TTL/3 old, and reports whether this process holds
// it. a.round is held.
func (a *Assigner) acquire(ctx context.Context, now time.Time) (bool, error) {
	a.mu.Lock()
	until, renewed := a.until, a.renewed
	a.mu.Unlock()
	holding := now.Before(until)
	if holding && now.Sub(renewed) < a.o.TTL/3 {
		return true, nil
	}
	held, otherUntil, err := a.store.AcquireAssigner(ctx, a.o.Holder, a.o.TTL, now)
	if err != nil {
		// the lease may still be ours for a while: a renewal can wait
		return holding, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !held {
		a.until = time.Time{}
		return false, nil
	}
	// Holding until TTL/3 before the lease ends, this process stops
	// writing before another may take it.
	a.until, a.renewed = now.Add(a.o.TTL-a.o.TTL/3), now
	if !otherUntil.IsZero() && !otherUntil.Before(a.synced) {
		a.reconcile = true
	}
	// the database holds this index's stories at least until then: no
	// other process may take the lease before
	a.synced = a.until
	return true, nil
}

// logRole logs the role when it is new.
func (a *Assigner) logRole(held bool) {
	role := "follower"
	if held {
		role = "assigner"
	}
	if role != a.role {
		a.role = role
		a.o.Log.Info("story assigner", "role", role, "holder", a.o.Holder)
	}
}

// assignOthers is a round of the lease's holder. a.round is held.
func (a *Assigner) assignOthers(ctx context.Context, now time.Time) (AssignRound, error) {
	r := AssignRound{Held: true}
	version := a.stories.StateVersion()
	var keys []string
	var errs []error
	for {
		docs, next, err := a.store.NewStoryDocs(ctx, a.after, version, a.o.Batch)
		if err != nil {
			errs = append(errs, fmt.Errorf("read items stored by other processes: %w", err))
			break
		}
		for _, d := range docs {
			if _, ok := a.stories.StoryOf(d.UID); ok {
				continue // assigned here: stored by this process
			}
			if d.State == nil {
				r.Skipped++
				a.o.Log.Debug("story of an item stored by another process not assigned: no story state of this index's version",
					"uid", d.UID, "outlet", d.Outlet, "state_version", version)
				continue
			}
			dec, err := a.stories.AssignState(cluster.Doc{Key: d.UID, Outlet: d.Outlet, Published: d.Published}, d.State)
			if err != nil {
				r.Skipped++
				a.o.Log.Warn("story of an item stored by another process not assigned", "uid", d.UID, "outlet", d.Outlet, "error", err.Error())
				continue
			}
			r.Assigned++
			keys = append(keys, d.UID)
			for _, m := range dec.Moved {
				keys = append(keys, m.Key)
			}
		}
		a.after = next
		if len(docs) < a.o.Batch {
			break
		}
	}
	if a.reconcile && len(errs) == 0 {
		// the items a restart would restore (the index may hold older
		// ones, assigned since, when the stream's dates lag the clock)
		stored, err := a.store.StoriesSince(ctx, now.Add(-a.o.Window))
		if err != nil {
			errs = append(errs, fmt.Errorf("read stored stories: %w", err))
		} else {
			for uid, story := range stored {
				if mine, ok := a.stories.StoryOf(uid); ok && mine != story {
					keys = append(keys, uid)
				}
			}
			a.reconcile, r.Reconciled = false, true
		}
	}
	// the keys are written even when reading failed: the index decided
	// them
	n, err := a.settler.settleAll(ctx, keys)
	if err != nil {
		errs = append(errs, err)
	}
	r.Moved = n
	return r, errors.Join(errs...)
}
