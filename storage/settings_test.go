package storage

import (
	"context"
	"testing"
)

func TestSettings(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		path := newDatabase(t)
		db := openAt(t, path, newTestClock())
		if v, err := db.Setting(ctx, "rules"); err != nil || v != "" {
			t.Fatalf("unset setting: %q, %v", v, err)
		}
		for _, v := range []string{"a1", "b2"} {
			if err := db.SetSetting(ctx, "rules", v); err != nil {
				t.Fatal(err)
			}
			if got, err := db.Setting(ctx, "rules"); err != nil || got != v {
				t.Errorf("Setting = %q, %v; want %q", got, err, v)
			}
		}
		db.Close()
		db = openAt(t, path, newTestClock())
		if got, err := db.Setting(ctx, "rules"); err != nil || got != "b2" {
			t.Errorf("after reopening: %q, %v", got, err)
		}
	})
}
