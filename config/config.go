// Package config loads, defaults and validates topicfeed's YAML
// configuration. It is parsed and validated once at start-up and then passed
// down by value; nothing here is global.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration.
type Config struct {
	// Listen is the HTTP listen address, e.g. ":8080".
	Listen string `yaml:"listen"`
	// Database is the path of the SQLite database file, or the URL of a
	// PostgreSQL database (postgres:// or postgresql://) that several
	// nodes may share.
	Database string `yaml:"database"`
	// BaseURL is the public URL of the server; published feeds use it for
	// absolute links.
	BaseURL string `yaml:"base_url"`
	// PollInterval is the default interval between polls of one outlet.
	PollInterval time.Duration `yaml:"poll_interval"`
	// MinPollInterval and MaxPollInterval bound the adaptive schedule:
	// busy outlets are polled more often, quiet ones less, and servers'
	// caching headers and feeds' ttl may ask for longer. 0: a quarter of,
	// and four times, the outlet's interval.
	MinPollInterval time.Duration `yaml:"min_poll_interval"`
	MaxPollInterval time.Duration `yaml:"max_poll_interval"`
	// AllowPrivateNetworks lets outlets live on loopback or private
	// addresses. Off by default as a guard against SSRF.
	AllowPrivateNetworks bool `yaml:"allow_private_networks"`
	// UserAgent is sent with every fetch.
	UserAgent string `yaml:"user_agent"`
	// WebSubHub is the URL of a WebSub hub: the feeds advertise it and it
	// is pinged whenever they change. Empty: no WebSub.
	WebSubHub string `yaml:"websub_hub"`
	// Retention is how long items are kept after they were published;
	// older ones are pruned hourly. 0 keeps everything.
	Retention time.Duration `yaml:"retention"`

	Fetch   Fetch    `yaml:"fetch"`
	Log     Log      `yaml:"log"`
	Feed    Feed     `yaml:"feed"`
	Outlets []Outlet `yaml:"outlets"`
	Topics  []Topic  `yaml:"topics"`
	Tags    []Tag    `yaml:"tags"`
}

// Fetch tunes the fetcher.
type Fetch struct {
	// Timeout bounds one whole fetch (connect, headers and body).
	Timeout time.Duration `yaml:"timeout"`
	// MaxBodyBytes caps the (decompressed) size of one feed body.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// Concurrency is the number of outlets fetched at once.
	Concurrency int `yaml:"concurrency"`
	// MaxItems caps the items taken from one feed (the newest are kept),
	// so that a runaway feed cannot hold the database writer for long.
	MaxItems int `yaml:"max_items"`
	// MaxItemBytes caps one item: its content and description are cut
	// to this many bytes before they are cleaned, and its stored text
	// and HTML are each at most this long.
	MaxItemBytes int `yaml:"max_item_bytes"`
	// Lease is how long a node holds the hosts whose outlets it polls
	// unless it renews the lease, when several nodes poll one database: a
	// node that dies leaves its outlets to the others after at most this
	// long. 0 (the default) is max(2m, 4 × Timeout); else at least
	// 2 × Timeout, since a poll must end within half of it.
	Lease time.Duration `yaml:"lease"`
}

// Log selects the log format and level.
type Log struct {
	// Format is "text" or "json".
	Format string `yaml:"format"`
	// Level is "debug", "info", "warn" or "error".
	Level string `yaml:"level"`
}

// Feed describes the merged feed topicfeed publishes.
type Feed struct {
	Title       string `yaml:"title"`
	Description string `yaml:"description"`
	// Limit is the number of entries in the published feeds.
	Limit int `yaml:"limit"`
	// Per is "story" (one entry per story, crediting every outlet that
	// covered it) or "item" (one entry per stored item).
	Per string `yaml:"per"`
	// Language is the feed's language (BCP 47), e.g. "en".
	Language string `yaml:"language"`
}

