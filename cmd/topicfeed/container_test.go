package main

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/topicfeed/topicfeed/app/apptest"
	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// The image's non-root user: distroless "nonroot" is 65532; any uid
// without a home or files of its own proves the same.
const containerUID, containerGID = 65534, 65534

// containerFS lays out a directory like the image: the binary and a
// working directory owned by root, which the container user cannot write,
// and a data directory it owns.
type containerFS struct {
	root, bin, workdir, data string
}

func newContainerFS(t *testing.T) *containerFS {
	t.Helper()
	// Not t.TempDir: its parents are 0700, closed to the container user.
	root, err := os.MkdirTemp("", "topicfeed-container-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	c := &containerFS{
		root:    root,
		bin:     filepath.Join(root, "usr", "local", "bin", "topicfeed"),
		workdir: filepath.Join(root, "app"),
		data:    filepath.Join(root, "data"),
	}
	for _, d := range []string{filepath.Dir(c.bin), c.workdir, c.data} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	src, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.bin, src, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{root, filepath.Join(root, "usr"), filepath.Join(root, "usr", "local"), filepath.Dir(c.bin)} {
		os.Chmod(d, 0o755)
	}
	if err := os.Chmod(c.workdir, 0o555); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(c.data, containerUID, containerGID); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(c.data, 0o700); err != nil {
		t.Fatal(err)
	}
	return c
}

// requireRoot skips unless the test can switch to another uid; under CI
// it must be able to.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal("the container-contract test needs root to run the binary as a non-root uid (CI is set)")
	}
	t.Skip("the container-contract test needs root to run the binary as a non-root uid; skipped (not root, CI unset)")
}

func containerAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// shippedTopics returns the shipped config's topics and tags as JSON, for
// TOPICFEED_TOPICS and TOPICFEED_TAGS (values are YAML, so JSON does).
func shippedTopics(t *testing.T) (topics, tags string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	tp, err := json.Marshal(doc["topics"])
	if err != nil {
		t.Fatal(err)
	}
	tg, err := json.Marshal(doc["tags"])
	if err != nil {
		t.Fatal(err)
	}
	return string(tp), string(tg)
}

// containerEnv is the whole environment of the container: configuration
// by environment only, the config file missing.
func containerEnv(t *testing.T, c *containerFS, listen, outletURL string) []string {
	topics, tags := shippedTopics(t)
	return []string{
		"HOME=/nonexistent",
		"TOPICFEED_CONFIG=" + filepath.Join(c.workdir, "config.yaml"), // does not exist
		"TOPICFEED_LISTEN=" + listen,
		"TOPICFEED_DATABASE=" + filepath.Join(c.data, "topicfeed.db"),
		"TOPICFEED_BASE_URL=http://feeds.example.org",
		"TOPICFEED_ALLOW_PRIVATE_NETWORKS=true",
		"TOPICFEED_LOG_FORMAT=json",
		`TOPICFEED_OUTLETS=[{name: "Container Outlet", url: "` + outletURL + `"}]`,
		"TOPICFEED_TOPICS=" + topics,
		"TOPICFEED_TAGS=" + tags,
	}
}

// command runs the image's binary as the container user in the working
// directory, with env only. wrap, if set, prefixes the command (a
// namespace wrapper that drops privileges itself).
func (c *containerFS) command(env []string, wrap []string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	if len(wrap) > 0 {
		cmd = exec.Command(wrap[0], append(append(wrap[1:], c.bin), args...)...)
	} else {
		cmd = exec.Command(c.bin, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: containerUID, Gid: containerGID}}
	}
	cmd.Dir = c.workdir
	cmd.Env = env
	return cmd
}

func runContainerCmd(t *testing.T, cmd *exec.Cmd) (string, int) {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case asExitError(err, &ee):
		return out.String(), ee.ExitCode()
	}
	t.Fatalf("%s: %v", strings.Join(cmd.Args, " "), err)
	return "", 0
}

func asExitError(err error, ee **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*ee = e
	}
	return ok
}

