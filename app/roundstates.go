package app

import (
	"context"
	"sync"

	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// roundStates is the store of a one-shot poll round: it reads every
// outlet's polling state in one query, at the round's first OutletState,
// instead of one query per outlet and poll (with a round of mostly 304s,
// those reads were a third of what each poll cost the process). An outlet
// saved since reads from the database again. The round's states are as
// fresh as at its start: a round decides which outlets are due from such a
// snapshot anyway, and a poll's state written by another process between
// the read and the save was overwritten before as well.
type roundStates struct {
	*storage.DB
	once   sync.Once
	mu     sync.Mutex
	states map[string]news.OutletState // nil: not read, or the read failed
}

func (r *roundStates) OutletState(ctx context.Context, name string) (news.OutletState, error) {
	r.once.Do(func() {
		all, err := r.DB.Outlets(ctx)
		if err != nil {
			return // each read goes to the database, which reports it
		}
		m := make(map[string]news.OutletState, len(all))
		for _, st := range all {
			m[st.Name] = st
		}
		r.mu.Lock()
		r.states = m
		r.mu.Unlock()
	})
	r.mu.Lock()
	st, ok := r.states[name]
	r.mu.Unlock()
	if ok {
		return st, nil
	}
	return r.DB.OutletState(ctx, name)
}

// forget makes the next read of the outlet's state go to the database.
func (r *roundStates) forget(name string) {
	r.mu.Lock()
	delete(r.states, name)
	r.mu.Unlock()
}

func (r *roundStates) SaveOutletState(ctx context.Context, st news.OutletState) error {
	r.forget(st.Name)
	return r.DB.SaveOutletState(ctx, st)
}

func (r *roundStates) SaveFetch(ctx context.Context, st news.OutletState, items []news.Item) (news.SaveStats, error) {
	r.forget(st.Name)
	return r.DB.SaveFetch(ctx, st, items)
}

func (r *roundStates) SaveFetches(ctx context.Context, fetches []news.Fetch) []news.FetchResult {
	for _, f := range fetches {
		r.forget(f.State.Name)
	}
	return r.DB.SaveFetches(ctx, fetches)
}
