package app

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/topicfeed/topicfeed/aggregator/cluster"
	"github.com/topicfeed/topicfeed/aggregator/normalize"
	"github.com/topicfeed/topicfeed/aggregator/tagger"
	"github.com/topicfeed/topicfeed/config"
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

// Explained is one item's tagging decision with its evidence, as
// `topicfeed explain` prints it (one JSON line, or WriteExplainedText).
type Explained struct {
	Line      int    `json:"line"`
	URL       string `json:"url,omitempty"`
	Outlet    string `json:"outlet,omitempty"`
	Title     string `json:"title"`
	Published string `json:"published"`
	tagger.Explanation
	// Removed is the boilerplate the normaliser removed before tagging.
	Removed []normalize.Removal `json:"removed,omitempty"`
	StoryFields
}

// Explain reads items as JSON Lines from r and decides each under cfg's
// rules, after the same normalisation that stored items get, and, for
// on-topic items, the story grouping the daemon would give them: all of
// them run through a fresh story index in publication order. It returns
// the decisions in the order given, and in bad the lines it could not
// read (joined errors naming each line), which are skipped; err is an
// error that stopped it. path is the configuration file's, for errors.
func Explain(ctx context.Context, path string, cfg config.Config, r io.Reader) (items []Explained, bad, err error) {
	tg, err := tagger.New(cfg.Topics, cfg.Tags)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: topics: %w", path, err)
	}
	norm := normalize.New(NormalizeRules(cfg))
	now := time.Now().UTC()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var (
		errs    []error
		outs    []Explained
		docs    []cluster.Doc
		onTopic []int // indexes in outs of the items docs holds
	)
	for line := 1; sc.Scan(); line++ {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
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
		out := Explained{Line: line, URL: in.URL, Outlet: in.Outlet, Title: it.Title, Published: it.Published.Format(time.RFC3339),
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
		return nil, nil, fmt.Errorf("read stdin: %w", err)
	}
	for i, st := range GroupStories(docs, time.Now) {
		outs[onTopic[i]].StoryFields = st
	}
	return outs, errors.Join(errs...), nil
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

// WriteExplainedText writes decisions for a person to read: per item its
// line and title, each topic's verdict and reason with the entities found
// and the terms that made them, the tags given, the story, and what was
// removed as boilerplate.
func WriteExplainedText(w io.Writer, items []Explained) error {
	var b strings.Builder
	for i, e := range items {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%d: %s\n", e.Line, e.Title)
		var about []string
		for _, s := range []string{e.Outlet, e.URL} {
			if s != "" {
				about = append(about, s)
			}
		}
		about = append(about, "published "+e.Published)
		fmt.Fprintf(&b, "   %s\n", strings.Join(about, ", "))
		for _, d := range e.TopicDetails {
			verdict, why, _ := strings.Cut(d.Reason, ": ")
			fmt.Fprintf(&b, "   %s %s: %s\n", verdict, d.Topic, why)
			for _, en := range d.Entities {
				if en.Strength == 0 {
					continue
				}
				fmt.Fprintf(&b, "     %s %g", en.Entity, en.Strength)
				if en.Weight != 1 {
					fmt.Fprintf(&b, " weighted %g", en.Weight)
				}
				if !en.Present {
					fmt.Fprintf(&b, ", below %g", d.MinEntityScore)
				}
				if ts := terms(e.Evidence, "entity", en.Entity); ts != "" {
					fmt.Fprintf(&b, " (%s)", ts)
				}
				b.WriteString("\n")
			}
		}
		writeTags(&b, e.TagDetails)
		if e.Story != "" {
			fmt.Fprintf(&b, "   story: %s (%s)", e.Story, e.StoryWhy)
			if e.MovedFrom != "" {
				fmt.Fprintf(&b, ", then moved from %s", e.MovedFrom)
			}
			if e.RelatedStory != "" {
				fmt.Fprintf(&b, "; answers story %s", e.RelatedStory)
			}
			b.WriteString("\n")
		}
		if e.IgnoredFrom != "" {
			fmt.Fprintf(&b, "   read up to %q\n", e.IgnoredFrom)
		}
		for _, r := range e.Removed {
			fmt.Fprintf(&b, "   removed (%s): %s\n", r.Rule, truncate(r.Text, 100))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeTags writes the tags given, with their strengths, and those found
// but too weak.
func writeTags(b *strings.Builder, details []tagger.TagDetail) {
	var given, weak []string
	same := true
	for _, t := range details {
		same = same && t.MinScore == details[0].MinScore
	}
	for _, t := range details {
		s := fmt.Sprintf("%s %g", t.Tag, t.Strength)
		if !same {
			s += fmt.Sprintf(" (needs %g)", t.MinScore)
		}
		switch {
		case t.Tagged:
			given = append(given, s)
		case t.Strength > 0:
			weak = append(weak, s)
		}
	}
	needs := ""
	if same && len(details) > 0 {
		needs = fmt.Sprintf(" (each needs %g)", details[0].MinScore)
	}
	switch {
	case len(given) > 0:
		fmt.Fprintf(b, "   tags: %s%s\n", strings.Join(given, ", "), needs)
	default:
		b.WriteString("   tags: none\n")
	}
	if len(weak) > 0 {
		fmt.Fprintf(b, "   too weak for a tag: %s\n", strings.Join(weak, ", "))
	}
}

// terms lists the evidence of one rule: "Iran in title, Tehran in body ×2".
func terms(evidence []news.Evidence, kind, rule string) string {
	var out []string
	for _, ev := range evidence {
		if ev.Kind != kind || ev.Rule != rule {
			continue
		}
		s := ev.Term + " in " + ev.Field
		if ev.Count > 1 {
			s += fmt.Sprintf(" ×%d", ev.Count)
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}
