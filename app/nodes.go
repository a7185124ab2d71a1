package app

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/topicfeed/topicfeed/aggregator"
	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/storage"
)

// Several processes (serve on several machines, a poll from cron) may poll
// one database. Each is a node with one name (aggregator.NewNodeName),
// which names it both in the host leases that divide the outlets between
// the nodes (aggregator/leases.go) and as the story assigner's holder.

// leaseTTL is how long a host lease lasts unless renewed: fetch.lease, or
// by default long enough that a poll ends well within half of it (a fetch
// takes up to the configured timeout, and then the poll parses and
// stores). config.Validate keeps a set lease at least twice the timeout.
func leaseTTL(f config.Fetch) time.Duration {
	if f.Lease > 0 {
		return f.Lease
	}
	return max(aggregator.DefaultLeaseTTL, 4*f.Timeout)
}

// hostLeaser is the database's host leases in the scheduler's terms.
type hostLeaser struct{ *storage.DB }

func (d hostLeaser) LeaseHosts(ctx context.Context, node string, hosts []string, ttl time.Duration, now time.Time) ([]aggregator.HostLease, error) {
	ls, err := d.DB.LeaseHosts(ctx, node, hosts, ttl, now)
	out := make([]aggregator.HostLease, len(ls))
	for i, l := range ls {
		out[i] = aggregator.HostLease(l)
	}
	return out, err
}

// releaseDeadNodes ends the host leases (and the story assigner lease) of the nodes that ran on this
// machine and are gone (killed, crashed), so that a restart does not wait
// a lease's time for the hosts its previous run held. A node elsewhere,
// or one whose process cannot be told dead, keeps its leases until they
// expire.
func releaseDeadNodes(ctx context.Context, db *storage.DB, self string, now func() time.Time, log *slog.Logger) error {
	holders, err := db.HostLeaseHolders(ctx)
	if err != nil {
		return err
	}
	me, err := os.Hostname()
	if err != nil {
		return nil // no name to match: leases expire as they do for other machines
	}
	for _, h := range holders {
		host, pid, ok := aggregator.NodeOf(h)
		if !ok || h == self || host != me {
			continue
		}
		// A node with this process's pid is alive (another App in this
		// process), even when it is the previous run of a restarted
		// container (pid 1 again): that one's leases expire.
		if pid == os.Getpid() || processAlive(pid) {
			continue
		}
		n, err := db.ReleaseHolder(ctx, h)
		if err != nil {
			return err
		}
		// the story assigner lease too, if it held it (else unchanged)
		if err := db.ReleaseAssigner(ctx, h, now()); err != nil {
			return err
		}
		log.Info("released the leases of a node gone from this machine", "node", self, "gone", h, "hosts", n)
	}
	return nil
}
