package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// EnvPrefix starts the name of every environment variable that overrides a
// configuration key: TOPICFEED_ + the key's path in upper case with "_" for
// "." (TOPICFEED_LISTEN, TOPICFEED_FETCH_TIMEOUT, TOPICFEED_FEED_TITLE).
// Values are YAML, so lists can be given inline:
// TOPICFEED_OUTLETS='[{name: TASS, url: "https://tass.com/rss/v2.xml"}]'.
const EnvPrefix = "TOPICFEED_"

// envValue is one environment override.
type envValue struct {
	name  string   // the variable, e.g. TOPICFEED_FETCH_TIMEOUT
	path  []string // the YAML key path, e.g. [fetch timeout]
	value string
}

// envPaths maps each variable name to its key path, derived from Config's
// yaml tags: every scalar, list and map field is a key; nested structs are
// walked.
func envPaths() map[string][]string {
	out := map[string][]string{}
	durationType := reflect.TypeOf(time.Duration(0))
	var walk func(t reflect.Type, path []string)
	walk = func(t reflect.Type, path []string) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			p := append(append([]string(nil), path...), tag)
			if f.Type.Kind() == reflect.Struct && f.Type != durationType {
				walk(f.Type, p)
				continue
			}
			out[EnvPrefix+strings.ToUpper(strings.Join(p, "_"))] = p
		}
	}
	walk(reflect.TypeOf(Config{}), nil)
	return out
}

// readEnv collects the overrides set in the environment (empty values are
// ignored), keyed by dotted field path.
func readEnv(lookup func(string) (string, bool)) map[string]envValue {
	out := map[string]envValue{}
	for name, path := range envPaths() {
		if v, ok := lookup(name); ok && strings.TrimSpace(v) != "" {
			out[strings.Join(path, ".")] = envValue{name: name, path: path, value: v}
		}
	}
	return out
}

// applyEnv decodes each override onto c, as if the file had said it.
func (c *Config) applyEnv(env map[string]envValue) error {
	var errs Errors
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ev := env[k]
		var value yaml.Node
		if err := yaml.Unmarshal([]byte(ev.value), &value); err != nil {
			errs = append(errs, &Error{Source: "$" + ev.name, Field: k, Msg: fmt.Sprintf("not valid YAML: %v", err)})
			continue
		}
		node := value.Content[0]
		if node.Kind == yaml.ScalarNode && node.Tag != "!!str" && isStringField(ev.path) {
			// "on", "1" or "12:30" stay strings where the key is a string.
			node = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: ev.value}
		}
		// Wrap the value in its key path and decode it strictly onto c.
		for i := len(ev.path) - 1; i >= 0; i-- {
			node = &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: ev.path[i]}, node}}
		}
		data, err := yaml.Marshal(node)
		if err != nil {
			errs = append(errs, &Error{Source: "$" + ev.name, Field: k, Msg: err.Error()})
			continue
		}
		if err := decodeStrict(data, c); err != nil {
			msg := err.Error()
			if e := parseYAMLMsg(strings.TrimPrefix(strings.TrimPrefix(msg, "yaml: unmarshal errors:\n"), "  ")); e != nil {
				msg = e.Msg
			}
			errs = append(errs, &Error{Source: "$" + ev.name, Field: k, Msg: msg})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func isStringField(path []string) bool {
	t := reflect.TypeOf(Config{})
	for _, name := range path {
		found := false
		for i := range t.NumField() {
			if strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0] == name {
				t = t.Field(i).Type
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return t.Kind() == reflect.String
}

// LoadEnv loads the configuration file at path, if there is one, with the
// environment's TOPICFEED_* overrides on top (lookup is os.LookupEnv in the
// daemon). A missing file is no error when the environment sets at least
// one key: containers can be configured by environment alone.
func LoadEnv(path string, lookup func(string) (string, bool)) (Config, error) {
	env := readEnv(lookup)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && len(env) > 0:
		data = nil
	case err != nil:
		return Config{}, fmt.Errorf("open config: %w", err)
	}
	cfg, err := load(data, env)
	if err != nil {
		if data == nil {
			return Config{}, fmt.Errorf("%s does not exist and the environment is not enough:\n%w", path, err)
		}
		return Config{}, withFile(err, path)
	}
	return cfg, nil
}

func decodeStrict(data []byte, c *Config) error {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	return dec.Decode(c)
}
