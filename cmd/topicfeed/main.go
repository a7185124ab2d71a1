// Command topicfeed polls news outlets' feeds, cleans, deduplicates and tags
// their items, and republishes the ones on topic as one merged feed.
//
//	topicfeed [-config FILE] serve|poll|export|check ...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // outlets' time zones, also where the system has no zoneinfo

	"github.com/topicfeed/topicfeed/app"
	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/storage"
)

// usageError marks command-line mistakes (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "topicfeed:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

const usage = `usage: topicfeed [-config FILE] [-cpuprofile FILE] [-memprofile FILE] [-blockprofile FILE] [-mutexprofile FILE] [-trace FILE] [-version] COMMAND [flags]

commands:
  serve        run the daemon: poll outlets on schedule and serve the merged feed
  poll         poll every outlet once (-due: only those due), store, and exit
  export       write the merged feed to stdout (-format atom|rss|json, -limit N, -tag T, -per story|item)
  check        validate the configuration and print what would be polled
  explain      read items as JSON Lines on stdin, print each tagging decision and its evidence (-format text|json)
  inspect      fetch or read one feed and print what topicfeed parses from it (-normalized: after cleaning)
  retag        re-evaluate every stored item against the current topic rules
  outlets      print every outlet's health from the database
  backup FILE  write a consistent copy of the database, also while the daemon runs
  opml import FILE   add the feeds of an OPML subscription list to the configuration
  healthcheck  exit 0 when the running daemon's /healthz answers 200

The config file defaults to config.yaml, or $TOPICFEED_CONFIG. Every command takes -h.
`

// run parses the global flags and runs one command.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	global := flag.NewFlagSet("topicfeed", flag.ContinueOnError)
	global.SetOutput(stderr)
	global.Usage = func() { fmt.Fprint(stderr, usage) }
	configPath := global.String("config", envOr("TOPICFEED_CONFIG", "config.yaml"), "configuration `file`")
	cpuProfile := global.String("cpuprofile", "", "write a CPU profile of the command to `file`")
	memProfile := global.String("memprofile", "", "write a heap profile to `file` when the command ends")
	blockProfile := global.String("blockprofile", "", "write where goroutines waited (block profile) to `file` when the command ends")
	traceFile := global.String("trace", "", "write an execution trace of the command to `file`")
	mutexProfile := global.String("mutexprofile", "", "write which locks goroutines waited for to `file` when the command ends")
	version := global.Bool("version", false, "print the version and exit")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err.Error()}
	}
	if *version {
		_, err := fmt.Fprintln(stdout, app.Version())
		return err
	}
	rest := global.Args()
	if len(rest) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given"}
	}
	stopProfiles, err := startProfiles(profiles{cpu: *cpuProfile, mem: *memProfile, block: *blockProfile, mutex: *mutexProfile, trace: *traceFile})
	if err != nil {
		return err
	}
	c := &cli{configPath: *configPath, stdin: stdin, stdout: stdout, stderr: stderr}
	err = c.command(ctx, rest[0], rest[1:])
	if errors.Is(err, flag.ErrHelp) {
		err = nil // the command's usage, asked for, is printed
	}
	return errors.Join(err, stopProfiles())
}

// command runs the command cmd with its arguments.
func (c *cli) command(ctx context.Context, cmd string, cmdArgs []string) error {
	switch cmd {
	case "serve":
		return c.serve(ctx, cmdArgs)
	case "poll":
		return c.poll(ctx, cmdArgs)
	case "export":
		return c.export(ctx, cmdArgs)
	case "check":
		return c.check(ctx, cmdArgs)
	case "healthcheck":
		return c.healthcheck(ctx, cmdArgs)
	case "explain":
		return c.explain(ctx, cmdArgs)
	case "inspect":
		return c.inspect(ctx, cmdArgs)
	case "retag":
		return c.retag(ctx, cmdArgs)
	case "backup":
		return c.backup(ctx, cmdArgs)
	case "outlets":
		return c.outletsTable(ctx, cmdArgs)
	case "opml":
		return c.opml(ctx, cmdArgs)
	case "help", "-h", "--help":
		fmt.Fprint(c.stdout, usage)
		return nil
	}
	fmt.Fprint(c.stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}

// cli is one invocation of the command line: what every command needs,
// where its configuration is and its standard streams.
type cli struct {
	configPath string
	stdin      io.Reader
	stdout     io.Writer
	stderr     io.Writer
}

// flags returns a FlagSet for a command, whose usage starts with
// synopsis (its arguments after the flags); -config is accepted after the
// command name too.
func (c *cli) flags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("topicfeed "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.StringVar(&c.configPath, "config", c.configPath, "configuration `file`")
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "usage: topicfeed %s [flags] %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// loadConfig loads the configuration the command names.
func (c *cli) loadConfig() (config.Config, error) { return app.LoadConfig(c.configPath) }

// openApp loads the configuration and opens its pipeline, logging to
// stderr.
func (c *cli) openApp(ctx context.Context, opts app.Options) (*app.App, error) {
	cfg, err := c.loadConfig()
	if err != nil {
		return nil, err
	}
	log := app.NewLogger(c.stderr, cfg.Log)
	warnUnknownEnv(log)
	return app.Open(ctx, c.configPath, cfg, log, opts)
}

// warnUnknownEnv logs each TOPICFEED_ variable that sets no configuration
// key (check makes them an error).
func warnUnknownEnv(log *slog.Logger) {
	for _, e := range config.UnknownEnv(os.Environ()) {
		log.Warn("ignoring an environment variable", "variable", strings.TrimPrefix(e.Source, "$"), "reason", e.Msg)
	}
}

// openStore loads the configuration and opens its database alone, for
// commands that need no pipeline.
func (c *cli) openStore(ctx context.Context) (config.Config, *storage.DB, error) {
	cfg, err := c.loadConfig()
	if err != nil {
		return config.Config{}, nil, err
	}
	log := app.NewLogger(c.stderr, cfg.Log)
	warnUnknownEnv(log)
	db, err := app.OpenStore(ctx, cfg, log)
	if err != nil {
		return config.Config{}, nil, err
	}
	return cfg, db, nil
}

// parseFlags parses a command's flags, also where they follow its
// arguments (`opml import subs.opml -dry-run`; after "--" all are
// arguments), and returns the arguments, which must be want in number.
// -h returns flag.ErrHelp once the usage is printed: run exits 0.
func parseFlags(fs *flag.FlagSet, args []string, want int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	if len(pos) != want {
		fs.Usage()
		if len(pos) > want {
			return nil, usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), pos[want])}
		}
		return nil, usageError{fmt.Sprintf("%s: missing argument", fs.Name())}
	}
	return pos, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
