package storage

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/topicfeed/topicfeed/news"
)

// TestStartupCheckPolicy checks when Open runs quick_check: only a file
// left untouched since a clean Close skips it.
func TestStartupCheckPolicy(t *testing.T) {
	ctx := context.Background()
	// prepared returns a database file closed cleanly with some items.
	prepared := func(t *testing.T) string {
		t.Helper()
		path := filepath.Join(t.TempDir(), "topicfeed.db")
		db, err := Open(ctx, path, WithClock(newTestClock().Now))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SyncOutlets(ctx, testOutlets("A")); err != nil {
			t.Fatal(err)
		}
		var batch []news.Item
		for i := range 50 {
			batch = append(batch, item("A", "g"+itoa(i), "https://a.example/"+itoa(i), "Title "+itoa(i), day(i)))
		}
		mustSave(t, db, "A", batch...)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, c := range []struct {
		name      string
		change    func(t *testing.T, path string)
		wantCheck bool
	}{
		{"untouched since a clean close", func(*testing.T, string) {}, false},
		{"first open", func(t *testing.T, path string) {
			for _, p := range []string{path, cleanMarkPath(path)} {
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
			}
		}, true},
		{"no record of a clean close", func(t *testing.T, path string) {
			if err := os.Remove(cleanMarkPath(path)); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"same bytes written again after the close", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			page := make([]byte, 4096)
			if _, err := f.ReadAt(page, 4096); err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteAt(page, 4096); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"a WAL left beside the file", func(t *testing.T, path string) {
			if err := os.WriteFile(path+"-wal", make([]byte, 100), 0o600); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"a record of another state", func(t *testing.T, path string) {
			if err := os.WriteFile(cleanMarkPath(path), []byte(fileMark{size: 4096, mtime: 1}.String()), 0o600); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"an unreadable record", func(t *testing.T, path string) {
			if err := os.WriteFile(cleanMarkPath(path), []byte("clean"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"another file copied over it", func(t *testing.T, path string) {
			other := prepared(t)
			copyFile(t, other, path)
		}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := prepared(t)
			c.change(t, path)
			db, checked := openAtChecked(t, path, newTestClock())
			if checked != c.wantCheck {
				t.Errorf("Open ran quick_check: %v, want %v", checked, c.wantCheck)
			}
			if _, err := os.Stat(cleanMarkPath(path)); err == nil {
				t.Errorf("the clean-close record outlives Open: a crash from now on would skip the next check")
			}
			want := 50
			if c.name == "first open" {
				want = 0
			}
			if n := len(mustItems(t, db, news.Query{})); n != want {
				t.Errorf("%d items after reopening, want %d", n, want)
			}
		})
	}
}

// TestCleanCloseRecord checks that only the last Close of a database
// records a clean close, and that a process that did not close (killed)
// leaves none.
func TestCleanCloseRecord(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "topicfeed.db")
	exists := func() bool {
		_, err := os.Stat(cleanMarkPath(path))
		return err == nil
	}
	first, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.SyncOutlets(ctx, testOutlets("A")); err != nil {
		t.Fatal(err)
	}
	second, checked, err := openNoting(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if !checked {
		t.Errorf("a second Open while the first is open skipped quick_check")
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if exists() {
		t.Errorf("a Close while another connection is open recorded a clean close")
	}

	// A killed process's files: a copy taken while it runs.
	killed := filepath.Join(t.TempDir(), "killed.db")
	mustSave(t, first, "A", item("A", "g", "https://a.example/g", "G", day(1)))
	copyFile(t, path, killed)
	copyFile(t, path+"-wal", killed+"-wal")
	if _, checked := openAtChecked(t, killed, newTestClock()); !checked {
		t.Errorf("Open after a kill skipped quick_check")
	}

	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if !exists() {
		t.Errorf("the last Close recorded no clean close")
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
