package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"sort"
	"strings"

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
// Values are checked as the file's are; a boolean also takes 1/0, yes/no and
// on/off in any case, and a string key takes the value as written.
func (c *Config) applyEnv(env map[string]envValue) error {
	var errs Errors
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ev := env[k]
		src := "$" + ev.name
		t, ok := typeAt(ev.path)
		if !ok {
			continue
		}
		var node *yaml.Node
		if t.Kind() == reflect.String {
			// "on", "1" or "12:30" stay as written where the key is text.
			node = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: ev.value}
		} else {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(ev.value), &doc); err != nil {
				e := syntaxError([]byte(ev.value), err)
				if !strings.HasPrefix(e.Msg, "not valid YAML") {
					e.Msg = "not valid YAML: " + e.Msg
				}
				errs = append(errs, &Error{Source: src, Field: k, Msg: e.Msg})
				continue
			}
			if len(doc.Content) == 0 {
				continue // only a comment: as if unset
			}
			node = doc.Content[0]
		}
		sc := &schemaChecker{}
		sc.check(node, t, k)
		for _, e := range sc.errs {
			e.Source, e.Line = src, 0
		}
		if len(sc.errs) > 0 {
			errs = append(errs, sc.errs...)
			continue
		}
		if err := node.Decode(fieldAt(c, ev.path).Addr().Interface()); err != nil {
			errs = append(errs, &Error{Source: src, Field: k, Msg: parseYAMLMsg(err.Error()).Msg})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// fieldAt returns the field of c at a key path typeAt knows.
func fieldAt(c *Config, path []string) reflect.Value {
	v := reflect.ValueOf(c).Elem()
	for _, name := range path {
		v = v.FieldByIndex(yamlFields(v.Type())[name].Index)
	}
	return v
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
