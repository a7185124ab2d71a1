package tagger

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// InputItem is one line of `topicfeed explain` input: an item to explain.
type InputItem struct {
	Title string `json:"title"`
	// Text is the item's plain text, paragraphs separated by a blank line.
	Text string `json:"text"`
	// Content is the item's HTML, used when Text is empty.
	Content string `json:"content"`
	URL     string `json:"url"`
	Outlet  string `json:"outlet"`
}

// ItemExplanation is the explanation of one input item, with its title, URL
// and outlet echoed so that output lines can be matched to input lines.
type ItemExplanation struct {
	Title  string `json:"title"`
	URL    string `json:"url,omitempty"`
	Outlet string `json:"outlet,omitempty"`
	Explanation
}

// ExplainLines reads items as JSON Lines from r and writes one
// ItemExplanation per item as JSON Lines to w. Blank lines are skipped. An
// item without text has its content turned into text by toText (e.g. the
// normaliser's HTML-to-text); with a nil toText, content is used as it is.
// It stops at the first malformed line with an error naming its number.
func (t *Tagger) ExplainLines(r io.Reader, w io.Writer, toText func(html string) string) error {
	br := bufio.NewReader(r)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var it InputItem
			if jerr := json.Unmarshal(line, &it); jerr != nil {
				return fmt.Errorf("explain: input line %d: %w", n, jerr)
			}
			text := it.Text
			if text == "" && it.Content != "" {
				text = it.Content
				if toText != nil {
					text = toText(it.Content)
				}
			}
			out := ItemExplanation{Title: it.Title, URL: it.URL, Outlet: it.Outlet, Explanation: t.Explain(it.Title, text)}
			if werr := enc.Encode(out); werr != nil {
				return fmt.Errorf("explain: write item of input line %d: %w", n, werr)
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("explain: read input line %d: %w", n, err)
		}
	}
}
