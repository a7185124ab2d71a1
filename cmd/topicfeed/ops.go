package main

import (
	"context"
	"fmt"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// retag re-evaluates every stored item against the configured rules,
// without refetching.
func (e *env) retag(ctx context.Context, args []string) error {
	fs := e.flags("retag")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	a, err := e.openApp(ctx, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	seen, changed, onTopic, err := a.retagAll(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "retagged %d items: %d changed, %d on topic\n", seen, changed, onTopic)
	return nil
}

func sameTagging(a, b news.Tagging) bool {
	return a.OnTopic == b.OnTopic && a.Score == b.Score && slices.Equal(a.Topics, b.Topics) && slices.Equal(a.Tags, b.Tags) &&
		len(a.Evidence) == len(b.Evidence)
}

// backup writes a consistent copy of the database while the daemon may be
// running.
func (e *env) backup(ctx context.Context, args []string) error {
	fs := e.flags("backup")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() != 1 {
		return usageError{"backup: want the FILE to write"}
	}
	cfg, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, fs.Arg(0)); err != nil {
		return fmt.Errorf("backup to %s: %w", fs.Arg(0), err)
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s\n", cfg.Database, fs.Arg(0))
	return nil
}

// outletsTable prints every outlet's health from the database.
func (e *env) outletsTable(ctx context.Context, args []string) error {
	fs := e.flags("outlets")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	_, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.Outlets(ctx)
	if err != nil {
		return fmt.Errorf("read outlets: %w", err)
	}
	now := time.Now()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OUTLET\tSTATUS\tITEMS\tLAST FETCH\tLAST SUCCESS\tNEXT POLL\tERRORS\tLAST ERROR")
	for _, o := range list {
		status := fmt.Sprint(o.LastStatus)
		switch {
		case o.Disabled:
			status = "disabled: " + o.DisabledReason
		case o.LastFetch.IsZero():
			status = "never polled"
		case o.LastError != "":
			status = "failing"
		case o.LastStatus == 0:
			status = "ok"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%d\t%s\n", o.Name, status, o.ItemCount, ago(now, o.LastFetch),
			ago(now, o.LastSuccess), until(now, o.NextPoll), o.ConsecutiveErrors, truncate(o.LastError, 80))
	}
	return tw.Flush()
}

func ago(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return now.Sub(t).Round(time.Second).String() + " ago"
}

func until(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	if !t.After(now) {
		return "due"
	}
	return "in " + t.Sub(now).Round(time.Second).String()
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
