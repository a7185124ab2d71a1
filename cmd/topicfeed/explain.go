package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/topicfeed/topicfeed/aggregator/normalize"
	"github.com/topicfeed/topicfeed/aggregator/tagger"
)

// explainInput is one line of `topicfeed explain`'s input.
type explainInput struct {
	Title   string `json:"title"`
	Text    string `json:"text"`    // plain text, paragraphs separated by blank lines
	Content string `json:"content"` // HTML, as a feed carries it
	URL     string `json:"url"`
	Outlet  string `json:"outlet"`
}

// explainOutput is one line of its output.
type explainOutput struct {
	Line   int    `json:"line"`
	URL    string `json:"url,omitempty"`
	Outlet string `json:"outlet,omitempty"`
	Title  string `json:"title"`
	tagger.Explanation
	// Removed is the boilerplate the normaliser removed before tagging.
	Removed []normalize.Removal `json:"removed,omitempty"`
}

// explain reads items as JSON Lines on stdin and prints, for each, the
// tagger's decision with its evidence, after the same normalisation that
// stored items get.
func (e *env) explain(ctx context.Context, args []string) error {
	fs := e.flags("explain")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	tg, err := tagger.New(cfg.Topics, cfg.Tags)
	if err != nil {
		return fmt.Errorf("%s: topics: %w", e.configPath, err)
	}
	norm := normalize.New(normalizeRules(cfg))
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var errs []error
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
		title, text, removed := normalizeForExplain(norm, in)
		out := explainOutput{Line: line, URL: in.URL, Outlet: in.Outlet, Title: title, Explanation: tg.Explain(title, text), Removed: removed}
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	return errors.Join(errs...)
}

// normalizeForExplain runs one input item through the normaliser as if an
// outlet's feed carried it.
func normalizeForExplain(norm *normalize.Normalizer, in explainInput) (title, text string, removed []normalize.Removal) {
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
	f := &gofeed.Feed{Items: []*gofeed.Item{{Title: in.Title, Link: in.URL, Content: content}}}
	it, rep, ok := norm.Item(normalize.Source{Outlet: in.Outlet, FeedURL: in.URL}, f, 0, time.Now().UTC())
	if !ok {
		return in.Title, in.Text, nil
	}
	return it.Title, it.Text, rep.Removed
}
