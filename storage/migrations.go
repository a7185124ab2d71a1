package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// schemaSteps returns the schema migrations in order: step i (0-based)
// takes the database from user_version i to i+1. Append new steps, never
// edit old ones: a released step has run on users' databases.
//
// Times are integer Unix milliseconds, UTC. JSON columns hold arrays or
// objects encoded by this package.
func schemaSteps() [][]string {
	return [][]string{
		// 1: initial schema.
		{
			`CREATE TABLE meta (
				id               INTEGER PRIMARY KEY CHECK (id = 1),
				revision         INTEGER NOT NULL,
				content_revision INTEGER NOT NULL
			)`,
			`INSERT INTO meta (id, revision, content_revision) VALUES (1, 1, 1)`,

			`CREATE TABLE outlets (
				id                 INTEGER PRIMARY KEY,
				name               TEXT    NOT NULL UNIQUE CHECK (name <> ''),
				slug               TEXT    NOT NULL,
				config_url         TEXT    NOT NULL,
				feed_url           TEXT    NOT NULL,
				etag               TEXT    NOT NULL DEFAULT '',
				last_modified      TEXT    NOT NULL DEFAULT '',
				last_fetch         INTEGER NOT NULL DEFAULT 0,
				last_success       INTEGER NOT NULL DEFAULT 0,
				next_poll          INTEGER NOT NULL DEFAULT 0,
				last_status        INTEGER NOT NULL DEFAULT 0,
				last_error         TEXT    NOT NULL DEFAULT '',
				consecutive_errors INTEGER NOT NULL DEFAULT 0,
				disabled           INTEGER NOT NULL DEFAULT 0,
				disabled_reason    TEXT    NOT NULL DEFAULT '',
				item_count         INTEGER NOT NULL DEFAULT 0
			)`,

			// items.outlet_id/guid are the first source's; published never
			// changes once stored (the lookup tables below key on it).
			`CREATE TABLE items (
				id           INTEGER PRIMARY KEY,
				uid          TEXT    NOT NULL UNIQUE CHECK (uid <> ''),
				story_id     TEXT    NOT NULL CHECK (story_id <> ''),
				outlet_id    INTEGER NOT NULL REFERENCES outlets (id),
				guid         TEXT    NOT NULL CHECK (guid <> ''),
				url          TEXT    NOT NULL,
				url_key      INTEGER NOT NULL,
				title        TEXT    NOT NULL,
				summary      TEXT    NOT NULL,
				text         TEXT    NOT NULL,
				content_html TEXT    NOT NULL,
				authors      TEXT    NOT NULL,
				categories   TEXT    NOT NULL,
				language     TEXT    NOT NULL,
				image        TEXT    NOT NULL,
				enclosures   TEXT    NOT NULL,
				published    INTEGER NOT NULL,
				updated      INTEGER NOT NULL,
				first_seen   INTEGER NOT NULL,
				content_hash TEXT    NOT NULL,
				hash_key     INTEGER NOT NULL,
				simhash      INTEGER NOT NULL,
				change_hash  TEXT    NOT NULL,
				on_topic     INTEGER NOT NULL CHECK (on_topic IN (0, 1)),
				topics       TEXT    NOT NULL,
				tags         TEXT    NOT NULL,
				score        REAL    NOT NULL,
				evidence     TEXT    NOT NULL
			)`,
			`CREATE INDEX items_published ON items (published DESC, id DESC)`,
			`CREATE INDEX items_on_topic_published ON items (on_topic, published DESC, id DESC)`,
			`CREATE INDEX items_story ON items (story_id, published DESC, id DESC)`,
			// Identity lookups go through 64-bit keys of the strings
			// (see lookupKey), which keeps these indexes small enough to
			// stay cached as the store grows; the strings are compared too.
			`CREATE INDEX items_url_key ON items (url_key) WHERE url_key <> 0`,
			`CREATE INDEX items_hash_key ON items (hash_key) WHERE hash_key <> 0`,

			// sources: every (outlet, guid) that was seen for an item,
			// including an outlet's alias guids for one article.
			`CREATE TABLE sources (
				id         INTEGER PRIMARY KEY,
				item_id    INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
				outlet_id  INTEGER NOT NULL REFERENCES outlets (id),
				guid       TEXT    NOT NULL CHECK (guid <> ''),
				guid_key   INTEGER NOT NULL,
				url        TEXT    NOT NULL,
				title      TEXT    NOT NULL,
				published  INTEGER NOT NULL,
				first_seen INTEGER NOT NULL
			)`,
			// (outlet_id, guid) is unique: the single writer looks a
			// source up before it adds one, in the same transaction.
			`CREATE INDEX sources_guid ON sources (outlet_id, guid_key)`,
			`CREATE INDEX sources_item ON sources (item_id, first_seen, id)`,

			// Lookup tables that make filtered, published-ordered queries
			// index range scans. They repeat items.on_topic and
			// items.published in their keys and are kept in step with them.
			`CREATE TABLE item_outlets (
				outlet_id INTEGER NOT NULL REFERENCES outlets (id),
				on_topic  INTEGER NOT NULL,
				published INTEGER NOT NULL,
				item_id   INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
				PRIMARY KEY (outlet_id, on_topic, published DESC, item_id DESC)
			) WITHOUT ROWID`,
			`CREATE INDEX item_outlets_item ON item_outlets (item_id)`,
			`CREATE TABLE item_tags (
				tag       TEXT    NOT NULL,
				on_topic  INTEGER NOT NULL,
				published INTEGER NOT NULL,
				item_id   INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
				PRIMARY KEY (tag, on_topic, published DESC, item_id DESC)
			) WITHOUT ROWID`,
			`CREATE INDEX item_tags_item ON item_tags (item_id)`,
			`CREATE TABLE item_topics (
				topic     TEXT    NOT NULL,
				on_topic  INTEGER NOT NULL,
				published INTEGER NOT NULL,
				item_id   INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
				PRIMARY KEY (topic, on_topic, published DESC, item_id DESC)
			) WITHOUT ROWID`,
			`CREATE INDEX item_topics_item ON item_topics (item_id)`,
		},
		// 2: settings the daemon keeps between runs (e.g. the fingerprint
		// of the tagging rules the stored items were tagged with).
		{
			`CREATE TABLE settings (
				key   TEXT PRIMARY KEY,
				value TEXT NOT NULL
			) WITHOUT ROWID`,
		},
		// 3: the fingerprint of the raw feed entry each source was last
		// seen as (news.Item.RawHash, stored as int64; 0 = unset), so that
		// a poll can skip entries it already stored (KnownRaw).
		{
			`ALTER TABLE sources ADD COLUMN raw_hash INTEGER NOT NULL DEFAULT 0`,
			`CREATE INDEX sources_raw ON sources (outlet_id, raw_hash) WHERE raw_hash <> 0`,
		},
		// 4: the counts Stats reports, kept in step by every path that
		// adds, deletes or re-tags items (SaveFetch, UpdateTagging, Prune;
		// see counts.go), so that a scrape reads a few rows instead of
		// counting the store. name is items, on_topic or stories (key ''),
		// or topic or tag (key the label, counting on-topic items).
		{
			`CREATE TABLE counts (
				name TEXT    NOT NULL,
				key  TEXT    NOT NULL,
				n    INTEGER NOT NULL,
				PRIMARY KEY (name, key)
			) WITHOUT ROWID`,
			`INSERT INTO counts (name, key, n)
				SELECT 'items', '', count(*) FROM items
				UNION ALL SELECT 'on_topic', '', count(*) FROM items WHERE on_topic = 1
				UNION ALL SELECT 'stories', '', count(DISTINCT story_id) FROM items
				UNION ALL SELECT 'topic', topic, count(*) FROM item_topics WHERE on_topic = 1 GROUP BY topic
				UNION ALL SELECT 'tag', tag, count(*) FROM item_tags WHERE on_topic = 1 GROUP BY tag`,
		},
		// 5: what story clustering recorded of each on-topic item
		// (news.Item.StoryState, opaque, under its version), so that a
		// restart rebuilds the story index from these rows instead of
		// analysing every text of the window again (EachStoryDoc). uid,
		// story_id, outlet_id and published repeat the item's, which never
		// change once stored but for story_id, which SetStories keeps in
		// step: a restart reads this table alone.
		{
			`CREATE TABLE story_states (
				item_id   INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
				version   INTEGER NOT NULL,
				published INTEGER NOT NULL,
				uid       TEXT    NOT NULL,
				story_id  TEXT    NOT NULL,
				outlet_id INTEGER NOT NULL,
				state     BLOB    NOT NULL
			)`,
			`CREATE INDEX story_states_window ON story_states (version, published, item_id)`,
		},
		// 6: why story clustering put each item in its story
		// (news.Item.StoryWhy) and a story the item is related to without
		// being part of it (news.Item.RelatedStory), for story pages; the
		// index finds the items that name a story as related
		// (RelatedStories); when an item last changed story (SetStories),
		// so that its story's entry shows an update.
		{
			`ALTER TABLE items ADD COLUMN story_why TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE items ADD COLUMN related_story TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE items ADD COLUMN story_changed INTEGER NOT NULL DEFAULT 0`,
			`CREATE INDEX items_related ON items (related_story) WHERE related_story <> ''`,
		},
		// 7: when the outlet said it last updated each item (its feed's
		// date; 0 when it gave none or none later than the publication),
		// for pages: items.updated moves with every change topicfeed
		// stores, for feed readers.
		{
			`ALTER TABLE items ADD COLUMN outlet_updated INTEGER NOT NULL DEFAULT 0`,
		},
		// 8: an off-topic item's content prepared but not sanitised
		// (news.Item.PendingHTML), for a retag that puts it on topic;
		// never published.
		{
			`ALTER TABLE items ADD COLUMN pending_html TEXT NOT NULL DEFAULT ''`,
		},
		// 9: the host leases of the nodes polling one database
		// (leases.go): a node polls an outlet only while it holds the
		// lease of the outlet's host, until expires (Unix milliseconds).
		// BIGINT (an INTEGER to SQLite) keeps the step the same on
		// PostgreSQL, whose INTEGER is 32 bits.
		{
			`CREATE TABLE host_leases (
				host    TEXT   PRIMARY KEY,
				holder  TEXT   NOT NULL CHECK (holder <> ''),
				expires BIGINT NOT NULL
			)`,
		},
	}
}

// SchemaVersionError reports a database written by a newer topicfeed.
type SchemaVersionError struct {
	Found, Known int
}

func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("database schema version %d is newer than this topicfeed (%d); upgrade topicfeed", e.Found, e.Known)
}

// migrate brings the database to the version of steps (len(steps)), one
// transaction per step: a failing step leaves the database at the version
// before it.
func (db *DB) migrate(ctx context.Context, steps [][]string) error {
	var version int
	if err := db.w.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(steps) {
		return &SchemaVersionError{Found: version, Known: len(steps)}
	}
	for v := version; v < len(steps); v++ {
		err := db.writeTx(ctx, func(tx *sql.Tx) error {
			for _, stmt := range steps[v] {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%w\nin: %s", err, stmt)
				}
			}
			// PRAGMA takes no bound parameters; v+1 is an int.
			_, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, v+1))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate schema to version %d: %w", v+1, err)
		}
	}
	return nil
}
