package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// SaveFetch stores one fetched feed: every item and the outlet's new
// polling state, in one transaction. Either all of it is stored or, on any
// error (a cancelled ctx included), none of it.
//
// Each item is matched against what is stored, in this order:
//  1. the same outlet and GUID as a stored source: that item. When the
//     outlet is the item's own and its content changed, it is updated in
//     place (UID, story, Published and FirstSeen kept, and StoryWhy and
//     RelatedStory once stored) and counted Updated; otherwise Unchanged.
//  2. the same canonical URL as a stored item: the outlet and GUID become
//     another source of it (Duplicate), or an alias GUID when the outlet is
//     the item's own (Updated if its content changed, else Duplicate).
//  3. the same ContentHash as a stored item: another source (Duplicate);
//     likewise the stored item whose UID is the item's DuplicateOf (a
//     near-duplicate copy found by story clustering).
//  4. otherwise a new item with a new UID (New).
func (db *DB) SaveFetch(ctx context.Context, st news.OutletState, items []news.Item) (news.SaveStats, error) {
	var stats news.SaveStats
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var (
			changed bool
			err     error
		)
		stats, changed, err = db.saveFetch(ctx, tx, nil, st, items)
		if err != nil {
			return err
		}
		return db.bump(ctx, tx, changed)
	})
	if err != nil {
		return news.SaveStats{}, err
	}
	return stats, nil
}

// saveFetch stores one fetched feed in tx (SaveFetch, without the
// revision bump) and reports whether anything published changed. bound,
// when not nil, holds the statements already bound to tx and takes those
// bound now, so that the fetches of one batch bind each statement once.
func (db *DB) saveFetch(ctx context.Context, tx *sql.Tx, bound map[*sql.Stmt]*sql.Stmt, st news.OutletState, items []news.Item) (news.SaveStats, bool, error) {
	var stats news.SaveStats
	now := db.now().UTC()
	var outletID int64
	err := tx.StmtContext(ctx, db.ws.outletID).QueryRowContext(ctx, st.Name).Scan(&outletID)
	if errors.Is(err, sql.ErrNoRows) {
		return stats, false, fmt.Errorf("outlet %q: %w", st.Name, news.ErrNotFound)
	}
	if err != nil {
		return stats, false, fmt.Errorf("outlet %q: %w", st.Name, err)
	}
	in := ingest{db: db, tx: tx, outletID: outletID, outlet: st.Name, now: now, bound: bound}
	for i := range items {
		it := items[i] // save may fill in defaults; the caller's items stay as they are
		res, err := in.save(ctx, &it)
		if err != nil {
			return stats, false, fmt.Errorf("item %d (guid %q) of outlet %q: %w", i, items[i].GUID, st.Name, err)
		}
		switch res {
		case resNew:
			stats.New++
		case resUpdated:
			stats.Updated++
		case resDuplicate:
			stats.Duplicate++
		default:
			stats.Unchanged++
		}
	}
	if err := in.countNewStories(ctx); err != nil {
		return stats, false, err
	}
	if err := in.counts.write(ctx, in.stmt(ctx, db.ws.addCount)); err != nil {
		return stats, false, err
	}
	if in.newItems > 0 {
		if _, err := in.stmt(ctx, db.ws.countItems).ExecContext(ctx, in.newItems, outletID); err != nil {
			return stats, false, fmt.Errorf("count items of outlet %q: %w", st.Name, err)
		}
	}
	if err := db.saveOutletState(ctx, tx, st); err != nil {
		return stats, false, err
	}
	return stats, in.changed, nil
}

type saveResult int

const (
	resUnchanged saveResult = iota
	resNew
	resUpdated
	resDuplicate
)

// ingest carries one SaveFetch transaction.
type ingest struct {
	db       *DB
	tx       *sql.Tx
	outletID int64
	outlet   string
	now      time.Time
	changed  bool // anything published changed
	newItems int  // items this outlet carries for the first time
	counts   countDeltas
	// the stories and ids of the items inserted, to count the stories
	// that are new at the end (countNewStories)
	newStories []string
	newIDs     []int64
	bound      map[*sql.Stmt]*sql.Stmt
}

// stmt returns s bound to the transaction, binding each statement once.
func (in *ingest) stmt(ctx context.Context, s *sql.Stmt) *sql.Stmt {
	if b, ok := in.bound[s]; ok {
		return b
	}
	b := in.tx.StmtContext(ctx, s)
	if in.bound == nil {
		in.bound = make(map[*sql.Stmt]*sql.Stmt)
	}
	in.bound[s] = b
	return b
}

