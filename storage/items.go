package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/topicfeed/topicfeed/news"
)

const itemColumns = `i.id, i.uid, i.story_id, o.name, i.guid, i.url, i.title, i.summary, i.text, i.content_html,
	i.authors, i.categories, i.language, i.image, i.enclosures, i.published, i.updated, i.first_seen,
	i.content_hash, i.simhash, i.on_topic, i.topics, i.tags, i.score, i.evidence, i.story_why, i.related_story, i.outlet_updated,
	i.pending_html`

func scanItem(row interface{ Scan(...any) error }) (news.Item, error) {
	var (
		it                                              news.Item
		authors, categories, enclosures                 string
		topics, tags, evidence                          string
		published, updated, firstSeen, simhash, onTopic int64
		outletUpdated                                   int64
	)
	err := row.Scan(&it.ID, &it.UID, &it.StoryID, &it.Outlet, &it.GUID, &it.URL, &it.Title, &it.Summary, &it.Text,
		&it.ContentHTML, &authors, &categories, &it.Language, &it.Image, &enclosures, &published, &updated, &firstSeen,
		&it.ContentHash, &simhash, &onTopic, &topics, &tags, &it.Score, &evidence, &it.StoryWhy, &it.RelatedStory,
		&outletUpdated, &it.PendingHTML)
	if err != nil {
		return news.Item{}, err
	}
	if outletUpdated != 0 {
		it.OutletUpdated = fromMillis(outletUpdated)
	}
	it.Published = fromMillis(published)
	it.Updated = fromMillis(updated)
	it.FirstSeen = fromMillis(firstSeen)
	it.SimHash = uint64(simhash)
	it.OnTopic = onTopic != 0
	var errs [6]error
	it.Authors, errs[0] = decodeList(authors, "authors")
	it.Categories, errs[1] = decodeList(categories, "categories")
	it.Enclosures, errs[2] = decodeEnclosures(enclosures)
	it.Topics, errs[3] = decodeList(topics, "topics")
	it.Tags, errs[4] = decodeList(tags, "tags")
	it.Evidence, errs[5] = decodeEvidence(evidence)
	if err := errors.Join(errs[:]...); err != nil {
		return news.Item{}, fmt.Errorf("item %s: %w", it.UID, err)
	}
	return it, nil
}

