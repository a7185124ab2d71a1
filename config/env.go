package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"reflect"
	"slices"
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
	cfg, _, err := loadEnv(path, lookup)
	return cfg, err
}

// Sources says where a loaded configuration came from.
type Sources struct {
	// File is the file that was read; empty when it does not exist and
	// the environment alone configured topicfeed.
	File string
	// Env lists the variables that set keys, sorted by name.
	Env []EnvSetting
}

// EnvSetting is one environment variable that set a key.
type EnvSetting struct {
	Var   string // TOPICFEED_LISTEN
	Field string // listen
}

// LoadSources is LoadEnv with the environment given as os.Environ lists
// it, and also says which file and variables the values came from.
func LoadSources(path string, environ []string) (Config, Sources, error) {
	vars := envMap(environ)
	return loadEnv(path, func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
}

func loadEnv(path string, lookup func(string) (string, bool)) (Config, Sources, error) {
	env := readEnv(lookup)
	src := Sources{File: path}
	for field, ev := range env {
		src.Env = append(src.Env, EnvSetting{Var: ev.name, Field: field})
	}
	sort.Slice(src.Env, func(i, j int) bool { return src.Env[i].Var < src.Env[j].Var })
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && len(env) > 0:
		data, src.File = nil, ""
	case err != nil:
		return Config{}, Sources{}, fmt.Errorf("open config: %w", err)
	}
	cfg, err := load(data, env)
	if err != nil {
		if data == nil {
			return Config{}, Sources{}, fmt.Errorf("%s does not exist and the environment is not enough:\n%w", path, err)
		}
		return Config{}, Sources{}, withFile(err, path)
	}
	return cfg, src, nil
}

// otherEnv are the TOPICFEED_ variables that are not configuration keys:
// the configuration file's path (read by the command line) and the test
// suite's settings.
var otherEnv = []string{"TOPICFEED_CONFIG", "TOPICFEED_NODE_DIR", "TOPICFEED_ARTIFACTS", "TOPICFEED_STORAGE_CRASH_DB",
	"TOPICFEED_TEST_POSTGRES", "TOPICFEED_TEST_POSTGRES_DIR"}

// UnknownEnv returns an error for each variable of environ (os.Environ's
// KEY=value list) that starts with TOPICFEED_ but names no configuration
// key, so that a misspelt one is not silently ignored; each names the
// nearest known variable when it looks like a misspelling of it.
func UnknownEnv(environ []string) Errors {
	known := slices.Clone(otherEnv)
	for name := range envPaths() {
		known = append(known, name)
	}
	slices.Sort(known)
	var errs Errors
	names := slices.Sorted(maps.Keys(envMap(environ)))
	for _, name := range names {
		if !strings.HasPrefix(strings.ToUpper(name), EnvPrefix) || slices.Contains(known, name) {
			continue
		}
		msg := "unknown variable: no configuration key is called that, so it is ignored"
		short := make([]string, len(known))
		for i, k := range known {
			short[i] = strings.TrimPrefix(k, EnvPrefix)
		}
		if s := nearest(name[len(EnvPrefix):], short); s != "" {
			msg += "; did you mean " + EnvPrefix + s + "?"
		}
		errs = append(errs, &Error{Source: "$" + name, Msg: msg})
	}
	return errs
}

// envMap turns os.Environ's list into a map.
func envMap(environ []string) map[string]string {
	out := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = v
		}
	}
	return out
}
