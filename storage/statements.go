package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// writeStmts are the statements SaveFetch runs per item, prepared once on
// the writer connection and bound to each transaction with tx.StmtContext.
type writeStmts struct {
	outletID         *sql.Stmt
	bySource         *sql.Stmt
	byArticle        *sql.Stmt
	byUID            *sql.Stmt
	insertItem       *sql.Stmt
	updateItem       *sql.Stmt
	insertSource     *sql.Stmt
	updateSource     *sql.Stmt
	setSourceRaw     *sql.Stmt
	insertItemOutlet *sql.Stmt
	countItems       *sql.Stmt

	setOutletsOnTopic *sql.Stmt
	deleteTags        *sql.Stmt
	insertTag         *sql.Stmt
	deleteTopics      *sql.Stmt
	insertTopic       *sql.Stmt
	addCount          *sql.Stmt
	newStories        *sql.Stmt
	putStoryState     *sql.Stmt
	dropStoryState    *sql.Stmt
	saveOutlet        *sql.Stmt
	bump              *sql.Stmt
	bumpContent       *sql.Stmt
}

const storedColumns = `i.id, i.outlet_id, i.change_hash, i.published, i.updated, i.on_topic, i.topics, i.tags`

// sourceSQL finds the stored item that outlet ?1 published under GUID ?3
// (?2 is the GUID's lookupKey).
const sourceSQL = `SELECT ` + storedColumns + `, s.id, s.url, s.title, s.raw_hash
	FROM sources s JOIN items i ON i.id = s.item_id
	WHERE s.outlet_id = ?1 AND s.guid_key = ?2 AND s.guid = ?3 ORDER BY s.id LIMIT 1`

// articleSQL finds a stored item with the same URL ?2 or, failing that,
// the same content hash ?4 (?1 and ?3 are their lookupKeys; 0, for an
// empty string, never matches).
const articleSQL = `SELECT * FROM (
		SELECT * FROM (SELECT ` + storedColumns + `, 1 AS how FROM items i
			WHERE i.url_key = ?1 AND i.url_key <> 0 AND i.url = ?2 ORDER BY i.id LIMIT 1) AS by_url
		UNION ALL
		SELECT * FROM (SELECT ` + storedColumns + `, 2 FROM items i
			WHERE i.hash_key = ?3 AND i.hash_key <> 0 AND i.content_hash = ?4 ORDER BY i.id LIMIT 1) AS by_content
	) AS found ORDER BY how LIMIT 1`

func (db *DB) prepareStatements(ctx context.Context) error {
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&db.ws.outletID, `SELECT id FROM outlets WHERE name = ?`},
		{&db.ws.bySource, sourceSQL},
		{&db.ws.byArticle, articleSQL},
		{&db.ws.byUID, `SELECT ` + storedColumns + ` FROM items i WHERE i.uid = ?`},
		{&db.ws.insertItem, `INSERT INTO items (uid, story_id, outlet_id, guid, url, url_key, title, summary, text,
			content_html, authors, categories, language, image, enclosures, published, updated, first_seen, content_hash,
			hash_key, simhash, change_hash, on_topic, topics, tags, score, evidence, story_why, related_story, outlet_updated,
			pending_html)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (uid) DO NOTHING RETURNING id`},
		// An empty URL keeps the stored one. The story's reason and related
		// story, like the story, are kept once set (a re-indexed item keeps
		// its story and says only that); an item stored without them (off
		// topic until this edit) takes the new ones.
		{&db.ws.updateItem, `UPDATE items SET url = coalesce(nullif(?1, ''), url),
			url_key = CASE WHEN ?1 = '' THEN url_key ELSE ?2 END, title = ?3, summary = ?4, text = ?5,
			content_html = ?6, authors = ?7, categories = ?8, language = ?9, image = ?10, enclosures = ?11, updated = ?12,
			content_hash = ?13, hash_key = ?14, simhash = ?15, change_hash = ?16, on_topic = ?17, topics = ?18,
			tags = ?19, score = ?20, evidence = ?21, story_why = coalesce(nullif(story_why, ''), ?23),
			related_story = coalesce(nullif(related_story, ''), ?24), outlet_updated = ?25, pending_html = ?26
			WHERE id = ?22`},
		{&db.ws.insertSource, `INSERT INTO sources (item_id, outlet_id, guid, guid_key, url, title, published, first_seen, raw_hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&db.ws.updateSource, `UPDATE sources SET url = ?, title = ?, raw_hash = ? WHERE id = ?`},
		{&db.ws.setSourceRaw, `UPDATE sources SET raw_hash = ? WHERE id = ?`},
		{&db.ws.insertItemOutlet, `INSERT INTO item_outlets (outlet_id, on_topic, published, item_id)
			VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`},
		{&db.ws.countItems, `UPDATE outlets SET item_count = item_count + ? WHERE id = ?`},
		{&db.ws.setOutletsOnTopic, `UPDATE item_outlets SET on_topic = ? WHERE item_id = ?`},
		{&db.ws.deleteTags, `DELETE FROM item_tags WHERE item_id = ?`},
		{&db.ws.insertTag, `INSERT INTO item_tags (tag, on_topic, published, item_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`},
		{&db.ws.deleteTopics, `DELETE FROM item_topics WHERE item_id = ?`},
		{&db.ws.insertTopic, `INSERT INTO item_topics (topic, on_topic, published, item_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`},
		{&db.ws.addCount, addCountSQL},
		{&db.ws.newStories, newStoriesSQL(db.eng)},
		// The item's other columns come from its row; an item that is
		// gone or off topic gets none.
		{&db.ws.putStoryState, `INSERT INTO story_states (item_id, version, published, uid, story_id, outlet_id, state)
			SELECT id, ?2, published, uid, story_id, outlet_id, ?3 FROM items WHERE id = ?1 AND on_topic = 1
			ON CONFLICT (item_id) DO UPDATE SET version = excluded.version, state = excluded.state`},
		{&db.ws.dropStoryState, `DELETE FROM story_states WHERE item_id = ?`},
		{&db.ws.saveOutlet, `UPDATE outlets SET feed_url = coalesce(nullif(?, ''), feed_url), etag = ?, last_modified = ?,
			last_fetch = ?, last_success = ?, next_poll = ?, last_status = ?, last_error = ?, consecutive_errors = ?,
			disabled = ?, disabled_reason = ?
			WHERE name = ?`},
		{&db.ws.bump, db.eng.bumpSQL(`revision = revision + 1`)},
		{&db.ws.bumpContent, db.eng.bumpSQL(`revision = revision + 1, content_revision = content_revision + 1`)},
	} {
		s, err := db.w.PrepareContext(ctx, p.sql)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", p.sql, err)
		}
		*p.dst = s
	}
	return nil
}

func (ws *writeStmts) close() error {
	var errs []error
	for _, s := range []*sql.Stmt{ws.outletID, ws.bySource, ws.byArticle, ws.byUID, ws.insertItem,
		ws.updateItem, ws.insertSource, ws.updateSource, ws.setSourceRaw, ws.insertItemOutlet, ws.countItems,
		ws.setOutletsOnTopic, ws.deleteTags, ws.insertTag, ws.deleteTopics, ws.insertTopic, ws.addCount, ws.newStories,
		ws.putStoryState, ws.dropStoryState, ws.saveOutlet, ws.bump, ws.bumpContent} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(errs...)
}
