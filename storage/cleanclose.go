package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"
)

// Start-up integrity check policy.
//
// PRAGMA quick_check reads every page of the file: on a database of a few
// gigabytes that is a large part of a command's first seconds, and every
// command (serve, poll, export, …) would pay it on every start. What it
// guards against is damage the process did not cause through SQLite: a
// crash or power loss mid-write on a file system that breaks SQLite's
// assumptions, a disk error, or another program writing into the file.
// None of that can happen while the file sits untouched between a clean
// Close and the next Open. So:
//
//   - Close, when it was the last connection (SQLite checkpointed the WAL
//     into the file and removed the WAL), moves the file's modification
//     time one second back and records the file's size and modification
//     time in a small side file, path + "-clean".
//   - Open reads and removes that record before SQLite opens the file. It
//     skips quick_check only if the record matches the file exactly and no
//     WAL with content is left beside it. Any write to the file since the
//     clean Close gives it a modification time at or after that Close,
//     never the recorded one (moved back by a second, which also covers
//     file systems that keep whole seconds), so the file is checked.
//   - Everything else runs the full check: after a crash or kill (the WAL
//     is left and the record was removed at start), a first open, a file
//     copied or restored from elsewhere, a record from another file, or a
//     database another process has open (its WAL exists; one process
//     cannot tell a live writer from a crashed one).
//
// The guarantees of the crash tests are kept: a killed process leaves no
// record, so the next start checks the whole file, as before.

// cleanMarkPath is the side file that records a clean Close.
func cleanMarkPath(dbPath string) string { return dbPath + "-clean" }

// fileMark identifies one state of the database file.
type fileMark struct {
	size, mtime int64 // bytes, Unix nanoseconds
}

func (m fileMark) String() string {
	return fmt.Sprintf("topicfeed-clean 1 %d %d", m.size, m.mtime)
}

func parseMark(s string) (fileMark, bool) {
	f := strings.Fields(s)
	if len(f) != 4 || f[0] != "topicfeed-clean" || f[1] != "1" {
		return fileMark{}, false
	}
	size, err1 := strconv.ParseInt(f[2], 10, 64)
	mtime, err2 := strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil {
		return fileMark{}, false
	}
	return fileMark{size: size, mtime: mtime}, true
}

func markOf(fi fs.FileInfo) fileMark {
	return fileMark{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
}

// takeCleanMark reports whether the database file at path is as a clean
// Close left it, and removes the record of that Close either way: from
// now on, only this process's own clean Close can vouch for the file.
func takeCleanMark(path string) (bool, error) {
	mark := cleanMarkPath(path)
	b, err := os.ReadFile(mark)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read clean-close record: %w", err)
	}
	if err := os.Remove(mark); err != nil {
		return false, fmt.Errorf("remove clean-close record: %w", err)
	}
	want, ok := parseMark(string(b))
	if !ok {
		return false, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return false, nil // no file, or none we can read: Open will say
	}
	if markOf(fi) != want {
		return false, nil
	}
	if wal, err := os.Stat(path + "-wal"); err == nil && wal.Size() > 0 {
		return false, nil
	}
	return true, nil
}

// putCleanMark records a clean Close of the database at path. It does
// nothing when a WAL with content is left (another process still has the
// database open, or the last checkpoint did not complete).
func putCleanMark(path string) error {
	if wal, err := os.Stat(path + "-wal"); err == nil && wal.Size() > 0 {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("record clean close: %w", err)
	}
	// A second back: any later write sets a modification time no earlier
	// than now, which then differs from the recorded one.
	mtime := fi.ModTime().Add(-time.Second)
	if err := os.Chtimes(path, time.Time{}, mtime); err != nil {
		return fmt.Errorf("record clean close: %w", err)
	}
	if fi, err = os.Stat(path); err != nil {
		return fmt.Errorf("record clean close: %w", err)
	}
	if err := os.WriteFile(cleanMarkPath(path), []byte(markOf(fi).String()+"\n"), 0o640); err != nil {
		return fmt.Errorf("record clean close: %w", err)
	}
	return nil
}
