package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/topicfeed/topicfeed/app"
)

// explain reads items as JSON Lines on stdin and prints, for each, the
// tagger's decision with its evidence and the story the daemon would put
// it in (app.Explain), as text for a person or as JSON Lines; the items
// are printed in the order given, once all are read.
func (c *cli) explain(ctx context.Context, args []string) error {
	fs := c.flags("explain", "< items.jsonl")
	format := fs.String("format", "", "`text` for a person, or json: one JSON object per item (default: text on a terminal, else json)")
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if *format == "" {
		*format = "json"
		if isTerminal(c.stdout) {
			*format = "text"
		}
	}
	if *format != "text" && *format != "json" {
		return usageError{fmt.Sprintf("explain: -format must be text or json, got %q", *format)}
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	items, bad, err := app.Explain(ctx, c.configPath, cfg, c.stdin)
	if err != nil {
		return err
	}
	if *format == "text" {
		return errors.Join(app.WriteExplainedText(c.stdout, items), bad)
	}
	enc := json.NewEncoder(c.stdout)
	enc.SetEscapeHTML(false)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	return bad
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
