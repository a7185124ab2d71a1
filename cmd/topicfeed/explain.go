package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/topicfeed/topicfeed/aggregator/cluster"
	"github.com/topicfeed/topicfeed/aggregator/normalize"
	"github.com/topicfeed/topicfeed/aggregator/tagger"
	"github.com/topicfeed/topicfeed/app"
	"github.com/topicfeed/topicfeed/news"
)

// explainInput is one line of `topicfeed explain`'s input.
type explainInput struct {
	Title   string `json:"title"`
	Text    string `json:"text"`    // plain text, paragraphs separated by blank lines
	Content string `json:"content"` // HTML, as a feed carries it
	URL     string `json:"url"`
	Outlet  string `json:"outlet"`
	// Published is the publication time, RFC 3339; when absent the item
	// counts as published when explain runs, as a feed entry without a
	// date does.
	Published string `json:"published"`
}

// explainOutput is one line of its output.
type explainOutput struct {
	Line      int    `json:"line"`
	URL       string `json:"url,omitempty"`
	Outlet    string `json:"outlet,omitempty"`
	Title     string `json:"title"`
	Published string `json:"published"`
	tagger.Explanation
	// Removed is the boilerplate the normaliser removed before tagging.
	Removed []normalize.Removal `json:"removed,omitempty"`
	app.StoryFields
}

// explain reads items as JSON Lines on stdin and prints, for each, the
// tagger's decision with its evidence, after the same normalisation that
// stored items get, and, for on-topic items, the story grouping the daemon
// would give them: all of them run through a fresh story index in
// publication order. The items are printed in the order given, once all
// are read.
func (c *cli) explain(ctx context.Context, args []string) error {
	fs := c.flags("explain")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	tg, err := tagger.New(cfg.Topics, cfg.Tags)
	if err != nil {
		return fmt.Errorf("%s: topics: %w", c.configPath, err)
	}
	norm := normalize.New(app.NormalizeRules(cfg))
	now := time.Now().UTC()
	sc := bufio.NewScanner(c.stdin)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var (
		errs    []error
		outs    []explainOutput
		docs    []cluster.Doc
		onTopic []int // indexes in outs of the items docs holds
	)
	for line := 1; sc.Scan(); line++ {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		raw := strings.TrimSpace(sc.Text())
		if raw == "" {
			continue
		}
		var in explainInput
		if err := json.Unmarshal([]byte(raw), &in); err != nil {
			errs = append(errs, fmt.Errorf("stdin:%d: invalid JSON: %w", line, err))
			continue
		}
		if in.Title == "" && in.Text == "" && in.Content == "" {
			errs = append(errs, fmt.Errorf("stdin:%d: item has no title, text or content", line))
			continue
		}
		if in.Published != "" {
			if _, err := time.Parse(time.RFC3339, in.Published); err != nil {
				errs = append(errs, fmt.Errorf("stdin:%d: published: want an RFC 3339 time: %w", line, err))
				continue
			}
		}
		it, removed := normalizeForExplain(norm, in, now)
		out := explainOutput{Line: line, URL: in.URL, Outlet: in.Outlet, Title: it.Title, Published: it.Published.Format(time.RFC3339),
			Explanation: tg.Explain(it.Title, it.Text), Removed: removed}
		if out.OnTopic {
			// An item without an outlet is taken for one of its own: the
			// index discounts matches between two items of one outlet.
			outlet := cmp.Or(in.Outlet, fmt.Sprintf("stdin:%d", line))
			docs = append(docs, cluster.Doc{Key: news.ItemUID(outlet, it.GUID, it.Published), Outlet: outlet,
				Title: it.Title, Text: it.Text, Published: it.Published})
			onTopic = append(onTopic, len(outs))
		}
		outs = append(outs, out)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	for i, st := range app.GroupStories(docs, time.Now) {
		outs[onTopic[i]].StoryFields = st
	}
	enc := json.NewEncoder(c.stdout)
	enc.SetEscapeHTML(false)
	for _, out := range outs {
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	return errors.Join(errs...)
}

// normalizeForExplain runs one input item through the normaliser as if an
// outlet's feed carried it, at now.
func normalizeForExplain(norm *normalize.Normalizer, in explainInput, now time.Time) (news.Item, []normalize.Removal) {
	content := in.Content
	if content == "" {
		var b strings.Builder
		for _, p := range strings.Split(strings.ReplaceAll(in.Text, "\r\n", "\n"), "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				b.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
			}
		}
		content = b.String()
	}
	f := &gofeed.Feed{Items: []*gofeed.Item{{Title: in.Title, Link: in.URL, Content: content, Published: in.Published}}}
	it, rep, ok := norm.Item(normalize.Source{Outlet: in.Outlet, FeedURL: in.URL}, f, 0, now)
	if !ok {
		published, err := time.Parse(time.RFC3339, in.Published)
		if err != nil {
			published = now
		}
		return news.Item{Title: in.Title, Text: in.Text, GUID: cmp.Or(in.URL, in.Title), Published: published.UTC()}, nil
	}
	return it, rep.Removed
}