// Outlet is one polled news feed.
type Outlet struct {
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
	// PollInterval overrides the global poll interval for this outlet.
	PollInterval time.Duration `yaml:"poll_interval"`
	// Language is the outlet's usual language, used when its feed says none.
	Language string `yaml:"language"`
	// TimeZone is the outlet's IANA time zone ("Asia/Tehran"), for dates
	// its feed writes without a zone; default UTC.
	TimeZone string `yaml:"time_zone"`
}

// Default returns the configuration used for every key the file leaves out.
func Default() Config {
	return Config{
		Listen:       ":8080",
		Database:     "data/topicfeed.db",
		BaseURL:      "http://localhost:8080",
		PollInterval: 15 * time.Minute,
		UserAgent:    "topicfeed/1.0 (+https://github.com/topicfeed/topicfeed)",
		Fetch: Fetch{
			Timeout:      30 * time.Second,
			MaxBodyBytes: 10 << 20,
			Concurrency:  8,
			MaxItems:     500,
			MaxItemBytes: 256 << 10,
		},
		Log:  Log{Format: "text", Level: "info"},
		Feed: Feed{Title: "topicfeed", Description: "A merged topical news feed", Limit: 100, Language: "en", Per: "story"},
	}
}

// Error is a configuration error that names where it is.
type Error struct {
	// Source names an environment variable the value came from
	// ("$TOPICFEED_LISTEN"); File and Line are empty then.
	Source string
	File   string // file name, may be empty
	Line   int    // 1-based line, 0 when unknown
	Field  string // dotted field path such as "outlets[2].url"
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Source != "":
		b.WriteString(e.Source + ":")
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d:", e.File, e.Line)
	case e.File != "":
		b.WriteString(e.File + ":")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d:", e.Line)
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is a list of configuration errors, reported together.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// LoadFile reads, decodes and validates the configuration file at path,
// without environment overrides (LoadEnv with none set). Errors name the
// file, the line and the field.
func LoadFile(path string) (Config, error) {
	return LoadEnv(path, func(string) (string, bool) { return "", false })
}

func withFile(err error, path string) error {
	var es Errors
	var e *Error
	switch {
	case errors.As(err, &es):
		for _, e := range es {
			if e.Source == "" {
				e.File = path
			}
		}
		return es
	case errors.As(err, &e):
		if e.Source == "" {
			e.File = path
		}
		return e
	}
	return fmt.Errorf("%s: %w", path, err)
}

var lineRe = regexp.MustCompile(`^line (\d+): (.*)$`)

// Load decodes a YAML configuration over Default() and validates it.
// Unknown keys are errors.
func Load(r io.Reader) (Config, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	return load(data, nil)
}

// load decodes data over Default(), then the environment's overrides
// (nil: none), and validates the result. A mistake in the YAML itself
// stops there; otherwise every unknown key, every value of the wrong kind
// and every failed check is reported together.
func load(data []byte, env map[string]envValue) (Config, error) {
	cfg := Default()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Config{}, Errors{syntaxError(data, err)}
	}
	var errs Errors
	if len(doc.Content) > 0 {
		root := doc.Content[0]
		sc := &schemaChecker{}
		sc.check(root, reflect.TypeOf(cfg), "")
		errs = sc.errs
		// The checked node decodes; with errors, what decodes is still
		// validated, so that the other mistakes show too.
		if err := root.Decode(&cfg); err != nil && len(errs) == 0 {
			return Config{}, yamlError(err)
		}
	}
	if err := cfg.applyEnv(env); err != nil {
		var es Errors
		if !errors.As(err, &es) {
			return Config{}, err
		}
		errs = append(errs, es...)
	}
	if err := cfg.Validate(); err != nil {
		var es Errors
		if errors.As(locate(err, fieldLines(&doc), env), &es) {
			for _, e := range es {
				if !reported(errs, e.Field) {
					errs = append(errs, e)
				}
			}
		}
	}
	if len(errs) > 0 {
		// in the order of the file; the environment's after it
		sort.SliceStable(errs, func(i, j int) bool { return lineOrder(errs[i]) < lineOrder(errs[j]) })
		return Config{}, errs
	}
	return cfg, nil
}

