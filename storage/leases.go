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
	out := make([]HostLease, len(hosts))
	until := toMillis(now.Add(ttl))
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		take, err := tx.PrepareContext(ctx, `INSERT INTO host_leases (host, holder, expires) VALUES (?1, ?2, ?3)
			ON CONFLICT (host) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
			WHERE host_leases.holder = excluded.holder OR host_leases.expires <= ?4
			RETURNING holder, expires`)
		if err != nil {
			return err
		}
		defer take.Close()
		read, err := tx.PrepareContext(ctx, `SELECT holder, expires FROM host_leases WHERE host = ?`)
		if err != nil {
			return err
		}
		defer read.Close()
		for i, h := range hosts {
			var expires int64
			out[i].Host = h
			err := take.QueryRowContext(ctx, h, node, until, toMillis(now)).Scan(&out[i].Holder, &expires)
			if errors.Is(err, sql.ErrNoRows) {
				// another node's, in force: the update's WHERE kept it
				err = read.QueryRowContext(ctx, h).Scan(&out[i].Holder, &expires)
			}
			if err != nil {
				return fmt.Errorf("host %q: %w", h, err)
			}
			out[i].Until = fromMillis(expires)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lease hosts for node %s: %w", node, err)
	}
	return out, nil
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