// itemsQuery builds the SQL for q. The most selective filter drives the
// query through its lookup table, whose key (filter, on_topic, published
// DESC, item_id DESC) yields rows already in feed order; the other filters
// are probes on primary keys. (Without OnTopic, a tag, topic or outlet
// query merges both on_topic ranges with a sort: publishing always asks
// for on-topic items.)
func itemsQuery(q news.Query) (string, []any) {
	var (
		from    string
		driver  string // the filter that drives the query
		where   []string
		args    []any
		orderBy string
	)
	onTopic := func(alias string) {
		if q.OnTopic {
			where = append(where, alias+".on_topic = 1")
		}
	}
	lookup := func(table, col, val string) {
		from = table + ` x JOIN items i ON i.id = x.item_id`
		where = append(where, `x.`+col+` = ?`)
		args = append(args, val)
		onTopic("x")
		orderBy = `x.published DESC, x.item_id DESC`
	}
	switch {
	case q.Tag != "":
		driver = "tag"
		lookup("item_tags", "tag", q.Tag)
	case q.Topic != "":
		driver = "topic"
		lookup("item_topics", "topic", q.Topic)
	case q.Outlet != "":
		driver = "outlet"
		from = `item_outlets x JOIN items i ON i.id = x.item_id`
		where = append(where, `x.outlet_id = (SELECT id FROM outlets WHERE name = ?)`)
		args = append(args, q.Outlet)
		onTopic("x")
		orderBy = `x.published DESC, x.item_id DESC`
	case q.StoryID != "":
		driver = "story"
		from = `items i`
		where = append(where, `i.story_id = ?`)
		args = append(args, q.StoryID)
		onTopic("i")
		orderBy = `i.published DESC, i.id DESC`
	default:
		from = `items i`
		onTopic("i")
		orderBy = `i.published DESC, i.id DESC`
	}
	// The other filters probe their lookup table's primary key, which the
	// item's own on_topic and published complete.
	if q.Tag != "" && driver != "tag" {
		where = append(where, `EXISTS (SELECT 1 FROM item_tags t WHERE t.tag = ? AND t.on_topic = i.on_topic AND t.published = i.published AND t.item_id = i.id)`)
		args = append(args, q.Tag)
	}
	if q.Topic != "" && driver != "topic" {
		where = append(where, `EXISTS (SELECT 1 FROM item_topics t WHERE t.topic = ? AND t.on_topic = i.on_topic AND t.published = i.published AND t.item_id = i.id)`)
		args = append(args, q.Topic)
	}
	if q.Outlet != "" && driver != "outlet" {
		where = append(where, `EXISTS (SELECT 1 FROM item_outlets t WHERE t.outlet_id = (SELECT id FROM outlets WHERE name = ?) AND t.on_topic = i.on_topic AND t.published = i.published AND t.item_id = i.id)`)
		args = append(args, q.Outlet)
	}
	if q.StoryID != "" && driver != "story" {
		where = append(where, `i.story_id = ?`)
		args = append(args, q.StoryID)
	}
	if !q.Since.IsZero() {
		// On the driving table's key, so the range scan stops there.
		col := `i.published`
		if strings.HasPrefix(orderBy, "x.") {
			col = `x.published`
		}
		where = append(where, col+` >= ?`)
		args = append(args, toMillis(q.Since))
	}
	if q.PerStory {
		// The story's representative is its earliest item among those the
		// filters select: no selected item of the story comes before it.
		// A probe of items_story (story_id, published, id) per row.
		var also []string
		if q.OnTopic {
			also = append(also, `j.on_topic = 1`)
		}
		if q.Tag != "" {
			also = append(also, `EXISTS (SELECT 1 FROM item_tags t WHERE t.item_id = j.id AND t.tag = ?)`)
			args = append(args, q.Tag)
		}
		if q.Topic != "" {
			also = append(also, `EXISTS (SELECT 1 FROM item_topics t WHERE t.item_id = j.id AND t.topic = ?)`)
			args = append(args, q.Topic)
		}
		if q.Outlet != "" {
			also = append(also, `EXISTS (SELECT 1 FROM item_outlets t WHERE t.item_id = j.id AND t.outlet_id = (SELECT id FROM outlets WHERE name = ?))`)
			args = append(args, q.Outlet)
		}
		if !q.Since.IsZero() {
			also = append(also, `j.published >= ?`)
			args = append(args, toMillis(q.Since))
		}
		cond := `j.story_id = i.story_id AND (j.published < i.published OR (j.published = i.published AND j.id < i.id))`
		for _, a := range also {
			cond += ` AND ` + a
		}
		where = append(where, `NOT EXISTS (SELECT 1 FROM items j WHERE `+cond+`)`)
	}
	var b strings.Builder
	b.WriteString(`SELECT ` + itemColumns + ` FROM ` + from + ` JOIN outlets o ON o.id = i.outlet_id`)
	if len(where) > 0 {
		b.WriteString(` WHERE ` + strings.Join(where, ` AND `))
	}
	b.WriteString(` ORDER BY ` + orderBy)
	if q.Limit > 0 {
		b.WriteString(` LIMIT ?`)
		args = append(args, q.Limit)
	}
	return b.String(), args
}

// Items returns the stored items q selects, newest first by Published
// (then by ID), each with its Sources: one per outlet that carried it,
// in the order the outlets were first seen carrying it.
func (db *DB) Items(ctx context.Context, q news.Query) ([]news.Item, error) {
	query, args := itemsQuery(q)
	items, err := db.queryItems(ctx, db.r, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query items: %w", err)
	}
	if q.PerStory {
		if err := db.fillStorySources(ctx, items, q.OnTopic); err != nil {
			return nil, err
		}
		return items, nil
	}
	if err := db.fillSources(ctx, items); err != nil {
		return nil, err
	}
	return items, nil
}