func lineOrder(e *Error) int {
	if e.Line == 0 || e.Source != "" {
		return math.MaxInt
	}
	return e.Line
}

// reported tells whether errs has an error about field or a key enclosing
// it, which Validate's error about it would only repeat.
func reported(errs Errors, field string) bool {
	for _, e := range errs {
		if e.Field == "" {
			return true
		}
		if field == e.Field || strings.HasPrefix(field, e.Field+".") || strings.HasPrefix(field, e.Field+"[") {
			return true
		}
	}
	return false
}

// yamlError turns the YAML library's "line N: msg" errors into Errors. The
// schema check catches what the decoder would complain of, so this is a
// fallback.
func yamlError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var es Errors
		for _, msg := range te.Errors {
			es = append(es, parseYAMLMsg(msg))
		}
		return es
	}
	return Errors{parseYAMLMsg(strings.TrimPrefix(err.Error(), "yaml: "))}
}

func parseYAMLMsg(msg string) *Error {
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		var line int
		fmt.Sscanf(m[1], "%d", &line)
		return &Error{Line: line, Msg: m[2]}
	}
	return &Error{Msg: msg}
}

// syntaxError places a YAML syntax error at its own line and says what is
// usually wrong there. The parser reports many errors at the line of the
// enclosing block (a mis-indented key under "outlets:" at the line of
// "outlets:"); the line of the mistake is the first line by which the
// document fails the same way.
func syntaxError(data []byte, err error) *Error {
	e := parseYAMLMsg(strings.TrimPrefix(err.Error(), "yaml: "))
	block := 0
	lines := bytes.SplitAfter(data, []byte("\n"))
	var prefix []byte
	for i, l := range lines {
		prefix = append(prefix, l...)
		if i+1 < e.Line {
			continue
		}
		var n yaml.Node
		if perr := yaml.Unmarshal(prefix, &n); perr != nil && perr.Error() == err.Error() {
			if i+1 != e.Line {
				block, e.Line = e.Line, i+1
			}
			break
		}
	}
	if block > 0 {
		e.Msg += fmt.Sprintf(", in the block that starts on line %d", block)
	}
	e.Msg = explainSyntax(e.Msg)
	return e
}

// explainSyntax says in plain words what the YAML parser's message usually
// means, keeping the parser's words for reference.
func explainSyntax(msg string) string {
	var hint string
	switch {
	case strings.Contains(msg, "did not find expected '-' indicator"),
		strings.Contains(msg, "did not find expected key"),
		strings.Contains(msg, "mapping values are not allowed"),
		strings.Contains(msg, "block sequence entries are not allowed"),
		strings.Contains(msg, "did not find expected <document start>"):
		hint = "this line's indentation does not fit the lines above it: keys of one level start in the same column, " +
			"and a value that contains \": \" must be quoted"
	case strings.Contains(msg, "found character that cannot start any token"):
		hint = "this line has a character a value cannot start with: indent with spaces, not tabs, " +
			"and quote values that start with @, ` or %"
	case strings.Contains(msg, "found unexpected end of stream"), strings.Contains(msg, "did not find expected"):
		hint = "a quote or bracket is not closed"
	default:
		return "not valid YAML: " + msg
	}
	return hint + " (YAML: " + msg + ")"
}

// fieldLines maps dotted field paths ("outlets[1].url") to the line of
// their key (or, for sequence elements, of the element).
func fieldLines(doc *yaml.Node) map[string]int {
	lines := map[string]int{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				lines[p] = k.Line
				walk(v, p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := fmt.Sprintf("%s[%d]", path, i)
				lines[p] = c.Line
				walk(c, p)
			}
		}
	}
	walk(doc, "")
	return lines
}

// validator collects the errors of Validate, each naming its field.
type validator struct {
	errs Errors
}

