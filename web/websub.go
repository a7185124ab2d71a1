package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Run tells the WebSub hub about every change to a published feed until ctx
// is done: every HubCheckInterval it brings the merged feeds and every
// other feed served so far to the store's current revision, and pings the
// hub (POST hub.mode=publish, hub.url=<feed>) for each whose bytes changed.
// Without a HubURL it returns nil at once. It returns ctx's error.
func (s *Server) Run(ctx context.Context) error {
	if s.o.HubURL == "" {
		return nil
	}
	every := s.o.HubCheckInterval
	if every <= 0 {
		every = 10 * time.Second
	}
	etags := map[string]string{}
	s.notifyChanges(ctx, etags) // the baseline: nothing to ping yet
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			s.notifyChanges(ctx, etags)
		}
	}
}

// notifyChanges renders the feeds that changed since etags was last updated
// and pings the hub about them. It returns the paths it pinged for.
func (s *Server) notifyChanges(ctx context.Context, etags map[string]string) []string {
	topics := s.topics()
	for _, f := range feedFormats() {
		topics["/feed."+f.ext] = s.mergedSource(f)
	}
	paths := make([]string, 0, len(topics))
	for p := range topics {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	var changed []string
	for _, p := range paths {
		d, err := s.cached(ctx, p, topics[p])
		if err != nil || d.status != http.StatusOK {
			continue // logged by the revision check or served as 404
		}
		prev, known := etags[p]
		etags[p] = d.etag
		if known && prev != d.etag {
			changed = append(changed, p)
		}
	}
	for _, p := range changed {
		if err := s.ping(ctx, s.url(p)); err != nil {
			s.log.Warn("websub ping failed", "hub_url", s.o.HubURL, "topic", s.url(p), "error", err)
			continue
		}
		s.log.Debug("websub ping", "hub_url", s.o.HubURL, "topic", s.url(p))
	}
	return changed
}

// ping tells the hub that topic changed.
func (s *Server) ping(ctx context.Context, topic string) error {
	form := url.Values{"hub.mode": {"publish"}, "hub.url": {topic}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.o.HubURL, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("build hub request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := s.o.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("post to hub: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("hub answered %s", res.Status)
	}
	return nil
}