// TestContainerContract runs the static binary as the image does: a
// non-root uid, a working directory it cannot write, only the data
// directory writable, configuration from the environment alone. It must
// serve, pass its health check, stop on SIGTERM with exit 0 within a few
// seconds and leave an intact database; the health check must fail once
// it is down or when /healthz fails.
func TestContainerContract(t *testing.T) {
	requireRoot(t)
	checkStatic(t, binary)
	outlet := httptest.NewServer(apptest.ServeFeed(apptest.OnTopicRSS("container", 5), "application/rss+xml"))
	defer outlet.Close()

	t.Run("non-root", func(t *testing.T) {
		c := newContainerFS(t)
		runContainer(t, c, containerEnv(t, c, containerAddr(t), outlet.URL+"/feed"), nil)
	})

	t.Run("read-only-root", func(t *testing.T) {
		// A real read-only root file system: a private mount namespace in
		// which / is remounted read-only and only the data directory is
		// (bind-mounted) writable; then privileges are dropped.
		for _, tool := range []string{"unshare", "setpriv", "sh"} {
			if _, err := exec.LookPath(tool); err != nil {
				t.Skipf("%s not available: %v", tool, err)
			}
		}
		c := newContainerFS(t)
		script := `set -e; mount --bind "$1" "$1"; mount -o remount,ro,bind /; shift; ` +
			fmt.Sprintf(`exec setpriv --reuid=%d --regid=%d --clear-groups "$@"`, containerUID, containerGID)
		wrap := []string{"unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", c.data}
		// Probe: even root cannot write outside the data directory there.
		probe := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c",
			`mount --bind "$1" "$1" && mount -o remount,ro,bind / && touch "$1/ok" && ! touch "$2/no" 2>/dev/null`, "sh", c.data, c.workdir)
		if out, err := probe.CombinedOutput(); err != nil {
			t.Skipf("cannot make a read-only root in a mount namespace here: %v %s", err, out)
		}
		os.Remove(filepath.Join(c.data, "ok"))
		runContainer(t, c, containerEnv(t, c, containerAddr(t), outlet.URL+"/feed"), wrap)
	})

	t.Run("sigterm-mid-fetch", func(t *testing.T) {
		// SIGTERM while a fetch hangs (a slow-drip outlet, default 30s
		// fetch timeout): the daemon must still exit 0 before the
		// container runtime's SIGKILL (docker stop waits 10s).
		drip := httptest.NewServer(slowDrip())
		defer func() {
			drip.CloseClientConnections()
			drip.Close()
		}()
		c := newContainerFS(t)
		listen := containerAddr(t)
		env := containerEnv(t, c, listen, outlet.URL+"/feed")
		for i, e := range env {
			if strings.HasPrefix(e, "TOPICFEED_OUTLETS=") {
				env[i] = `TOPICFEED_OUTLETS=[{name: "Container Outlet", url: "` + outlet.URL + `/feed"}, {name: "Dripping", url: "` + drip.URL + `/feed"}]`
			}
		}
		cmd := c.command(env, nil, "serve")
		var logBuf bytes.Buffer
		cmd.Stderr = &logBuf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		defer func() {
			if cmd.ProcessState == nil {
				cmd.Process.Kill()
				<-done
			}
		}()
		// Ready is never reached (the dripping outlet's first poll hangs);
		// wait until the healthy outlet is published.
		deadline := time.Now().Add(20 * time.Second)
		for {
			resp, err := http.Get("http://" + listen + "/feed.json")
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if strings.Contains(string(body), "container.example.org/news/0") {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("the healthy outlet was not published within 20s")
			}
			time.Sleep(100 * time.Millisecond)
		}
		start := time.Now()
		cmd.Process.Signal(syscall.SIGTERM)
		const dockerStopTimeout = 10 * time.Second
		select {
		case err := <-done:
			took := time.Since(start)
			t.Logf("stopped %v after SIGTERM with a fetch in flight", took.Round(time.Millisecond))
			if err != nil {
				t.Errorf("exit after SIGTERM: %v\n%s", err, logBuf.String())
			}
			if took > dockerStopTimeout*8/10 {
				t.Errorf("stopping took %v with a fetch in flight: too close to docker stop's %v SIGKILL", took.Round(time.Millisecond), dockerStopTimeout)
			}
		case <-time.After(2 * dockerStopTimeout):
			t.Fatalf("still running %v after SIGTERM", 2*dockerStopTimeout)
		}
		db, err := storage.Open(context.Background(), filepath.Join(c.data, "topicfeed.db"))
		if err != nil {
			t.Fatalf("reopen after SIGTERM mid-fetch: %v", err)
		}
		defer db.Close()
		if items, err := db.Items(context.Background(), news.Query{}); err != nil || len(items) != 5 {
			t.Errorf("after SIGTERM mid-fetch: %d items (%v), want 5", len(items), err)
		}
	})

	t.Run("healthz-fails", func(t *testing.T) {
		// The health check reads the listen address from the environment
		// as the image's HEALTHCHECK does, and fails on a non-200.
		sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/healthz" {
				http.NotFound(w, r)
				return
			}
			http.Error(w, "database gone", http.StatusServiceUnavailable)
		}))
		defer sick.Close()
		c := newContainerFS(t)
		out, code := runContainerCmd(t, c.command(containerEnv(t, c, sick.Listener.Addr().String(), outlet.URL+"/feed"), nil, "healthcheck"))
		if code == 0 || !strings.Contains(out, "503") {
			t.Errorf("healthcheck against a failing /healthz: exit %d, %q", code, out)
		}
	})
}