func (v *validator) addf(field, format string, args ...any) {
	v.errs = append(v.errs, &Error{Field: field, Msg: fmt.Sprintf(format, args...)})
}

// locate says where the field of each of Validate's errors was set: the
// environment variable that set it or an enclosing key, else the line of
// the field in the file, or of the closest enclosing field the file has.
func locate(err error, lines map[string]int, env map[string]envValue) error {
	var es Errors
	if !errors.As(err, &es) {
		return err
	}
	for _, e := range es {
		e.Source, e.Line = "", 0
		for p := e.Field; p != "" && e.Source == ""; p = parentPath(p) {
			if ev, ok := env[p]; ok {
				e.Source = "$" + ev.name
			}
		}
		for p := e.Field; p != "" && e.Source == "" && e.Line == 0; p = parentPath(p) {
			e.Line = lines[p]
		}
	}
	return es
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// Validate checks the configuration as a whole; Load and LoadEnv call it.
// Its errors are Errors, each naming the field (Load's also the line or
// environment variable that set it).
func (c Config) Validate() error {
	v := &validator{}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		v.addf("listen", "must be host:port or :port, got %q", c.Listen)
	}
	if strings.TrimSpace(c.Database) == "" {
		v.addf("database", "must name the SQLite database file or be a postgres:// URL")
	} else if msg := checkDatabase(c.Database); msg != "" {
		v.addf("database", "%s", msg)
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.addf("base_url", "must be an absolute http(s) URL, got %q", c.BaseURL)
	}
	if c.WebSubHub != "" {
		if u, err := url.Parse(c.WebSubHub); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.addf("websub_hub", "must be an absolute http(s) URL, got %q", c.WebSubHub)
		}
	}
	if c.Retention != 0 && c.Retention < 24*time.Hour {
		v.addf("retention", "must be 0 (keep everything) or at least 24h, got %s", c.Retention)
	}
	if c.MinPollInterval != 0 && c.MinPollInterval < time.Minute {
		v.addf("min_poll_interval", "must be 0 or at least 1m, got %s", c.MinPollInterval)
	}
	if c.MaxPollInterval != 0 && c.MaxPollInterval < max(c.MinPollInterval, time.Minute) {
		v.addf("max_poll_interval", "must be 0 or at least min_poll_interval and 1m, got %s", c.MaxPollInterval)
	}
	if c.PollInterval < time.Minute {
		v.addf("poll_interval", "must be at least 1m, got %s", c.PollInterval)
	}
	if c.Fetch.Timeout <= 0 {
		v.addf("fetch.timeout", "must be positive, got %s", c.Fetch.Timeout)
	}
	if c.Fetch.Lease < 0 || (c.Fetch.Lease != 0 && c.Fetch.Lease < 2*c.Fetch.Timeout) {
		v.addf("fetch.lease", "must be 0 (the default: 2m or 4 × fetch.timeout, the longer) or at least twice fetch.timeout (%s), got %s", shortDuration(2*c.Fetch.Timeout), shortDuration(c.Fetch.Lease))
	}
	if c.Fetch.MaxBodyBytes < 1<<10 {
		v.addf("fetch.max_body_bytes", "must be at least 1024, got %d", c.Fetch.MaxBodyBytes)
	}
	if c.Fetch.MaxItems < 1 {
		v.addf("fetch.max_items", "must be at least 1, got %d", c.Fetch.MaxItems)
	}
	if c.Fetch.MaxItemBytes < 1<<10 {
		v.addf("fetch.max_item_bytes", "must be at least 1024, got %d", c.Fetch.MaxItemBytes)
	}
	if c.Fetch.Concurrency < 1 {
		v.addf("fetch.concurrency", "must be at least 1, got %d", c.Fetch.Concurrency)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		v.addf("log.format", `must be "text" or "json", got %q`, c.Log.Format)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		v.addf("log.level", `must be one of debug, info, warn, error, got %q`, c.Log.Level)
	}
	if strings.TrimSpace(c.Feed.Title) == "" {
		v.addf("feed.title", "must not be empty")
	}
	if c.Feed.Per != "story" && c.Feed.Per != "item" {
		v.addf("feed.per", `must be "story" or "item", got %q`, c.Feed.Per)
	}
	if c.Feed.Limit < 1 {
		v.addf("feed.limit", "must be at least 1, got %d", c.Feed.Limit)
	}
	if len(c.Outlets) == 0 {
		v.addf("outlets", "must list at least one outlet")
	}
	names := map[string]int{}
	slugs := map[string]int{}
	for i, o := range c.Outlets {
		p := fmt.Sprintf("outlets[%d]", i)
		if strings.TrimSpace(o.Name) == "" {
			v.addf(p+".name", "must not be empty")
		} else if j, dup := names[o.Name]; dup {
			v.addf(p+".name", "%q is already the name of outlets[%d]", o.Name, j)
		} else {
			names[o.Name] = i
			s := Slug(o.Name)
			if j, dup := slugs[s]; dup {
				v.addf(p+".name", "%q has the same slug %q as outlets[%d]", o.Name, s, j)
			}
			slugs[s] = i
		}
		if u, err := url.Parse(o.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.addf(p+".url", "must be an absolute http(s) URL, got %q", o.URL)
		}
		if o.TimeZone != "" {
			if _, err := time.LoadLocation(o.TimeZone); err != nil {
				v.addf(p+".time_zone", "unknown time zone %q", o.TimeZone)
			}
		}
		if o.PollInterval != 0 && o.PollInterval < time.Minute {
			v.addf(p+".poll_interval", "must be at least 1m, got %s", o.PollInterval)
		}
	}
	c.validateTopics(v)
	if len(v.errs) > 0 {
		return v.errs
	}
	return nil
}

