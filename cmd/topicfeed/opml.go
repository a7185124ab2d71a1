package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/publish"
)

// opml dispatches `topicfeed opml import FILE`.
func (c *cli) opml(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		return usageError{"opml: usage: topicfeed opml import [-dry-run] FILE"}
	}
	fs := c.flags("opml import")
	dryRun := fs.Bool("dry-run", false, "print the new configuration instead of writing it")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() != 1 {
		return usageError{"opml import: want one OPML FILE"}
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("opml import: %w", err)
	}
	defer f.Close()
	feeds, err := publish.ParseOPML(f)
	if err != nil {
		return fmt.Errorf("opml import %s: %w", fs.Arg(0), err)
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	src, err := os.ReadFile(c.configPath)
	if err != nil {
		return fmt.Errorf("opml import: %w", err)
	}
	out, added, skipped, err := addOutlets(src, cfg, feeds)
	if err != nil {
		return fmt.Errorf("opml import: %s: %w", c.configPath, err)
	}
	// The result must load as a valid configuration before it replaces the
	// file.
	if _, err := config.Load(bytes.NewReader(out)); err != nil {
		return fmt.Errorf("opml import: the new configuration would not load: %w", err)
	}
	if *dryRun {
		_, err := c.stdout.Write(out)
		return err
	}
	if len(added) > 0 {
		if err := writeFileAtomic(c.configPath, out); err != nil {
			return fmt.Errorf("opml import: %w", err)
		}
	}
	for _, name := range added {
		fmt.Fprintf(c.stdout, "added %s\n", name)
	}
	for _, s := range skipped {
		fmt.Fprintf(c.stdout, "skipped %s\n", s)
	}
	fmt.Fprintf(c.stdout, "%d outlets added to %s, %d skipped\n", len(added), c.configPath, len(skipped))
	return nil
}

// addOutlets appends the feeds not yet configured (by URL or name) to the
// outlets list of the YAML document src, keeping its comments.
func addOutlets(src []byte, cfg config.Config, feeds []publish.OPMLOutlet) (out []byte, added, skipped []string, err error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, nil, nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, nil, fmt.Errorf("not a YAML mapping")
	}
	root := doc.Content[0]
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "outlets" {
			list = root.Content[i+1]
		}
	}
	if list == nil {
		list = &yaml.Node{Kind: yaml.SequenceNode}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "outlets"}, list)
	}
	urls, names := map[string]bool{}, map[string]bool{}
	for _, o := range cfg.Outlets {
		urls[strings.TrimRight(o.URL, "/")] = true
		names[config.Slug(o.Name)] = true
	}
	for _, f := range feeds {
		name := strings.TrimSpace(f.Name)
		switch {
		case urls[strings.TrimRight(f.URL, "/")]:
			skipped = append(skipped, fmt.Sprintf("%s (%s): already configured", name, f.URL))
			continue
		case names[config.Slug(name)]:
			skipped = append(skipped, fmt.Sprintf("%s (%s): an outlet of that name exists", name, f.URL))
			continue
		}
		urls[strings.TrimRight(f.URL, "/")], names[config.Slug(name)] = true, true
		list.Content = append(list.Content, &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Value: "name"}, {Kind: yaml.ScalarNode, Value: name, Style: yaml.DoubleQuotedStyle},
			{Kind: yaml.ScalarNode, Value: "url"}, {Kind: yaml.ScalarNode, Value: f.URL, Style: yaml.DoubleQuotedStyle},
		}})
		added = append(added, fmt.Sprintf("%s (%s)", name, f.URL))
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, nil, nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, nil, nil, err
	}
	return b.Bytes(), added, skipped, nil
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
