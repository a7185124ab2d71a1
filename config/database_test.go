package config

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateDatabase(t *testing.T) {
	for _, c := range []struct {
		database string
		wantErr  string // "" for none; else the whole error
	}{
		{"data/topicfeed.db", ""},
		{"/var/lib/topicfeed/topicfeed.db", ""},
		{"postgres://tf:secret@db:5432/topicfeed?sslmode=disable", ""},
		{"postgresql://tf@db/topicfeed", ""},
		{"mysql://tf:secret@db/topicfeed", "database: must be a SQLite file path or a postgres:// or postgresql:// URL, got a mysql:// URL"},
		{"sqlite:///var/lib/topicfeed.db", "database: must be a SQLite file path or a postgres:// or postgresql:// URL, got a sqlite:// URL"},
		{"http://example.org/db", "database: must be a SQLite file path or a postgres:// or postgresql:// URL, got a http:// URL"},
		{"postgres://tf:secret@db:port/x", "database: is not a readable postgres:// URL (want postgres://user:password@host:port/database)"},
		{"  ", "database: must name the SQLite database file or be a postgres:// URL"},
	} {
		t.Run(c.database, func(t *testing.T) {
			cfg := Default()
			cfg.Database = c.database
			// the default configuration has no outlets or topics: only
			// database's errors count here
			var es Errors
			if err := cfg.Validate(); err != nil && !errors.As(err, &es) {
				t.Fatalf("Validate() = %v, want Errors", err)
			}
			var msgs []string
			for _, e := range es {
				if e.Field == "database" {
					msgs = append(msgs, e.Error())
				}
			}
			got := strings.Join(msgs, "\n")
			if got != c.wantErr {
				t.Errorf("Validate() = %q, want %q", got, c.wantErr)
			}
			if strings.Contains(got, "secret") {
				t.Errorf("error shows the password: %s", got)
			}
		})
	}
}