// Interval returns the outlet's poll interval, falling back to the default.
func (c Config) Interval(o Outlet) time.Duration {
	if o.PollInterval > 0 {
		return o.PollInterval
	}
	return c.PollInterval
}

// PollBounds returns the range within which the adaptive schedule polls
// outlet o (aggregator/schedule.go): min_poll_interval and
// max_poll_interval, by default a quarter of and four times the outlet's
// interval, and never excluding the interval itself.
func (c Config) PollBounds(o Outlet) (lo, hi time.Duration) {
	iv := c.Interval(o)
	lo, hi = iv/4, iv*4
	if c.MinPollInterval > 0 {
		lo = min(c.MinPollInterval, iv)
	}
	if c.MaxPollInterval > 0 {
		hi = max(c.MaxPollInterval, iv)
	}
	return lo, hi
}

// Slug returns a URL-safe, lower-case identifier for an outlet name:
// "The Moscow Times" → "the-moscow-times".
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r > 127 && (isLetter(r)):
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func isLetter(r rune) bool {
	return !strings.ContainsRune(" \t\n-_.,;:!?'\"()[]{}/\\|&+*#@%$^=~`<>–—«»“”‘’", r)
}

// databaseURLScheme matches the start of a URL: a scheme and "://".
var databaseURLScheme = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*)://`)

// checkDatabase says what is wrong with database:, "" when nothing: a
// file path (SQLite) or a postgres:// or postgresql:// URL. Another URL
// would otherwise be taken as a file name. The message never repeats a
// URL, which may hold a password.
func checkDatabase(database string) string {
	m := databaseURLScheme.FindStringSubmatch(database)
	if m == nil {
		return ""
	}
	switch m[1] {
	case "postgres", "postgresql":
		if _, err := url.Parse(database); err != nil {
			return "is not a readable postgres:// URL (want postgres://user:password@host:port/database)"
		}
		return ""
	}
	return fmt.Sprintf("must be a SQLite file path or a postgres:// or postgresql:// URL, got a %s:// URL", m[1])
}

// shortDuration writes d as a user writes it: 1m, not 1m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