// runContainer runs one container life: serve, ready, healthy, SIGTERM,
// then checks the database and what was written where.
func runContainer(t *testing.T, c *containerFS, env []string, wrap []string) {
	t.Helper()
	var listen string
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "TOPICFEED_LISTEN="); ok {
			listen = v
		}
	}
	cmd := c.command(env, wrap, "serve")
	logs, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	var logBuf bytes.Buffer
	logDone := make(chan struct{})
	go func() {
		io.Copy(&logBuf, logs)
		close(logDone)
		done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
	})
	logText := func() string {
		select {
		case <-logDone:
		case <-time.After(2 * time.Second):
		}
		return logBuf.String()
	}

	base := "http://" + listen
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("not ready within 30s (last: %v)\n%s", err, logText())
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v\n%s", err, logText())
		case <-time.After(100 * time.Millisecond):
		}
	}

	// The image's HEALTHCHECK: the binary, no flags, same environment.
	if out, code := runContainerCmd(t, c.command(env, wrap, "healthcheck")); code != 0 || !strings.Contains(out, "healthy") {
		t.Errorf("healthcheck while serving: exit %d, %q", code, out)
	}
	resp, err := http.Get(base + "/feed.json")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "container.example.org/news/0") {
		t.Errorf("/feed.json: %s, lacks the polled items:\n%.500s", resp.Status, body)
	}

	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v, want exit 0\n%s", err, logText())
		}
		t.Logf("stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve still running 5s after SIGTERM\n%s", logText())
	}
	if l := logText(); !strings.Contains(l, `"msg":"stopped"`) {
		t.Errorf("no clean stop in the JSON log:\n%s", l)
	}
	if out, code := runContainerCmd(t, c.command(env, wrap, "healthcheck", "-timeout", "2s")); code == 0 {
		t.Errorf("healthcheck with the daemon down: exit 0, %q", out)
	}

	// Nothing was written outside the data directory; what is there
	// belongs to the container user; the WAL was checkpointed on close.
	filepath.WalkDir(c.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == c.root || p == c.bin || strings.HasPrefix(c.bin, p+string(filepath.Separator)) || p == c.workdir {
			return nil
		}
		if p == c.data {
			return nil
		}
		if !strings.HasPrefix(p, c.data+string(filepath.Separator)) {
			t.Errorf("written outside the data directory: %s", p)
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok && (st.Uid != containerUID) {
			t.Errorf("%s is owned by uid %d, want %d", p, st.Uid, containerUID)
		}
		if strings.HasSuffix(p, "-wal") && info.Size() > 0 {
			t.Errorf("%s holds %d bytes after a clean stop: not checkpointed", p, info.Size())
		}
		return nil
	})

	// The database is intact: it opens (quick_check) and holds the items.
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(c.data, "topicfeed.db"))
	if err != nil {
		t.Fatalf("reopen after SIGTERM: %v", err)
	}
	defer db.Close()
	items, err := db.Items(ctx, news.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 5 {
		t.Errorf("%d items stored, want 5", len(items))
	}
}

