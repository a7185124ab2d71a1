// Command feedsim serves synthetic news outlets on loopback for topicfeed's
// benchmarks: N outlets under one port (/o/{n}.rss|.atom|.json), each feed
// with a configurable number of 1–8 KB HTML items in English, Russian or
// Persian, some on topic (Iran, Russia, Ukraine, drones), some wire copies
// shared across outlets, with ETag/Last-Modified validators and churn: each
// round a fraction of the outlets publish new items and the rest answer
// 304. Everything is deterministic from a seed.
//
//	feedsim [flags] serve    serve until interrupted
//	feedsim [flags] config   print a topicfeed config listing the outlets (-base-url, -hosts)
//	feedsim [flags] parse    time gofeed alone on round 0's documents (the same bytes serve sends)
//	feedsim [flags] floor    CPU per item of gofeed, bluemonday and a one-table SQLite insert on those bytes
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "feedsim:", err)
		os.Exit(1)
	}
}

// flags are the command line of every subcommand.
type flags struct {
	opts       Options
	listen     string
	hosts      int
	roundEvery time.Duration
	prerender  bool
	configOut  string
	configBase string
	baseURL    string
	workers    int
	rounds     int
}

func parseFlags(args []string, stderr io.Writer) (flags, []string, error) {
	f := flags{opts: DefaultOptions()}
	fs := flag.NewFlagSet("feedsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &f.opts
	fs.IntVar(&o.Outlets, "outlets", o.Outlets, "number of outlets")
	fs.IntVar(&o.Items, "items", o.Items, "items per feed document")
	fs.IntVar(&o.NewPerRound, "new", o.NewPerRound, "items a changing outlet publishes per round")
	fs.Float64Var(&o.Churn, "churn", o.Churn, "fraction of outlets changing each round")
	fs.Float64Var(&o.OnTopic, "on-topic", o.OnTopic, "fraction of items on topic")
	fs.Float64Var(&o.Wire, "wire", o.Wire, "fraction of items that are wire copies")
	fs.IntVar(&o.WireSpread, "wire-spread", o.WireSpread, "average number of outlets carrying one wire story")
	fs.Float64Var(&o.Russian, "ru", o.Russian, "fraction of outlets in Russian")
	fs.Float64Var(&o.Persian, "fa", o.Persian, "fraction of outlets in Persian")
	fs.IntVar(&o.MinBytes, "min-bytes", o.MinBytes, "smallest item HTML, bytes")
	fs.IntVar(&o.MaxBytes, "max-bytes", o.MaxBytes, "largest item HTML, bytes")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "random seed")
	fs.DurationVar(&o.RoundPeriod, "round-period", o.RoundPeriod, "simulated time between rounds (spaces the items' dates)")
	epoch := fs.String("epoch", "", "RFC 3339 publication `time` of round 0's newest items (default: now, to the minute; give it for byte-identical runs)")
	fs.StringVar(&f.listen, "listen", "127.0.0.1:0", "loopback `address` to listen on (port 0: any)")
	fs.IntVar(&f.hosts, "hosts", 1, "spread outlets over this many loopback addresses (127.0.0.1, .2, …) on one port, as distinct hosts")
	fs.DurationVar(&f.roundEvery, "round-every", 0, "advance a round on this timer (0: only on POST /control/next-round)")
	fs.IntVar(&f.rounds, "rounds", 0, "serve: advance this many rounds before serving")
	fs.BoolVar(&f.prerender, "prerender", true, "serve: render every document before serving, and changed ones on each round")
	fs.StringVar(&f.configOut, "config-out", "", "serve: write a topicfeed config listing the outlets to this `file` once listening")
	fs.StringVar(&f.configBase, "config-base", "", "config: topicfeed config `file` whose outlets are replaced (default: outlets only)")
	fs.StringVar(&f.baseURL, "base-url", "", "config: the feedsim URL, e.g. http://127.0.0.1:8099")
	fs.IntVar(&f.workers, "workers", runtime.GOMAXPROCS(0), "goroutines rendering or parsing")
	if err := fs.Parse(args); err != nil {
		return f, nil, err
	}
	o.Epoch = time.Now().UTC().Truncate(time.Minute)
	if *epoch != "" {
		t, err := time.Parse(time.RFC3339, *epoch)
		if err != nil {
			return f, nil, fmt.Errorf("-epoch: %w", err)
		}
		o.Epoch = t.UTC()
	}
	return f, fs.Args(), nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, rest, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("want one command (serve, config, parse or floor), got %q", rest)
	}
	sim, err := NewSim(f.opts)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	switch rest[0] {
	case "serve":
		return serve(ctx, f, sim, stdout, log)
	case "config":
		u, err := url.Parse(f.baseURL)
		var base netip.AddrPort
		if err == nil {
			base, err = netip.ParseAddrPort(u.Host)
		}
		if err != nil {
			return fmt.Errorf("-base-url %q: want http://IP:PORT: %w", f.baseURL, err)
		}
		return writeConfig(stdout, f.configBase, outletURLs(f.opts.Outlets, base, f.hosts))
	case "parse":
		r, err := parseOnly(sim, f.workers)
		if err != nil {
			return err
		}
		return writeReport(stdout, r)
	case "floor":
		dir, err := os.MkdirTemp("", "feedsim-floor-")
		if err != nil {
			return fmt.Errorf("floor: %w", err)
		}
		defer os.RemoveAll(dir)
		r, err := libraryFloor(ctx, sim, dir)
		if err != nil {
			return fmt.Errorf("floor: %w", err)
		}
		return writeReport(stdout, r)
	}
	return fmt.Errorf("unknown command %q", rest[0])
}

