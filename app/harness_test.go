package app

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/app/apptest"
	"github.com/topicfeed/topicfeed/metrics"
)

// logBuffer collects an App's log; it is written from many goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// openTest opens the App of the configuration file cfg as the commands do
// (without the process-wide memory settings), logging into the returned
// buffer; it is closed when the test ends.
func openTest(t *testing.T, cfg string, opts Options) (*App, *logBuffer) {
	t.Helper()
	c, err := LoadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	log := &logBuffer{}
	a, err := Open(context.Background(), cfg, c, NewLogger(log, c.Log), opts)
	if err != nil {
		t.Fatalf("open: %v\n%s", err, log)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return a, log
}

// served is an App serving on a loopback port in this process, as
// `topicfeed serve` does.
type served struct {
	*App
	logs *logBuffer
	base string
	stop context.CancelFunc
	done chan error
}

// startServe opens the App of cfg and serves it until stopped (or the
// test ends).
func startServe(t *testing.T, cfg string) *served {
	t.Helper()
	m := metrics.New()
	a, logs := openTest(t, cfg, Options{Observer: m, CPUWorkers: ServeCPUWorkers()})
	ln, err := net.Listen("tcp", a.Config.Listen)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{App: a, logs: logs, base: "http://" + ln.Addr().String(), stop: cancel, done: make(chan error, 1)}
	go func() { s.done <- a.Serve(ctx, ln, m) }()
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	return s
}

func (s *served) log() string { return s.logs.String() }

// get fetches path from the server.
func (s *served) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	return apptest.Get(t, s.base+path)
}

// waitReady polls /readyz until it answers 200.
func (s *served) waitReady(t *testing.T) {
	t.Helper()
	apptest.WaitReady(t, s.base, s.log)
}

// shutdown stops serving, as a signal does, and checks that Serve
// returns without an error promptly.
func (s *served) shutdown(t *testing.T) {
	t.Helper()
	s.stop()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		if err != nil {
			t.Errorf("serve after shutdown: %v\n%s", err, s.log())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not stop within 20s\n%s", s.log())
	}
}
