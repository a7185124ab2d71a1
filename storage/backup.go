package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to path while the
// database stays in use (VACUUM INTO on a connection of its own: the writer
// goes on, the copy is the snapshot at its start). It refuses to overwrite an
// existing file. The copy is written under a temporary name, synced, and
// then linked into place, so path never holds a partial backup.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.eng == enginePostgres {
		return ErrBackupPostgres
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if _, err := os.Lstat(abs); err == nil {
		return fmt.Errorf("backup to %s: %w", path, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	dir := filepath.Dir(abs)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	// VACUUM INTO accepts an existing empty file; creating it here gives
	// a unique name that no one else writes.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(abs)+".*.tmp")
	if err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(tmpName)
		}
	}()

	if err := db.vacuumInto(ctx, tmpName); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := syncFile(tmpName); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := publish(tmpName, abs); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	done = true
	if err := syncFile(dir); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// vacuumInto copies the database into the empty file dst on a connection
// of its own: a WAL reader, so the writer goes on meanwhile.
func (db *DB) vacuumInto(ctx context.Context, dst string) error {
	c, err := sql.Open("sqlite", dsn(db.path, connBackup))
	if err != nil {
		return fmt.Errorf("open backup connection: %w", err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return fmt.Errorf("vacuum into: %w", err)
	}
	return c.Close()
}

// publish moves the finished file tmp to dst unless dst exists. A hard
// link fails if dst appeared meanwhile, where a rename would replace it;
// on file systems without hard links it falls back to a checked rename.
// ErrBackupPostgres is Backup's error on PostgreSQL, whose own tools back
// a database up while it runs.
var ErrBackupPostgres = errors.New("topicfeed backs up SQLite files only; back a PostgreSQL database up with pg_dump (e.g. pg_dump -Fc -f topicfeed.dump DATABASE_URL)")

func publish(tmp, dst string) error {
	err := os.Link(tmp, dst)
	switch {
	case err == nil:
		return os.Remove(tmp)
	case errors.Is(err, fs.ErrExist):
		return err
	}
	if _, serr := os.Lstat(dst); serr == nil {
		return fs.ErrExist
	}
	return os.Rename(tmp, dst)
}

func syncFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", name, err)
	}
	return f.Close()
}
