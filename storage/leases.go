package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// Host leases: several nodes (serve processes, a poll from cron) poll the
// outlets of one database, and a node polls an outlet only while it holds
// the lease of the outlet's host. One holder per host keeps an outlet from
// being polled by two nodes at once and keeps the per-host politeness
// across nodes without shared counters. A lease ends at its expiry unless
// its holder renews it, so that a node that dies loses its hosts to the
// others within one lease time.
//
// Each call is one write transaction: writers are serialised (SQLite lets
// one writer in at a time across processes; PostgreSQL's writers take one
// advisory lock), so two nodes never both take a host. Expiry compares the
// nodes' clocks: they must agree to well within a lease's time.

// leaseChunk bounds the hosts or outlets named in one statement.
const leaseChunk = 500

// HostLease is a host's lease: its holder, and until when it holds it.
type HostLease struct {
	Host   string
	Holder string
	Until  time.Time
}

// LeaseHosts takes for node, until now+ttl, the leases of hosts that are
// free, expired or node's already (which renews them), in one write
// transaction, and returns each host's lease after the call in the order
// of hosts: held by node, or by another node until when.
func (db *DB) LeaseHosts(ctx context.Context, node string, hosts []string, ttl time.Duration, now time.Time) ([]HostLease, error) {
	if node == "" {
		return nil, errors.New("lease hosts: empty node name")
	}
	if len(hosts) == 0 {
		return nil, nil
	}
	got := make(map[string]HostLease, len(hosts))
	until := toMillis(now.Add(ttl))
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		clear(got) // a retried transaction starts afresh
		for start := 0; start < len(hosts); start += leaseChunk {
			if err := leaseChunkTx(ctx, tx, node, hosts[start:min(start+leaseChunk, len(hosts))], until, toMillis(now), got); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lease hosts for node %s: %w", node, err)
	}
	out := make([]HostLease, len(hosts))
	for i, h := range hosts {
		out[i] = got[h]
	}
	return out, nil
}

// leaseChunkTx leases hosts (at most leaseChunk) in tx with one upsert of
// every row, whose WHERE keeps another node's lease in force, and reads
// back the leases it kept; it adds each host's lease to got.
func leaseChunkTx(ctx context.Context, tx *sql.Tx, node string, hosts []string, until, now int64, got map[string]HostLease) error {
	var values strings.Builder
	args := make([]any, 0, 3*len(hosts)+1)
	seen := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		if seen[h] {
			continue // one row per host: an upsert may not touch a row twice
		}
		seen[h] = true
		if len(args) > 0 {
			values.WriteString(", ")
		}
		values.WriteString("(?, ?, ?)")
		args = append(args, h, node, until)
	}
	args = append(args, now)
	if err := scanLeases(ctx, tx, got, `INSERT INTO host_leases (host, holder, expires) VALUES `+values.String()+`
		ON CONFLICT (host) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
		WHERE host_leases.holder = excluded.holder OR host_leases.expires <= ?
		RETURNING host, holder, expires`, args...); err != nil {
		return err
	}
	var kept []any // another node's, in force
	for h := range seen {
		if _, ok := got[h]; !ok {
			kept = append(kept, h)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return scanLeases(ctx, tx, got, `SELECT host, holder, expires FROM host_leases WHERE host IN (`+placeholders(len(kept))+`)`, kept...)
}

func scanLeases(ctx context.Context, tx *sql.Tx, got map[string]HostLease, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			l       HostLease
			expires int64
		)
		if err := rows.Scan(&l.Host, &l.Holder, &expires); err != nil {
			return err
		}
		l.Until = fromMillis(expires)
		got[l.Host] = l
	}
	return rows.Err()
}

// ReleaseHosts ends node's leases of hosts, so that other nodes may take
// them at once; hosts node does not hold are left as they are.
func (db *DB) ReleaseHosts(ctx context.Context, node string, hosts []string) error {
	if len(hosts) == 0 {
		return nil
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(hosts); start += leaseChunk {
			chunk := hosts[start:min(start+leaseChunk, len(hosts))]
			args := make([]any, 0, len(chunk)+1)
			args = append(args, node)
			for _, h := range chunk {
				args = append(args, h)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM host_leases WHERE holder = ? AND host IN (`+placeholders(len(chunk))+`)`, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("release host leases of node %s: %w", node, err)
	}
	return nil
}

// OutletStates returns the stored states of the outlets named, by name,
// as OutletState would return each (this process's states not yet written
// included); names that are not stored are left out. Another node may have
// polled them since this one last looked.
func (db *DB) OutletStates(ctx context.Context, names []string) (map[string]news.OutletState, error) {
	out := make(map[string]news.OutletState, len(names))
	for start := 0; start < len(names); start += leaseChunk {
		chunk := names[start:min(start+leaseChunk, len(names))]
		args := make([]any, len(chunk))
		for i, n := range chunk {
			args[i] = n
		}
		if err := db.scanOutletStates(ctx, out, args); err != nil {
			return nil, fmt.Errorf("read outlet states: %w", err)
		}
	}
	for name, st := range out {
		if q, ok := db.states.queued(name); ok {
			out[name] = overlayState(st, q)
		}
	}
	return out, nil
}

func (db *DB) scanOutletStates(ctx context.Context, out map[string]news.OutletState, names []any) error {
	rows, err := db.r.QueryContext(ctx, `SELECT `+outletColumns+` FROM outlets WHERE name IN (`+placeholders(len(names))+`)`, names...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		st, err := scanOutlet(rows)
		if err != nil {
			return err
		}
		out[st.Name] = st
	}
	return rows.Err()
}

// placeholders is n comma-separated parameter placeholders.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// HostLeaseHolders returns the nodes that hold host leases, in force or
// expired, sorted.
func (db *DB) HostLeaseHolders(ctx context.Context) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT DISTINCT holder FROM host_leases ORDER BY holder`)
	if err != nil {
		return nil, fmt.Errorf("list host lease holders: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, fmt.Errorf("list host lease holders: %w", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list host lease holders: %w", err)
	}
	return out, nil
}

// ReleaseHolder ends every host lease of node, for a node known to be
// gone (a process that died on this machine), so that the others need
// not wait for the leases to expire; it returns how many it ended.
func (db *DB) ReleaseHolder(ctx context.Context, node string) (int, error) {
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM host_leases WHERE holder = ?`, node)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("release host leases of node %s: %w", node, err)
	}
	return int(n), nil
}
