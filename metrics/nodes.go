package metrics

import "github.com/prometheus/client_golang/prometheus"

// NodeStats is what this node holds among the nodes polling one database.
type NodeStats struct {
	// HostLeases is the number of hosts whose lease this node holds.
	HostLeases int
	// Refused counts the hosts this node wanted while another node held
	// them; Lost, those another node took over once this node's lease of
	// them had expired.
	Refused, Lost uint64
	// Assigner is whether this node holds the story assigner lease.
	Assigner bool
}

// NodeFunc reads NodeStats; it is called on every scrape and must be
// cheap and safe for concurrent use.
type NodeFunc func() NodeStats

// RegisterNode adds the gauges and counter of this node's leases, read by
// f at scrape time.
func (m *Metrics) RegisterNode(f NodeFunc) {
	m.reg.MustRegister(nodeCollector(f))
}

var (
	hostLeasesDesc = prometheus.NewDesc("topicfeed_host_leases",
		"Hosts whose lease this node holds: it polls their outlets, no other node does.", nil, nil)
	leaseMissesDesc = prometheus.NewDesc("topicfeed_host_lease_misses_total",
		"Host leases this node did not get: refused (another node held the host) or lost (another node took it over once this node's lease expired).", []string{"reason"}, nil)
	assignerDesc = prometheus.NewDesc("topicfeed_story_assigner",
		"1 when this node holds the story assigner lease (it decides the stories of every node's items), else 0.", nil, nil)
)

type nodeCollector NodeFunc

func (c nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- hostLeasesDesc
	ch <- leaseMissesDesc
	ch <- assignerDesc
}

func (c nodeCollector) Collect(ch chan<- prometheus.Metric) {
	s := c()
	assigner := 0.0
	if s.Assigner {
		assigner = 1
	}
	ch <- prometheus.MustNewConstMetric(hostLeasesDesc, prometheus.GaugeValue, float64(s.HostLeases))
	ch <- prometheus.MustNewConstMetric(leaseMissesDesc, prometheus.CounterValue, float64(s.Refused), "refused")
	ch <- prometheus.MustNewConstMetric(leaseMissesDesc, prometheus.CounterValue, float64(s.Lost), "lost")
	ch <- prometheus.MustNewConstMetric(assignerDesc, prometheus.GaugeValue, assigner)
}
