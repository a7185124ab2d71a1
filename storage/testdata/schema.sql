-- user_version 9
-- table counts
CREATE TABLE counts (
  name TEXT    NOT NULL,
  key  TEXT    NOT NULL,
  n    INTEGER NOT NULL,
  PRIMARY KEY (name, key)
  ) WITHOUT ROWID;

-- table host_leases
CREATE TABLE host_leases (
  host    TEXT   PRIMARY KEY,
  holder  TEXT   NOT NULL CHECK (holder <> ''),
  expires BIGINT NOT NULL
  );

-- table item_outlets
CREATE TABLE item_outlets (
  outlet_id INTEGER NOT NULL REFERENCES outlets (id),
  on_topic  INTEGER NOT NULL,
  published INTEGER NOT NULL,
  item_id   INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  PRIMARY KEY (outlet_id, on_topic, published DESC, item_id DESC)
  ) WITHOUT ROWID;

-- table item_tags
CREATE TABLE item_tags (
  tag       TEXT    NOT NULL,
  on_topic  INTEGER NOT NULL,
  published INTEGER NOT NULL,
  item_id   INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  PRIMARY KEY (tag, on_topic, published DESC, item_id DESC)
  ) WITHOUT ROWID;

-- table item_topics
CREATE TABLE item_topics (
  topic     TEXT    NOT NULL,
  on_topic  INTEGER NOT NULL,
  published INTEGER NOT NULL,
  item_id   INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  PRIMARY KEY (topic, on_topic, published DESC, item_id DESC)
  ) WITHOUT ROWID;

-- table items
CREATE TABLE items (
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
  , story_why TEXT NOT NULL DEFAULT '', related_story TEXT NOT NULL DEFAULT '', story_changed INTEGER NOT NULL DEFAULT 0, outlet_updated INTEGER NOT NULL DEFAULT 0, pending_html TEXT NOT NULL DEFAULT '');

-- table meta
CREATE TABLE meta (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  revision         INTEGER NOT NULL,
  content_revision INTEGER NOT NULL
  );

-- table outlets
CREATE TABLE outlets (
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
  );

-- table settings
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
  ) WITHOUT ROWID;

-- table sources
CREATE TABLE sources (
  id         INTEGER PRIMARY KEY,
  item_id    INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  outlet_id  INTEGER NOT NULL REFERENCES outlets (id),
  guid       TEXT    NOT NULL CHECK (guid <> ''),
  guid_key   INTEGER NOT NULL,
  url        TEXT    NOT NULL,
  title      TEXT    NOT NULL,
  published  INTEGER NOT NULL,
  first_seen INTEGER NOT NULL
  , raw_hash INTEGER NOT NULL DEFAULT 0);

-- table story_states
CREATE TABLE story_states (
  item_id   INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
  version   INTEGER NOT NULL,
  published INTEGER NOT NULL,
  uid       TEXT    NOT NULL,
  story_id  TEXT    NOT NULL,
  outlet_id INTEGER NOT NULL,
  state     BLOB    NOT NULL
  );

-- index item_outlets_item
CREATE INDEX item_outlets_item ON item_outlets (item_id);

-- index item_tags_item
CREATE INDEX item_tags_item ON item_tags (item_id);

-- index item_topics_item
CREATE INDEX item_topics_item ON item_topics (item_id);

-- index items_hash_key
CREATE INDEX items_hash_key ON items (hash_key) WHERE hash_key <> 0;

-- index items_on_topic_published
CREATE INDEX items_on_topic_published ON items (on_topic, published DESC, id DESC);

-- index items_published
CREATE INDEX items_published ON items (published DESC, id DESC);

-- index items_related
CREATE INDEX items_related ON items (related_story) WHERE related_story <> '';

-- index items_story
CREATE INDEX items_story ON items (story_id, published DESC, id DESC);

-- index items_url_key
CREATE INDEX items_url_key ON items (url_key) WHERE url_key <> 0;

-- index sources_guid
CREATE INDEX sources_guid ON sources (outlet_id, guid_key);

-- index sources_item
CREATE INDEX sources_item ON sources (item_id, first_seen, id);

-- index sources_raw
CREATE INDEX sources_raw ON sources (outlet_id, raw_hash) WHERE raw_hash <> 0;

-- index story_states_window
CREATE INDEX story_states_window ON story_states (version, published, item_id);