// listenAll listens on addr and, for hosts > 1, on the next hosts-1
// loopback addresses at the same port. Only loopback addresses are
// accepted.
func listenAll(addr string, hosts int) ([]net.Listener, netip.AddrPort, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !ap.Addr().Is4() || !ap.Addr().IsLoopback() {
		return nil, netip.AddrPort{}, fmt.Errorf("-listen %q: want a loopback IPv4 address and port", addr)
	}
	if hosts < 1 || hosts > 250 {
		return nil, netip.AddrPort{}, fmt.Errorf("-hosts %d: want 1..250", hosts)
	}
	first, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, netip.AddrPort{}, fmt.Errorf("listen on %s: %w", addr, err)
	}
	base := netip.MustParseAddrPort(first.Addr().String())
	ls := []net.Listener{first}
	a := base.Addr()
	for range hosts - 1 {
		a = a.Next()
		l, err := net.Listen("tcp", netip.AddrPortFrom(a, base.Port()).String())
		if err != nil || !a.IsLoopback() {
			for _, l := range ls {
				l.Close()
			}
			return nil, netip.AddrPort{}, fmt.Errorf("listen on %s:%d: %w", a, base.Port(), err)
		}
		ls = append(ls, l)
	}
	return ls, base, nil
}

func serve(ctx context.Context, f flags, sim *Sim, stdout io.Writer, log *slog.Logger) error {
	ls, base, err := listenAll(f.listen, f.hosts)
	if err != nil {
		return err
	}
	srv := NewServer(sim, log)
	for range f.rounds {
		sim.Advance()
	}
	if f.prerender {
		all := make([]int, f.opts.Outlets)
		for i := range all {
			all[i] = i
		}
		start := time.Now()
		srv.Prerender(all, f.workers)
		log.Info("prerendered", "outlets", len(all), "duration", time.Since(start).Round(time.Millisecond))
	}
	if f.configOut != "" {
		if err := writeConfigFile(f.configOut, f.configBase, outletURLs(f.opts.Outlets, base, f.hosts)); err != nil {
			return err
		}
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, len(ls))
	for _, l := range ls {
		go func() { errc <- hs.Serve(l) }()
	}
	fmt.Fprintf(stdout, "feedsim listening on http://%s (%d hosts, %d outlets)\n", base, len(ls), f.opts.Outlets)
	var tick <-chan time.Time
	if f.roundEvery > 0 {
		t := time.NewTicker(f.roundEvery)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-tick:
			round, changed := srv.NextRound(f.workers)
			log.Info("next round", "round", round, "changed", changed)
			continue
		case err := <-errc:
			return fmt.Errorf("serve: %w", err)
		case <-ctx.Done():
		}
		break
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	st := srv.Stats()
	log.Info("stopped", "round", st.Round, "responses_200", st.OK, "responses_304", st.NotModified, "bytes", st.Bytes)
	return nil
}
