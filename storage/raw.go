package storage

import (
	"context"
	"fmt"
	"strings"
)

// knownRawChunk bounds the parameters of one KnownRaw query (SQLite's
// default limit is 32766; a feed has tens of entries).
const knownRawChunk = 500

// KnownRaw reports which of hashes (news.Item.RawHash values) are stored
// for a source of the named outlet: a poll skips those entries without
// normalising them again. 0 never matches; an unknown outlet has none.
// It is one indexed query per 500 hashes.
func (db *DB) KnownRaw(ctx context.Context, outlet string, hashes []uint64) (map[uint64]bool, error) {
	known := make(map[uint64]bool)
	args := make([]any, 0, 1+min(len(hashes), knownRawChunk))
	for len(hashes) > 0 {
		args = append(args[:0], outlet)
		n := 0
		for n < len(hashes) && len(args) <= knownRawChunk {
			if h := hashes[n]; h != 0 {
				args = append(args, rawKey(h))
			}
			n++
		}
		hashes = hashes[n:]
		if len(args) == 1 {
			continue
		}
		q := `SELECT raw_hash FROM sources
			WHERE outlet_id = (SELECT id FROM outlets WHERE name = ?) AND raw_hash <> 0
			AND raw_hash IN (?` + strings.Repeat(`, ?`, len(args)-2) + `)`
		if err := db.scanRaw(ctx, q, args, known); err != nil {
			return nil, fmt.Errorf("known raw entries of outlet %q: %w", outlet, err)
		}
	}
	return known, nil
}

func (db *DB) scanRaw(ctx context.Context, q string, args []any, known map[uint64]bool) error {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var h int64
		if err := rows.Scan(&h); err != nil {
			return err
		}
		known[uint64(h)] = true
	}
	return rows.Err()
}