// checkStatic fails unless path is a statically linked ELF executable (no
// interpreter, no shared libraries), as the distroless/static image needs.
func checkStatic(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s has an ELF interpreter: not statically linked", path)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s needs shared libraries %v", path, libs)
	}
}

// dockerInstr is one Dockerfile instruction.
type dockerInstr struct {
	cmd, args string
	line      int
}

// parseDockerfile returns the instructions of a Dockerfile, continuation
// lines joined, comments dropped, grouped by stage.
func parseDockerfile(t *testing.T, data []byte) [][]dockerInstr {
	t.Helper()
	var stages [][]dockerInstr
	sc := bufio.NewScanner(bytes.NewReader(data))
	var cur strings.Builder
	start, n := 0, 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		if s, ok := strings.CutSuffix(line, `\`); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(line)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		cur.Reset()
		in := dockerInstr{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args), line: start}
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("Dockerfile:%d: %s before FROM", start, in.cmd)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
	}
	return stages
}

// execForm parses a JSON exec-form argument list (["a", "b"]).
func execForm(t *testing.T, in dockerInstr) []string {
	t.Helper()
	var v []string
	if err := json.Unmarshal([]byte(in.args), &v); err != nil {
		t.Errorf("Dockerfile:%d: %s %s: want the exec form [\"...\"] (no shell in the image): %v", in.line, in.cmd, in.args, err)
	}
	return v
}

// TestContainerDockerfile checks the Dockerfile statically (no Docker
// engine here): a multi-stage static build, a minimal non-root runtime
// with the data volume, the port and a health check through the binary.
func TestContainerDockerfile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	stages := parseDockerfile(t, data)
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a multi-stage build", len(stages))
	}
	build, final := stages[0], stages[len(stages)-1]
	from := strings.Fields(build[0].args)
	if len(from) < 3 || !strings.EqualFold(from[1], "AS") {
		t.Fatalf("Dockerfile:%d: the build stage is not named (FROM image AS name)", build[0].line)
	}
	buildName := from[2]
	checkBuilderGo(t, from[0])

	var static bool
	for _, in := range build {
		if in.cmd == "RUN" && strings.Contains(in.args, "go build") && strings.Contains(in.args, "./cmd/topicfeed") {
			static = strings.Contains(in.args, "CGO_ENABLED=0")
		}
		if in.cmd == "ENV" && strings.Contains(in.args, "CGO_ENABLED=0") {
			static = true
		}
	}
	if !static {
		t.Error("the build stage does not build ./cmd/topicfeed with CGO_ENABLED=0")
	}

	base := final[0].args
	if !strings.Contains(base, "distroless/static") && base != "scratch" {
		t.Errorf("runtime base %q: want distroless/static or scratch", base)
	}
	var (
		user, workdir, binPath        string
		volumes, exposed, entrypoint  []string
		health, cmdArgs               []string
		hasConfig, copiedFromBuild    bool
		healthInterval, healthTimeout bool
	)
	workdir = "/"
	for _, in := range final {
		switch in.cmd {
		case "USER":
			user = in.args
		case "WORKDIR":
			workdir = path.Join(workdir, in.args)
		case "VOLUME":
			if strings.HasPrefix(in.args, "[") {
				volumes = append(volumes, execForm(t, in)...)
			} else {
				volumes = append(volumes, strings.Fields(in.args)...)
			}
		case "EXPOSE":
			exposed = append(exposed, strings.Fields(in.args)...)
		case "ENTRYPOINT":
			entrypoint = execForm(t, in)
		case "CMD":
			cmdArgs = execForm(t, in)
		case "HEALTHCHECK":
			opts, rest, ok := strings.Cut(in.args, "CMD ")
			if !ok {
				t.Errorf("Dockerfile:%d: HEALTHCHECK without CMD", in.line)
				continue
			}
			healthInterval = strings.Contains(opts, "--interval=")
			healthTimeout = strings.Contains(opts, "--timeout=")
			health = execForm(t, dockerInstr{cmd: "HEALTHCHECK CMD", args: rest, line: in.line})
		case "COPY":
			f := strings.Fields(in.args)
			if len(f) >= 3 && strings.Contains(in.args, "--from="+buildName) {
				copiedFromBuild = true
				if path.Base(f[len(f)-2]) == "topicfeed" {
					binPath = f[len(f)-1]
				}
				if strings.HasSuffix(f[len(f)-2], "config.yaml") {
					hasConfig = true
				}
			}
		}
	}
	if user == "" || user == "root" || user == "0" || strings.HasPrefix(user, "root:") || strings.HasPrefix(user, "0:") {
		t.Errorf("USER %q: the runtime must not run as root", user)
	}
	if !copiedFromBuild || binPath == "" {
		t.Fatalf("the runtime stage does not COPY the binary from the %q stage", buildName)
	}
	if !contains(volumes, "/data") {
		t.Errorf("VOLUME %v lacks /data", volumes)
	}
	_, port, _ := net.SplitHostPort(config.Default().Listen)
	if !contains(exposed, port) && !contains(exposed, port+"/tcp") {
		t.Errorf("EXPOSE %v lacks the default listen port %s", exposed, port)
	}
	if len(entrypoint) == 0 || entrypoint[0] != binPath {
		t.Errorf("ENTRYPOINT %v does not run %s", entrypoint, binPath)
	}
	if len(cmdArgs) == 0 || cmdArgs[0] != "serve" {
		t.Errorf("CMD %v: want [\"serve\"]", cmdArgs)
	}
	if len(health) < 2 || health[0] != binPath || health[1] != "healthcheck" {
		t.Errorf("HEALTHCHECK CMD %v: want [%q, \"healthcheck\"] (the image has no curl)", health, binPath)
	}
	if !healthInterval || !healthTimeout {
		t.Error("HEALTHCHECK without --interval and --timeout")
	}

	// The shipped config, read from the working directory, puts the
	// database inside the volume.
	if hasConfig {
		cfg, err := config.LoadFile(filepath.Join("..", "..", "config.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		db := cfg.Database
		if !path.IsAbs(db) {
			db = path.Join(workdir, db)
		}
		inVolume := false
		for _, v := range volumes {
			if strings.HasPrefix(db, strings.TrimSuffix(v, "/")+"/") {
				inVolume = true
			}
		}
		if !inVolume {
			t.Errorf("the shipped config's database %s (from WORKDIR %s) is not in a VOLUME %v: it would land on the read-only root", db, workdir, volumes)
		}
	}

	ignore, err := os.ReadFile(filepath.Join("..", "..", ".dockerignore"))
	if err != nil {
		t.Fatalf(".dockerignore: %v", err)
	}
	lines := strings.Fields(string(ignore))
	for _, want := range []string{".git", "data", "*.db"} {
		if !contains(lines, want) {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}
}

// checkBuilderGo fails when go.mod asks for a newer Go than the build
// stage's golang image is sure to have: an image tagged 1.26 may hold any
// 1.26 release, so go.mod may ask for 1.26.0 at most (a later patch would
// make the build download a toolchain, or fail offline).
func checkBuilderGo(t *testing.T, image string) {
	t.Helper()
	name, tag, ok := strings.Cut(image, ":")
	if !ok || path.Base(name) != "golang" {
		t.Logf("build stage image %s: not the golang image, Go version not checked", image)
		return
	}
	tag, _, _ = strings.Cut(tag, "-") // 1.26-bookworm
	mod, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var want string
	for _, line := range strings.Split(string(mod), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "go" {
			want = f[1]
		}
	}
	have := strings.Split(tag, ".")
	need := strings.Split(want, ".")
	for len(have) < 3 {
		have = append(have, "0") // the oldest release the tag may hold
	}
	for len(need) < 3 {
		need = append(need, "0")
	}
	for i := range 3 {
		h, _ := strconv.Atoi(have[i])
		n, _ := strconv.Atoi(need[i])
		if n > h {
			t.Errorf("go.mod asks for go %s, but the build image %s may hold Go %s: state the minimum Go go.mod needs", want, image, strings.Join(have, "."))
			return
		}
		if n < h {
			return
		}
	}
}
