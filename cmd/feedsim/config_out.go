package main

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"os"

	"go.yaml.in/yaml/v3"
)

// outletURLs returns the feed URL of every outlet: outlet n lives on the
// (n mod hosts)-th loopback address from base, in its own format.
func outletURLs(outlets int, base netip.AddrPort, hosts int) []string {
	addrs := make([]netip.Addr, max(hosts, 1))
	a := base.Addr()
	for i := range addrs {
		addrs[i] = a
		a = a.Next()
	}
	urls := make([]string, outlets)
	for n := range urls {
		ap := netip.AddrPortFrom(addrs[n%len(addrs)], base.Port())
		urls[n] = fmt.Sprintf("http://%s/o/%d.%s", ap, n, Format(n))
	}
	return urls
}

// writeConfig writes a topicfeed config whose outlets are urls (named
// OutletName(n)) and which allows private networks (the outlets are on
// loopback). With a base config file, every other key of it is kept
// (topics, tags, comments); without one, only those two keys are written.
func writeConfig(w io.Writer, basePath string, urls []string) error {
	var doc yaml.Node
	if basePath != "" {
		data, err := os.ReadFile(basePath)
		if err != nil {
			return fmt.Errorf("read base config: %w", err)
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return fmt.Errorf("base config %s: %w", basePath, err)
		}
	}
	if len(doc.Content) == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("base config %s: not a mapping", basePath)
	}
	outlets := &yaml.Node{Kind: yaml.SequenceNode}
	for n, u := range urls {
		outlets.Content = append(outlets.Content, &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{
			scalar("name"), scalar(OutletName(n)), scalar("url"), scalar(u),
		}})
	}
	setKey(root, "allow_private_networks", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	setKey(root, "outlets", outlets)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("encode config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encode config: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

func writeConfigFile(path, basePath string, urls []string) error {
	var b bytes.Buffer
	if err := writeConfig(&b, basePath, urls); err != nil {
		return err
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	return nil
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }

// setKey sets key to value in a mapping node, in place or appended.
func setKey(m *yaml.Node, key string, value *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = value
			return
		}
	}
	m.Content = append(m.Content, scalar(key), value)
}
