package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/tagger"
	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/storage"
)

// check validates the configuration and prints where it came from and
// what would be polled, on what schedule. A TOPICFEED_ variable that sets
// no key is an error here (serve only warns of it).
func (c *cli) check(ctx context.Context, args []string) error {
	fs := c.flags("check", "")
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	environ := os.Environ()
	var unknown error
	if es := config.UnknownEnv(environ); len(es) > 0 {
		unknown = es
	}
	cfg, src, err := config.LoadSources(c.configPath, environ)
	if err != nil {
		return errors.Join(err, unknown)
	}
	if _, err := tagger.New(cfg.Topics, cfg.Tags); err != nil {
		return errors.Join(fmt.Errorf("%s: topics: %w", c.configPath, err), unknown)
	}
	if src.File != "" {
		fmt.Fprintf(c.stdout, "%s: ok\n", src.File)
	} else {
		fmt.Fprintf(c.stdout, "%s does not exist, no file was read: the environment alone configures topicfeed: ok\n", c.configPath)
	}
	if len(src.Env) > 0 {
		fmt.Fprintln(c.stdout, "from the environment:")
		for _, e := range src.Env {
			fmt.Fprintf(c.stdout, "  $%s sets %s\n", e.Var, e.Field)
		}
	}
	fmt.Fprintf(c.stdout, "database %s, listening on %s, publishing at %s\n\n", storage.Redact(cfg.Database), cfg.Listen, cfg.BaseURL)
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OUTLET\tSLUG\tSCHEDULE\tURL")
	for _, o := range cfg.Outlets {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Name, config.Slug(o.Name), schedule(cfg, o), o.URL)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, "\nSCHEDULE: each outlet is polled at its interval (\"from\") until its feed's publishing rate is known,\n"+
		"then at half the mean gap between its recent items, within the range shown, and at the top of the range\n"+
		"after a week without items; caching headers and the feed's ttl may ask for longer, up to the top;\n"+
		"failures back off from the interval, doubling, up to 12h.")
	var topics []string
	for _, t := range cfg.Topics {
		topics = append(topics, t.Name)
	}
	var tags []string
	for _, t := range cfg.Tags {
		tags = append(tags, t.Name)
	}
	fmt.Fprintf(c.stdout, "\ntopics: %s\ntags: %s\n", strings.Join(topics, ", "), strings.Join(tags, ", "))
	if cfg.AllowPrivateNetworks {
		fmt.Fprintln(c.stdout, "warning: allow_private_networks is on: outlets may reach loopback and private addresses")
	}
	return unknown
}

// schedule says how outlet o is polled: "adaptive 3m45s to 1h, from 15m",
// or "every 15m" when the range allows nothing else.
func schedule(cfg config.Config, o config.Outlet) string {
	lo, hi := cfg.PollBounds(o)
	if lo == hi {
		return "every " + shortDuration(lo)
	}
	return fmt.Sprintf("adaptive %s to %s, from %s", shortDuration(lo), shortDuration(hi), shortDuration(cfg.Interval(o)))
}

// shortDuration writes d without zero units: 15m, 1h, 1h30m, 3m45s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