// storedItem is what matching needs of a stored item.
type storedItem struct {
	id, outletID       int64
	changeHash         string
	published, updated int64
	tagKeys
}

// tagKeys is the part of an item's tagging the lookup tables index.
type tagKeys struct {
	onTopic      bool
	topics, tags []string
}

func (k tagKeys) equal(o tagKeys) bool {
	return k.onTopic == o.onTopic && slices.Equal(k.topics, o.topics) && slices.Equal(k.tags, o.tags)
}

func keysOf(t news.Tagging) tagKeys {
	return tagKeys{onTopic: t.OnTopic, topics: uniq(t.Topics), tags: uniq(t.Tags)}
}

// uniq returns the non-empty strings of v, each once, in first-seen order.
func uniq(v []string) []string {
	var out []string
	for _, s := range v {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func scanStored(row *sql.Row, extra ...any) (storedItem, error) {
	var (
		s            storedItem
		onTopic      int
		topics, tags string
	)
	dest := append([]any{&s.id, &s.outletID, &s.changeHash, &s.published, &s.updated, &onTopic, &topics, &tags}, extra...)
	if err := row.Scan(dest...); err != nil {
		return storedItem{}, err
	}
	s.onTopic = onTopic != 0
	var err error
	if s.topics, err = decodeList(topics, "topics"); err != nil {
		return storedItem{}, err
	}
	if s.tags, err = decodeList(tags, "tags"); err != nil {
		return storedItem{}, err
	}
	return s, nil
}

func (in *ingest) save(ctx context.Context, it *news.Item) (saveResult, error) {
	if it.GUID == "" && it.URL != "" {
		it.GUID = it.URL
	}
	hash := changeHash(*it)

	// 1. A known (outlet, GUID): the common case of a re-poll.
	var (
		sourceID, sourceRaw    int64
		sourceURL, sourceTitle string
	)
	s, err := scanStored(in.stmt(ctx, in.db.ws.bySource).QueryRowContext(ctx, in.outletID, lookupKey(it.GUID), it.GUID),
		&sourceID, &sourceURL, &sourceTitle, &sourceRaw)
	switch {
	case err == nil:
		// The source row keeps the fingerprint of the raw entry it was
		// last seen as; an unset (0) one leaves the stored one.
		raw := sourceRaw
		if it.RawHash != 0 {
			raw = rawKey(it.RawHash)
		}
		if s.outletID == in.outletID {
			if s.changeHash == hash {
				return resUnchanged, in.setRaw(ctx, sourceID, sourceRaw, raw)
			}
			if err := in.update(ctx, s, it, hash); err != nil {
				return 0, err
			}
			if _, err := in.stmt(ctx, in.db.ws.updateSource).ExecContext(ctx, it.URL, it.Title, raw, sourceID); err != nil {
				return 0, fmt.Errorf("update source: %w", err)
			}
			return resUpdated, nil
		}
		// Another outlet's copy of an item first stored from elsewhere:
		// keep its source row current, the item is not theirs to edit.
		if sourceURL != it.URL || sourceTitle != it.Title {
			if _, err := in.stmt(ctx, in.db.ws.updateSource).ExecContext(ctx, it.URL, it.Title, raw, sourceID); err != nil {
				return 0, fmt.Errorf("update source: %w", err)
			}
			in.changed = true
			return resUnchanged, nil
		}
		return resUnchanged, in.setRaw(ctx, sourceID, sourceRaw, raw)
	case !errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("match by guid: %w", err)
	}

	// 2. and 3. The same article (URL, else content) under another
	// (outlet, GUID), in one query.
	if it.URL != "" || it.ContentHash != "" {
		var how int
		s, err := scanStored(in.stmt(ctx, in.db.ws.byArticle).QueryRowContext(ctx,
			lookupKey(it.URL), it.URL, lookupKey(it.ContentHash), it.ContentHash), &how)
		switch {
		case err == nil:
			if err := in.addSource(ctx, s.id, s.onTopic, s.published, it); err != nil {
				return 0, err
			}
			if s.outletID == in.outletID && s.changeHash != hash {
				if err := in.update(ctx, s, it, hash); err != nil {
					return 0, err
				}
				return resUpdated, nil
			}
			return resDuplicate, nil
		case !errors.Is(err, sql.ErrNoRows):
			return 0, fmt.Errorf("match by url or content: %w", err)
		}
	}

	// 3b. A near-duplicate copy of a stored item, as story clustering
	// found: another source of it. (If that item is not stored, this one
	// is stored in its own right.)
	if it.DuplicateOf != "" {
		s, err := scanStored(in.stmt(ctx, in.db.ws.byUID).QueryRowContext(ctx, it.DuplicateOf))
		switch {
		case err == nil:
			if err := in.addSource(ctx, s.id, s.onTopic, s.published, it); err != nil {
				return 0, err
			}
			return resDuplicate, nil
		case !errors.Is(err, sql.ErrNoRows):
			return 0, fmt.Errorf("match near-duplicate: %w", err)
		}
	}

	// 4. A new item.
	if err := in.insert(ctx, it, hash); err != nil {
		return 0, err
	}
	return resNew, nil
}

// setRaw updates source id's raw-entry fingerprint from old to raw when
// they differ. It changes nothing published.
func (in *ingest) setRaw(ctx context.Context, sourceID, old, raw int64) error {
	if raw == old {
		return nil
	}
	if _, err := in.stmt(ctx, in.db.ws.setSourceRaw).ExecContext(ctx, raw, sourceID); err != nil {
		return fmt.Errorf("update source fingerprint: %w", err)
	}
	return nil
}

// update rewrites a stored item's content and tagging in place.
func (in *ingest) update(ctx context.Context, s storedItem, it *news.Item, hash string) error {
	updated := in.now
	if !it.Updated.IsZero() && toMillis(it.Updated) > s.updated {
		updated = it.Updated
	}
	_, err := in.stmt(ctx, in.db.ws.updateItem).ExecContext(ctx,
		it.URL, lookupKey(it.URL), it.Title, it.Summary, it.Text, it.ContentHTML,
		encodeList(it.Authors), encodeList(it.Categories), it.Language, it.Image, encodeEnclosures(it.Enclosures),
		toMillis(updated), it.ContentHash, lookupKey(it.ContentHash), int64(it.SimHash), hash,
		boolInt(it.OnTopic), encodeList(uniq(it.Topics)), encodeList(uniq(it.Tags)), finite(it.Score), encodeEvidence(it.Evidence),
		s.id, it.StoryWhy, it.RelatedStory, outletUpdated(it.Updated, fromMillis(s.published)), it.PendingHTML)
	if err != nil {
		return fmt.Errorf("update item %d: %w", s.id, err)
	}
	if err := in.db.reindexTagging(ctx, in.stmt, &in.counts, s.id, s.published, s.tagKeys, keysOf(it.Tagging)); err != nil {
		return err
	}
	if err := in.storyState(ctx, s.id, it, true); err != nil {
		return err
	}
	in.changed = true
	return nil
}

// storyState stores what story clustering recorded of item id, or drops
// what it had when the item has none now (no longer on topic); existed
// says whether there may be a stored one to drop.
func (in *ingest) storyState(ctx context.Context, id int64, it *news.Item, existed bool) error {
	if it.OnTopic && len(it.StoryState) > 0 {
		if _, err := in.stmt(ctx, in.db.ws.putStoryState).ExecContext(ctx, id, it.StoryStateVersion, it.StoryState); err != nil {
			return fmt.Errorf("store story state of item %d: %w", id, err)
		}
		return nil
	}
	if existed {
		if _, err := in.stmt(ctx, in.db.ws.dropStoryState).ExecContext(ctx, id); err != nil {
			return fmt.Errorf("drop story state of item %d: %w", id, err)
		}
	}
	return nil
}

// outletUpdated is the outlet_updated column of an item the outlet dated
// updated, published at published: the update when it is later than the
// publication, else 0 (the outlet said nothing of an update).
func outletUpdated(updated, published time.Time) int64 {
	if updated.IsZero() || !updated.Truncate(time.Minute).After(published.Truncate(time.Minute)) {
		return 0
	}
	return toMillis(updated)
}

func (in *ingest) insert(ctx context.Context, it *news.Item, hash string) error {
	firstSeen := it.FirstSeen
	if firstSeen.IsZero() {
		firstSeen = in.now
	}
	published := it.Published
	if published.IsZero() {
		published = firstSeen
	}
	updated := it.Updated
	if updated.IsZero() || updated.Before(published) {
		updated = published
	}
	// The uid is unique; on a (vanishingly rare) collision the insert
	// does nothing, returns no id, and the next candidate is tried.
	var (
		id    int64
		story string
	)
	for attempt := 0; ; attempt++ {
		if attempt == 100 {
			return errors.New("no free uid after 100 attempts")
		}
		uid := newUID(in.outlet, it.GUID, published, attempt)
		story = it.StoryID
		if story == "" {
			story = "s-" + uid
		}
		err := in.stmt(ctx, in.db.ws.insertItem).QueryRowContext(ctx,
			uid, story, in.outletID, it.GUID, it.URL, lookupKey(it.URL), it.Title, it.Summary, it.Text, it.ContentHTML,
			encodeList(it.Authors), encodeList(it.Categories), it.Language, it.Image, encodeEnclosures(it.Enclosures),
			toMillis(published), toMillis(updated), toMillis(firstSeen), it.ContentHash, lookupKey(it.ContentHash),
			int64(it.SimHash), hash,
			boolInt(it.OnTopic), encodeList(uniq(it.Topics)), encodeList(uniq(it.Tags)), finite(it.Score), encodeEvidence(it.Evidence),
			it.StoryWhy, it.RelatedStory, outletUpdated(it.Updated, published), it.PendingHTML).Scan(&id)
		if err == nil {
			break
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("insert item: %w", err)
		}
	}
	in.counts.add("items", "", 1)
	in.newStories = append(in.newStories, story)
	in.newIDs = append(in.newIDs, id)
	pub := toMillis(published)
	if err := in.addSource(ctx, id, it.OnTopic, pub, it); err != nil {
		return err
	}
	if err := in.db.reindexTagging(ctx, in.stmt, &in.counts, id, pub, tagKeys{}, keysOf(it.Tagging)); err != nil {
		return err
	}
	if err := in.storyState(ctx, id, it, false); err != nil {
		return err
	}
	in.changed = true
	return nil
}

// addSource records this outlet's (GUID, URL) as a source of item id and
// counts the item for the outlet the first time the outlet carries it.
func (in *ingest) addSource(ctx context.Context, itemID int64, onTopic bool, published int64, it *news.Item) error {
	srcPublished := it.Published
	if srcPublished.IsZero() {
		srcPublished = in.now
	}
	if _, err := in.stmt(ctx, in.db.ws.insertSource).ExecContext(ctx,
		itemID, in.outletID, it.GUID, lookupKey(it.GUID), it.URL, it.Title, toMillis(srcPublished), toMillis(in.now),
		rawKey(it.RawHash)); err != nil {
		return fmt.Errorf("insert source: %w", err)
	}
	res, err := in.stmt(ctx, in.db.ws.insertItemOutlet).ExecContext(ctx, in.outletID, boolInt(onTopic), published, itemID)
	if err != nil {
		return fmt.Errorf("index item outlet: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("index item outlet: %w", err)
	}
	in.newItems += int(n)
	in.changed = true
	return nil
}

// bind binds a prepared statement to the current transaction.
type bind func(ctx context.Context, s *sql.Stmt) *sql.Stmt

// reindexTagging brings the lookup tables of item id from old to new
// tagging and records the change in counts.
func (db *DB) reindexTagging(ctx context.Context, stmt bind, counts *countDeltas, id, published int64, old, new tagKeys) error {
	if old.equal(new) {
		return nil
	}
	counts.tagging(old, new)
	on := boolInt(new.onTopic)
	if old.onTopic != new.onTopic {
		if _, err := stmt(ctx, db.ws.setOutletsOnTopic).ExecContext(ctx, on, id); err != nil {
			return fmt.Errorf("reindex outlets of item %d: %w", id, err)
		}
	}
	for _, t := range []struct {
		what        string
		old, new    []string
		del, insert *sql.Stmt
	}{{"tags", old.tags, new.tags, db.ws.deleteTags, db.ws.insertTag}, {"topics", old.topics, new.topics, db.ws.deleteTopics, db.ws.insertTopic}} {
		if old.onTopic == new.onTopic && slices.Equal(t.old, t.new) {
			continue
		}
		if len(t.old) > 0 {
			if _, err := stmt(ctx, t.del).ExecContext(ctx, id); err != nil {
				return fmt.Errorf("reindex %s of item %d: %w", t.what, id, err)
			}
		}
		for _, v := range t.new {
			if _, err := stmt(ctx, t.insert).ExecContext(ctx, v, on, published, id); err != nil {
				return fmt.Errorf("reindex %s of item %d: %w", t.what, id, err)
			}
		}
	}
	return nil
}
