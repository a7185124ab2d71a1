package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/cluster"
	"github.com/topicfeed/topicfeed/aggregator/fetcher"
	"github.com/topicfeed/topicfeed/aggregator/normalize"
	"github.com/topicfeed/topicfeed/aggregator/parser"
	"github.com/topicfeed/topicfeed/aggregator/tagger"
	"github.com/topicfeed/topicfeed/app"
	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/news"
)

// inspectedItem is one item after normalisation, for `inspect -normalized`.
type inspectedItem struct {
	GUID        string              `json:"guid"`
	URL         string              `json:"url"`
	Title       string              `json:"title"`
	Summary     string              `json:"summary"`
	Text        string              `json:"text"`
	ContentHTML string              `json:"content_html"`
	Authors     []string            `json:"authors"`
	Categories  []string            `json:"categories"`
	Language    string              `json:"language"`
	Image       string              `json:"image"`
	Enclosures  []news.Enclosure    `json:"enclosures"`
	Published   string              `json:"published"`
	Updated     string              `json:"updated"`
	ContentHash string              `json:"content_hash"`
	OnTopic     bool                `json:"on_topic"`
	Topics      []string            `json:"topics"`
	Tags        []string            `json:"tags"`
	Score       float64             `json:"score"`
	Evidence    []news.Evidence     `json:"evidence"`
	Removed     []normalize.Removal `json:"removed"`
	// Truncated: the item was over fetch.max_item_bytes and was cut.
	Truncated bool `json:"truncated,omitempty"`
	// the story grouping of on-topic items, as explain prints it
	app.StoryFields
}

type inspectedFeed struct {
	parser.Dump
	Items []inspectedItem `json:"items"`
}

// inspect fetches (with the daemon's fetcher and guards) or reads one feed
// and prints what topicfeed parses from it, as JSON.
func (c *cli) inspect(ctx context.Context, args []string) error {
	fset := c.flags("inspect", "FILE|URL")
	normalized := fset.Bool("normalized", false, "print items after normalisation, with topics and tags (needs the configuration's rules)")
	pos, err := parseFlags(fset, args, 1)
	if err != nil {
		return err
	}
	target := pos[0]
	// The raw parse needs no configuration; the topics and tags of
	// -normalized come from it, and without them every item would be
	// off topic.
	cfg, err := c.loadConfig()
	switch {
	case errors.Is(err, fs.ErrNotExist) && *normalized:
		return fmt.Errorf("inspect -normalized: topics and tags come from the configuration, and %s does not exist (give -config FILE): %w", c.configPath, err)
	case errors.Is(err, fs.ErrNotExist):
		cfg = config.Default()
	case err != nil:
		return err
	}

	var body []byte
	var opts parser.Options
	if u, err := url.Parse(target); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		f := fetcher.New(fetcher.Options{
			UserAgent:            cfg.UserAgent,
			Timeout:              cfg.Fetch.Timeout,
			MaxBodyBytes:         cfg.Fetch.MaxBodyBytes,
			AllowPrivateNetworks: cfg.AllowPrivateNetworks,
		})
		resp, err := f.Fetch(ctx, fetcher.Request{URL: target})
		if err != nil {
			return err
		}
		body, opts = resp.Body, parser.Options{ContentType: resp.ContentType, URL: resp.URL,
			ContentLanguage: resp.Header.Get("Content-Language")}
	} else {
		body, err = os.ReadFile(target)
		if err != nil {
			return fmt.Errorf("inspect: %w", err)
		}
		opts = parser.Options{URL: "file://" + target}
	}
	res, err := parser.Parse(body, opts)
	if err != nil {
		return fmt.Errorf("inspect %s: %w", target, err)
	}
	enc := json.NewEncoder(c.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if !*normalized {
		return enc.Encode(res.Dump())
	}

	tg, err := tagger.New(cfg.Topics, cfg.Tags)
	if err != nil {
		return fmt.Errorf("%s: topics: %w", c.configPath, err)
	}
	norm := normalize.New(app.NormalizeRules(cfg))
	now := time.Now().UTC()
	out := inspectedFeed{Dump: res.Dump(), Items: []inspectedItem{}}
	src := normalize.Source{Outlet: res.Feed.Title, FeedURL: opts.URL}
	var (
		docs    []cluster.Doc
		onTopic []int // indexes in out.Items of the items docs holds
	)
	for i := range res.Feed.Items {
		it, rep, ok := norm.Item(src, res.Feed, i, now)
		if !ok {
			continue
		}
		it.Tagging = tg.Tag(it.Title, it.Text)
		if it.OnTopic {
			// keyed as the poller keys it
			docs = append(docs, cluster.Doc{Key: news.ItemUID(src.Outlet, it.GUID, it.Published), Outlet: src.Outlet,
				Title: it.Title, Text: it.Text, Published: it.Published})
			onTopic = append(onTopic, len(out.Items))
		}
		out.Items = append(out.Items, inspectedItem{
			GUID: it.GUID, URL: it.URL, Title: it.Title, Summary: it.Summary, Text: it.Text, ContentHTML: it.ContentHTML,
			Authors: nonNil(it.Authors), Categories: nonNil(it.Categories), Language: it.Language, Image: it.Image,
			Enclosures: it.Enclosures, Published: it.Published.Format(time.RFC3339), Updated: it.Updated.Format(time.RFC3339),
			ContentHash: it.ContentHash, OnTopic: it.OnTopic, Topics: nonNil(it.Topics), Tags: nonNil(it.Tags),
			Score: it.Score, Evidence: it.Evidence, Removed: rep.Removed, Truncated: rep.Truncated,
		})
	}
	for i, st := range app.GroupStories(docs, time.Now) {
		out.Items[onTopic[i]].StoryFields = st
	}
	return enc.Encode(out)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
