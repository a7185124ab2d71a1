//go:build linux

package fetcher_test

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
)

// blackhole returns a loopback address whose connects hang: a listening
// socket with a full accept queue drops new SYNs, as a firewalled host does.
func blackhole(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
	// Fill the queue (never accepted), then check that connects now hang.
	for range 4 {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			return addr
		}
		t.Cleanup(func() { _ = c.Close() })
	}
	t.Skip("this kernel does not drop connects beyond the listen backlog")
	return ""
}

func TestFetchDialTimeout(t *testing.T) {
	addr := blackhole(t)
	f := loopbackFetcher(t, fetcher.Options{Timeout: 5 * time.Second, DialTimeout: 200 * time.Millisecond})
	url := "http://" + addr + "/feed"
	start := time.Now()
	_, err := f.Fetch(t.Context(), fetcher.Request{URL: url})
	if !errors.Is(err, fetcher.ErrTimeout) || !strings.Contains(err.Error(), url) {
		t.Fatalf("err = %v, want ErrTimeout naming %s", err, url)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("took %s; the dial limit is 200ms", elapsed)
	}
}
