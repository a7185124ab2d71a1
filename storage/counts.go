package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// The counts table (migration 4) holds what Stats reports. Every write
// path keeps it in step in its own transaction: SaveFetch and
// UpdateTagging collect the changes of their items in countDeltas and
// write them once at the end (a few rows per transaction, rather than
// triggers that cost a statement per item row); Prune subtracts what each
// batch deletes.

type countKey struct{ name, key string }

// countDeltas are changes to the counts table not written yet.
type countDeltas map[countKey]int

func (d *countDeltas) add(name, key string, n int) {
	if n == 0 {
		return
	}
	if *d == nil {
		*d = make(countDeltas)
	}
	(*d)[countKey{name, key}] += n
}

// tagging records an item's tagging going from old to new (a new item
// comes from the zero tagKeys, which counts nothing).
func (d *countDeltas) tagging(old, new tagKeys) {
	for _, c := range []struct {
		k    tagKeys
		sign int
	}{{old, -1}, {new, 1}} {
		if !c.k.onTopic {
			continue
		}
		d.add("on_topic", "", c.sign)
		for _, t := range c.k.topics {
			d.add("topic", t, c.sign)
		}
		for _, t := range c.k.tags {
			d.add("tag", t, c.sign)
		}
	}
}

// write adds the deltas to the counts table through the addCount
// statement bound to the transaction.
func (d countDeltas) write(ctx context.Context, addCount *sql.Stmt) error {
	for k, n := range d {
		if n == 0 {
			continue
		}
		if _, err := addCount.ExecContext(ctx, k.name, k.key, n); err != nil {
			return fmt.Errorf("update counts: %w", err)
		}
	}
	return nil
}

const addCountSQL = `INSERT INTO counts (name, key, n) VALUES (?, ?, ?)
	ON CONFLICT (name, key) DO UPDATE SET n = counts.n + excluded.n`

// pruneCountsSQL subtracts from the counts what deleting the items of the
// ids CTE (ids(id)) will remove; it runs before the delete. A story is
// gone when none of its items stays. (+on_topic keeps the planner from
// scanning every on-topic item through items_on_topic_published.)
const pruneCountsSQL = `UPDATE counts SET n = counts.n - c.d FROM (
		SELECT 'items' AS name, '' AS key, count(*) AS d FROM items WHERE id IN (SELECT id FROM ids)
		UNION ALL SELECT 'on_topic', '', count(*) FROM items WHERE id IN (SELECT id FROM ids) AND +on_topic = 1
		UNION ALL SELECT 'stories', '', count(*) FROM (SELECT DISTINCT story_id AS s FROM items WHERE id IN (SELECT id FROM ids)) AS pruned
			WHERE NOT EXISTS (SELECT 1 FROM items j WHERE j.story_id = s AND j.id NOT IN (SELECT id FROM ids))
		UNION ALL SELECT 'topic', topic, count(*) FROM item_topics WHERE on_topic = 1 AND item_id IN (SELECT id FROM ids) GROUP BY topic
		UNION ALL SELECT 'tag', tag, count(*) FROM item_tags WHERE on_topic = 1 AND item_id IN (SELECT id FROM ids) GROUP BY tag
	) AS c WHERE counts.name = c.name AND counts.key = c.key`

// newStoriesSQL counts the distinct stories of ?1 (a JSON array) that no
// item has but those of ?2 (a JSON array of ids): one prepared query per
// transaction rather than a probe per item.
func newStoriesSQL(e engine) string {
	return `SELECT count(DISTINCT s.value) FROM ` + e.jsonValues(`?1`) + ` s
	WHERE NOT EXISTS (SELECT 1 FROM items WHERE story_id = s.value
		AND id NOT IN (SELECT CAST(value AS BIGINT) FROM ` + e.jsonValues(`?2`) + `))`
}

// countNewStories counts the stories of the items this transaction
// inserted that no other item has.
func (in *ingest) countNewStories(ctx context.Context) error {
	if len(in.newIDs) == 0 {
		return nil
	}
	stories, err := json.Marshal(in.newStories)
	if err != nil {
		return fmt.Errorf("count new stories: %w", err)
	}
	ids, err := json.Marshal(in.newIDs)
	if err != nil {
		return fmt.Errorf("count new stories: %w", err)
	}
	var n int
	if err := in.stmt(ctx, in.db.ws.newStories).QueryRowContext(ctx, string(stories), string(ids)).Scan(&n); err != nil {
		return fmt.Errorf("count new stories: %w", err)
	}
	in.counts.add("stories", "", n)
	return nil
}
