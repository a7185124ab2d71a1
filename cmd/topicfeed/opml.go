package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/topicfeed/topicfeed/app"
	"github.com/topicfeed/topicfeed/publish"
)

// opml dispatches `topicfeed opml import FILE`.
func (c *cli) opml(_ context.Context, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		args = []string{"import", "-h"}
	}
	if len(args) == 0 || args[0] != "import" {
		return usageError{"opml: usage: topicfeed opml import [-dry-run] FILE"}
	}
	fs := c.flags("opml import", "FILE")
	dryRun := fs.Bool("dry-run", false, "print what would be added, and the diff of the configuration, without writing it")
	pos, err := parseFlags(fs, args[1:], 1)
	if err != nil {
		return err
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return fmt.Errorf("opml import: %w", err)
	}
	defer f.Close()
	list, err := publish.ReadOPML(f)
	if err != nil {
		return fmt.Errorf("opml import %s: %w", pos[0], err)
	}
	// the configuration as every command loads it, for its errors
	if _, err := c.loadConfig(); err != nil {
		return err
	}
	src, err := os.ReadFile(c.configPath)
	if err != nil {
		return fmt.Errorf("opml import: %w", err)
	}
	imp, err := app.ImportOPML(c.configPath, src, list)
	if err != nil {
		return fmt.Errorf("opml import: %w", err)
	}
	verb := "added"
	if *dryRun {
		verb = "would add"
	} else if len(imp.Added) > 0 {
		if err := writeFileAtomic(c.configPath, imp.Config); err != nil {
			return fmt.Errorf("opml import: %w", err)
		}
	}
	for _, name := range imp.Added {
		fmt.Fprintf(c.stdout, "%s %s\n", verb, name)
	}
	for _, s := range imp.Skipped {
		fmt.Fprintf(c.stdout, "skipped %s\n", s)
	}
	if !*dryRun {
		fmt.Fprintf(c.stdout, "%d outlets added to %s, %d skipped\n", len(imp.Added), c.configPath, len(imp.Skipped))
		return nil
	}
	fmt.Fprintf(c.stdout, "%d outlets would be added to %s, %d skipped; nothing written (-dry-run)\n", len(imp.Added), c.configPath, len(imp.Skipped))
	if imp.Diff != "" {
		fmt.Fprintf(c.stdout, "\n%s", imp.Diff)
	}
	return nil
}

// writeFileAtomic replaces path with data through a temporary file in the
// same directory, keeping the file's mode.
func writeFileAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".topicfeed-*.yaml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), mode); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