// fillStorySources sets the Sources of each story representative to every
// source of every item of its story (on-topic items only, when onTopic),
// each outlet's URL once, in the order they were first seen, and moves its
// Updated to the latest time coverage was added.
func (db *DB) fillStorySources(ctx context.Context, items []news.Item, onTopic bool) error {
	byStory := make(map[string]int, len(items))
	for i := range items {
		byStory[items[i].StoryID] = i
	}
	for start := 0; start < len(items); start += sourcesChunk {
		chunk := items[start:min(start+sourcesChunk, len(items))]
		args := make([]any, len(chunk))
		for i, it := range chunk {
			args[i] = it.StoryID
		}
		filter := ``
		if onTopic {
			filter = ` AND i.on_topic = 1`
		}
		q := `SELECT i.story_id, o.name, s.url, s.guid, s.title, s.published, s.first_seen, i.story_changed
			FROM items i JOIN sources s ON s.item_id = i.id JOIN outlets o ON o.id = s.outlet_id
			WHERE i.story_id IN (?` + strings.Repeat(`, ?`, len(chunk)-1) + `)` + filter + `
			ORDER BY i.story_id, s.first_seen, s.id`
		rows, err := db.r.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("query story sources: %w", err)
		}
		for rows.Next() {
			var (
				story                         string
				s                             news.Source
				published, firstSeen, changed int64
			)
			if err := rows.Scan(&story, &s.Outlet, &s.URL, &s.GUID, &s.Title, &published, &firstSeen, &changed); err != nil {
				rows.Close()
				return fmt.Errorf("query story sources: %w", err)
			}
			s.Published = fromMillis(published)
			it := &items[byStory[story]]
			// an item that joined the story later updates its entry
			if t := fromMillis(changed); changed > 0 && t.After(it.Updated) {
				it.Updated = t
			}
			if !containsSource(it.Sources, s.Outlet, s.URL) {
				it.Sources = append(it.Sources, s)
				if t := fromMillis(firstSeen); t.After(it.Updated) && len(it.Sources) > 1 {
					it.Updated = t
				}
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("query story sources: %w", err)
		}
	}
	return nil
}

