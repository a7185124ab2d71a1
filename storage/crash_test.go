package storage

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

const crashEnv = "TOPICFEED_STORAGE_CRASH_DB"

// crashBatch is batch r of the crash test's feed: 20 items of outlet A;
// its items 0–4 are also carried (same URL) by outlet B.
func crashBatch(outlet string, r int) []news.Item {
	var items []news.Item
	for i := range 20 {
		if outlet == "B" && i >= 5 {
			break
		}
		n := r*20 + i
		it := item(outlet, fmt.Sprintf("%s-%d", outlet, n), fmt.Sprintf("https://a.example/%d", n), fmt.Sprintf("Item %d", n), day(n%60))
		items = append(items, tagged(it, n%3 == 0, []string{"ir"}, "drones"))
	}
	return items
}

// TestCrashChild is the process TestKillDuringIngest kills: it re-polls
// every batch from the start (as a restarted daemon would) and then goes
// on with new ones, printing each batch it has committed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("helper process for TestKillDuringIngest")
	}
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	if err := db.SyncOutlets(ctx, testOutlets("A", "B")); err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	for r := 0; ; r++ {
		for _, o := range []string{"A", "B"} {
			st, err := db.OutletState(ctx, o)
			if err == nil {
				// A's validators go with its items; B's also in a
				// state saved alone (a 304), written behind.
				st.ETag = fmt.Sprintf("%s-%d", o, r)
				_, err = db.SaveFetch(ctx, st, crashBatch(o, r))
			}
			if err == nil && o == "B" {
				st.ETag = fmt.Sprintf("B-304-%d", r)
				err = db.SaveOutletState(ctx, st)
			}
			if err != nil {
				fmt.Println("error", err)
				os.Exit(2)
			}
			fmt.Printf("committed %s %d\n", o, r)
		}
	}
}

// TestKillDuringIngest kills a process with SIGKILL while it ingests,
// several times over, and checks after each kill that the database opens
// (on SQLite after quick_check; on PostgreSQL the server rolls the killed
// node's transaction back and frees its write lock) and holds every
// committed batch exactly once.
func TestKillDuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	eachEngine(t, testKillDuringIngest)
}

func testKillDuringIngest(t *testing.T) {
	path := newDatabase(t)
	maxA := -1 // the highest batch of A known committed
	for round := range 4 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Let it get past the batches already stored, then kill it at a
		// moment that varies from round to round.
		target := maxA + 2 + round*3
		sc := bufio.NewScanner(out)
		lastA := -1
		killed := false
		deadline := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
		// After the kill, the lines still in the pipe tell how far the
		// child really got.
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "error") {
				t.Fatalf("child: %s", line)
			}
			if n, ok := strings.CutPrefix(line, "committed A "); ok {
				lastA, _ = strconv.Atoi(n)
				if lastA >= target && !killed {
					if err := cmd.Process.Kill(); err != nil {
						t.Fatal(err)
					}
					killed = true
				}
			}
		}
		deadline.Stop()
		_ = cmd.Wait()
		if lastA < target {
			t.Fatalf("round %d: child stopped at batch %d before reaching %d", round, lastA, target)
		}
		maxA = lastA

		db, err := Open(context.Background(), path) // runs quick_check
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		items := countRows(t, db, "items")
		// Batches 0..lastA of A are committed; lastA+1 may be too.
		if items != (lastA+1)*20 && items != (lastA+2)*20 {
			t.Errorf("round %d: %d items after a kill at batch %d: want %d or %d", round, items, lastA, (lastA+1)*20, (lastA+2)*20)
		}
		if items == (lastA+2)*20 {
			maxA = lastA + 1
		}
		// The state written with the items is never lost; a state
		// saved alone may be (written behind), leaving an earlier one.
		if got, want := mustState(t, db, "A").ETag, fmt.Sprintf("A-%d", maxA); got != want {
			t.Errorf("round %d: A's stored ETag %q, want %q (its last stored batch's)", round, got, want)
		}
		if got := mustState(t, db, "B").ETag; !strings.HasPrefix(got, "B-") {
			t.Errorf("round %d: B's stored ETag %q, want one it saved", round, got)
		}
		var dupGUIDs, dupURLs, fk int
		for q, dst := range map[string]*int{
			`SELECT count(*) FROM (SELECT 1 FROM sources GROUP BY outlet_id, guid HAVING count(*) > 1) AS d`: &dupGUIDs,
			`SELECT count(*) FROM (SELECT 1 FROM items GROUP BY url HAVING count(*) > 1) AS d`:               &dupURLs,
			fkCheckSQL(db): &fk,
		} {
			if err := db.r.QueryRow(q).Scan(dst); err != nil {
				t.Fatal(err)
			}
		}
		if dupGUIDs+dupURLs+fk != 0 {
			t.Errorf("round %d: %d duplicate sources, %d duplicate urls, %d foreign key violations", round, dupGUIDs, dupURLs, fk)
		}
		for _, name := range []string{"A", "B"} {
			st := mustState(t, db, name)
			var n int
			if err := db.r.QueryRow(`SELECT count(*) FROM item_outlets x JOIN outlets o ON o.id = x.outlet_id WHERE o.name = ?`, name).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if st.ItemCount != n {
				t.Errorf("round %d: outlet %s item count %d, index rows %d", round, name, st.ItemCount, n)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: killed after batch %d; %d items stored", round, lastA, items)
	}
}

// fkCheckSQL counts the rows that break a foreign key: SQLite's check;
// PostgreSQL enforces foreign keys at every write (0).
func fkCheckSQL(db *DB) string {
	if db.eng == enginePostgres {
		return `SELECT 0`
	}
	return `SELECT count(*) FROM pragma_foreign_key_check`
}
