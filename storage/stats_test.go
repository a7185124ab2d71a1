package storage

import (
	"context"
	"maps"
	"strings"
	"testing"
)

func TestStats(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		db := seedQueryFixture(t)
		want := Stats{Items: 5, OnTopic: 3, Stories: 4, // t3 and t4 share story-x
			ByTopic: map[string]int{"ir": 2, "ua": 1}, ByTag: map[string]int{"drones": 2, "sanctions": 2}}
		check := func(want Stats) {
			t.Helper()
			got, err := db.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got.Items != want.Items || got.OnTopic != want.OnTopic || got.Stories != want.Stories ||
				!maps.Equal(got.ByTopic, want.ByTopic) || !maps.Equal(got.ByTag, want.ByTag) {
				t.Errorf("Stats\n got %+v\nwant %+v", got, want)
			}
		}
		check(want)

		got, _ := db.Stats(ctx)
		got.ByTag["drones"] = 99 // the caller's copy
		check(want)

		// A change is seen at once.
		mustSave(t, db, "B", tagged(item("B", "new", "https://b.example/new", "new", day(9)), true, []string{"ua"}, "drones"))
		want.Items, want.OnTopic, want.Stories = 6, 4, 5
		want.ByTopic = map[string]int{"ir": 2, "ua": 2}
		want.ByTag = map[string]int{"drones": 3, "sanctions": 2}
		check(want)
	})
}

func TestStatsPlans(t *testing.T) {
	db := seedQueryFixture(t)
	for _, q := range []string{
		`SELECT count(*) FROM items`,
		`SELECT count(*) FROM items WHERE on_topic = 1`,
		`SELECT count(DISTINCT story_id) FROM items`,
	} {
		rows, err := db.r.Query(`EXPLAIN QUERY PLAN ` + q)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, "COVERING INDEX") {
			t.Errorf("%s reads the items table:\n%s", q, text)
		}
	}
}