func containsSource(srcs []news.Source, outlet, url string) bool {
	for _, s := range srcs {
		if s.Outlet == outlet && s.URL == url {
			return true
		}
	}
	return false
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (db *DB) queryItems(ctx context.Context, qr querier, query string, args ...any) ([]news.Item, error) {
	rows, err := qr.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []news.Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, rows.Err()
}

// ItemByUID returns the item with that UID, with its Sources, or an error
// wrapping news.ErrNotFound.
func (db *DB) ItemByUID(ctx context.Context, uid string) (news.Item, error) {
	it, err := scanItem(db.r.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM items i JOIN outlets o ON o.id = i.outlet_id WHERE i.uid = ?`, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return news.Item{}, fmt.Errorf("item %q: %w", uid, news.ErrNotFound)
	}
	if err != nil {
		return news.Item{}, fmt.Errorf("item %q: %w", uid, err)
	}
	items := []news.Item{it}
	if err := db.fillSources(ctx, items); err != nil {
		return news.Item{}, err
	}
	return items[0], nil
}

// sourcesChunk bounds the number of ids bound in one IN list.
const sourcesChunk = 500

// fillSources sets Sources of every item: one per outlet, its first-seen
// source row, ordered by first seen.
func (db *DB) fillSources(ctx context.Context, items []news.Item) error {
	byID := make(map[int64]int, len(items))
	for i := range items {
		byID[items[i].ID] = i
	}
	for start := 0; start < len(items); start += sourcesChunk {
		chunk := items[start:min(start+sourcesChunk, len(items))]
		args := make([]any, len(chunk))
		for i, it := range chunk {
			args[i] = it.ID
		}
		q := `SELECT s.item_id, o.name, s.url, s.guid, s.title, s.published FROM sources s JOIN outlets o ON o.id = s.outlet_id
			WHERE s.item_id IN (?` + strings.Repeat(`, ?`, len(chunk)-1) + `) ORDER BY s.item_id, s.first_seen, s.id`
		if err := db.scanSources(ctx, q, args, items, byID); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) scanSources(ctx context.Context, q string, args []any, items []news.Item, byID map[int64]int) error {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("query sources: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id        int64
			s         news.Source
			published int64
		)
		if err := rows.Scan(&id, &s.Outlet, &s.URL, &s.GUID, &s.Title, &published); err != nil {
			return fmt.Errorf("query sources: %w", err)
		}
		s.Published = fromMillis(published)
		it := &items[byID[id]]
		if !containsOutlet(it.Sources, s.Outlet) {
			it.Sources = append(it.Sources, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("query sources: %w", err)
	}
	return nil
}

func containsOutlet(srcs []news.Source, outlet string) bool {
	for _, s := range srcs {
		if s.Outlet == outlet {
			return true
		}
	}
	return false
}

// eachPage is how many items EachItem reads per read transaction.
const eachPage = 256

// EachItem calls fn for every stored item, in id order, with its Sources.
// Items are read in pages on the read pool; no transaction or lock is held
// while fn runs, so fn may write (e.g. UpdateTagging). An error from fn
// stops the iteration and is returned as is.
func (db *DB) EachItem(ctx context.Context, fn func(news.Item) error) error {
	var after int64
	for {
		items, err := db.queryItems(ctx, db.r, `SELECT `+itemColumns+` FROM items i JOIN outlets o ON o.id = i.outlet_id
			WHERE i.id > ? ORDER BY i.id LIMIT ?`, after, eachPage)
		if err != nil {
			return fmt.Errorf("iterate items after id %d: %w", after, err)
		}
		if len(items) == 0 {
			return nil
		}
		if err := db.fillSources(ctx, items); err != nil {
			return err
		}
		for _, it := range items {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(it); err != nil {
				return err
			}
		}
		after = items[len(items)-1].ID
	}
}

// UpdateTagging replaces the tagging of the item with that row id (for
// re-tagging after the rules changed). The item's Updated time is kept:
// its content did not change.
func (db *DB) UpdateTagging(ctx context.Context, itemID int64, t news.Tagging) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var (
			published    int64
			onTopic      int
			topics, tags string
			score        float64
			evidence     string
		)
		err := tx.QueryRowContext(ctx, `SELECT published, on_topic, topics, tags, score, evidence FROM items WHERE id = ?`, itemID).
			Scan(&published, &onTopic, &topics, &tags, &score, &evidence)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("update tagging of item %d: %w", itemID, news.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("update tagging of item %d: %w", itemID, err)
		}
		old := tagKeys{onTopic: onTopic != 0}
		if old.topics, err = decodeList(topics, "topics"); err != nil {
			return fmt.Errorf("update tagging of item %d: %w", itemID, err)
		}
		if old.tags, err = decodeList(tags, "tags"); err != nil {
			return fmt.Errorf("update tagging of item %d: %w", itemID, err)
		}
		next := keysOf(t)
		ev := encodeEvidence(t.Evidence)
		if old.equal(next) && score == finite(t.Score) && evidence == ev && topics == encodeList(next.topics) && tags == encodeList(next.tags) {
			return nil // nothing changes: keep the revision
		}
		if _, err := tx.ExecContext(ctx, `UPDATE items SET on_topic = ?, topics = ?, tags = ?, score = ?, evidence = ? WHERE id = ?`,
			boolInt(t.OnTopic), encodeList(next.topics), encodeList(next.tags), finite(t.Score), ev, itemID); err != nil {
			return fmt.Errorf("update tagging of item %d: %w", itemID, err)
		}
		var counts countDeltas
		if err := db.reindexTagging(ctx, tx.StmtContext, &counts, itemID, published, old, next); err != nil {
			return err
		}
		if old.onTopic && !next.onTopic {
			// story clustering keeps on-topic items only
			if _, err := tx.StmtContext(ctx, db.ws.dropStoryState).ExecContext(ctx, itemID); err != nil {
				return fmt.Errorf("update tagging of item %d: drop story state: %w", itemID, err)
			}
		}
		if err := counts.write(ctx, tx.StmtContext(ctx, db.ws.addCount)); err != nil {
			return err
		}
		return db.bump(ctx, tx, true)
	})
}

// SetContentHTML stores html as item itemID's sanitised content, in place
// of the unsanitised content kept of it while it was off topic
// (news.Item.PendingHTML).
func (db *DB) SetContentHTML(ctx context.Context, itemID int64, html string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE items SET content_html = ?, pending_html = '' WHERE id = ?`, html, itemID)
		if err != nil {
			return fmt.Errorf("set content of item %d: %w", itemID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("set content of item %d: %w", itemID, err)
		}
		if n == 0 {
			return fmt.Errorf("set content of item %d: %w", itemID, news.ErrNotFound)
		}
		return db.bump(ctx, tx, true)
	})
}
