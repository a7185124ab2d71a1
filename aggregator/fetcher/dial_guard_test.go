package fetcher

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestNonPublic(t *testing.T) {
	tests := []struct {
		addr       string
		wantRefuse bool
	}{
		{"127.0.0.1", true},
		{"127.255.0.7", true},
		{"::1", true},
		{"0.0.0.0", true},
		{"::", true},
		{"0.1.2.3", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.168.1.1", true},
		{"169.254.169.254", true}, // cloud metadata
		{"169.254.0.1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"fd00:ec2::254", true}, // AWS metadata over IPv6 (unique local)
		{"fc00::1", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"ff02::1", true},
		{"ff05::2", true},
		{"100.64.0.1", true},
		{"198.18.0.1", true},
		{"192.0.0.8", true},
		{"255.255.255.255", true},
		{"240.0.0.1", true},
		{"::ffff:127.0.0.1", true}, // IPv4-mapped loopback
		{"::ffff:169.254.169.254", true},
		{"64:ff9b::a9fe:a9fe", true},                   // NAT64 of 169.254.169.254
		{"64:ff9b::7f00:1", true},                      // NAT64 of 127.0.0.1
		{"2002:7f00:1::", true},                        // 6to4 of 127.0.0.1
		{"2002:c0a8:101::1", true},                     // 6to4 of 192.168.1.1
		{"2001:0:4136:e378:8000:63bf:80ff:fffe", true}, // Teredo client 127.0.0.1
		{"::7f00:1", true},                             // IPv4-compatible 127.0.0.1
		{"fec0::1", true},
		{"2001:db8::1", true},
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"93.184.215.14", false},
		{"172.32.0.1", false},
		{"100.128.0.1", false},
		{"2606:4700:4700::1111", false},
		{"64:ff9b::808:808", false}, // NAT64 of 8.8.8.8
		{"2002:808:808::1", false},  // 6to4 of 8.8.8.8
		{"::ffff:8.8.8.8", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.addr)
			reason := nonPublic(ip)
			if (reason != "") != tt.wantRefuse {
				t.Errorf("nonPublic(%s) = %q, want refused=%v", tt.addr, reason, tt.wantRefuse)
			}
			port := "443"
			err := guardControl(context.Background(), "tcp", net.JoinHostPort(tt.addr, port), nil)
			if (err != nil) != tt.wantRefuse || (err != nil && !errors.Is(err, ErrPrivateAddress)) {
				t.Errorf("guardControl(%s) = %v, want refused=%v", tt.addr, err, tt.wantRefuse)
			}
		})
	}
}

// serveLocal starts a loopback test server for h.
func serveLocal(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// fakeDNS makes f resolve the given names to the given loopback servers, as
// if DNS said so; "public" names dial without the guard, to stand in for a
// public host. Everything else dials through f's own (guarded) dialer.
func fakeDNS(f *Fetcher, guarded, public map[string]string) {
	unguarded := &net.Dialer{Timeout: time.Second}
	f.transport.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if to, ok := public[addr]; ok {
			return unguarded.DialContext(ctx, network, to)
		}
		if to, ok := guarded[addr]; ok {
			return f.dialer.DialContext(ctx, network, to)
		}
		return f.dialer.DialContext(ctx, network, addr)
	}
}

func TestGuardRefusesPrivateAddresses(t *testing.T) {
	hits := make(chan string, 10)
	internal := serveLocal(t, func(w http.ResponseWriter, r *http.Request) {
		hits <- r.URL.Path
		_, _ = w.Write([]byte("internal secrets"))
	})
	internalAddr := strings.TrimPrefix(internal.URL, "http://")
	_, port, _ := net.SplitHostPort(internalAddr)
	public := serveLocal(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-loopback":
			http.Redirect(w, r, internal.URL+"/secret", http.StatusFound)
		case "/to-rebound-name":
			http.Redirect(w, r, "http://rebind.example/secret", http.StatusMovedPermanently)
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		default:
			_, _ = w.Write([]byte("<rss/>"))
		}
	})
	publicAddr := strings.TrimPrefix(public.URL, "http://")

	tests := []struct {
		name string
		url  string
	}{
		{name: "loopback ip", url: internal.URL + "/secret"},
		{name: "localhost name", url: "http://localhost:" + port + "/secret"},
		{name: "ipv6 loopback", url: "http://[::1]:" + port + "/secret"},
		{name: "ipv4-mapped loopback", url: "http://[::ffff:127.0.0.1]:" + port + "/secret"},
		{name: "unspecified", url: "http://0.0.0.0:" + port + "/secret"},
		{name: "metadata", url: "http://169.254.169.254/latest/meta-data/"},
		{name: "private", url: "http://10.0.0.1/feed"},
		{name: "name resolving to loopback (dns rebinding)", url: "http://rebind.example/secret"},
		{name: "redirect to loopback", url: "http://public.example/to-loopback"},
		{name: "redirect to a name resolving to loopback", url: "http://public.example/to-rebound-name"},
		{name: "redirect to metadata", url: "http://public.example/to-metadata"},
	}
	f := New(Options{Timeout: 2 * time.Second, DialTimeout: 500 * time.Millisecond})
	t.Cleanup(f.CloseIdleConnections)
	fakeDNS(f, map[string]string{"rebind.example:80": internalAddr}, map[string]string{"public.example:80": publicAddr})

	// The stand-in public host is reachable, so refusals below are the guard's.
	if _, err := f.Fetch(t.Context(), Request{URL: "http://public.example/feed"}); err != nil {
		t.Fatalf("public stand-in: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := f.Fetch(t.Context(), Request{URL: tt.url})
			if !errors.Is(err, ErrPrivateAddress) {
				t.Fatalf("got %v, %v; want ErrPrivateAddress", resp, err)
			}
			if !strings.Contains(err.Error(), tt.url) {
				t.Errorf("error %q does not name %s", err, tt.url)
			}
		})
	}
	select {
	case p := <-hits:
		t.Errorf("the internal server was reached (%s)", p)
	default:
	}
}

func TestGuardOffAllowsLoopback(t *testing.T) {
	srv := serveLocal(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<rss/>")) })
	f := New(Options{AllowPrivateNetworks: true, Timeout: 2 * time.Second})
	t.Cleanup(f.CloseIdleConnections)
	resp, err := f.Fetch(t.Context(), Request{URL: srv.URL})
	if err != nil || string(resp.Body) != "<rss/>" {
		t.Fatalf("got %v, %v; want the body", resp, err)
	}
}
