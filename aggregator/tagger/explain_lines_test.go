package tagger

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
)

func TestExplainLines(t *testing.T) {
	tg := newTestTagger(t)
	in := strings.Join([]string{
		`{"title":"Iran sends drones to Russia","text":"Tehran denies it.","url":"https://a.example/1","outlet":"A"}`,
		``,
		`{"title":"Iran holds talks","content":"<p>Iran met negotiators.</p>"}`,
		`{"title":"Kyiv & Moscow","text":"Russia and Ukraine traded strikes."}`,
	}, "\n")
	var out strings.Builder
	stripped := 0
	toText := func(html string) string {
		stripped++
		return strings.NewReplacer("<p>", "", "</p>", "").Replace(html)
	}
	if err := tg.ExplainLines(strings.NewReader(in), &out, toText); err != nil {
		t.Fatal(err)
	}
	if stripped != 1 {
		t.Errorf("toText called %d times, want once (for the item without text)", stripped)
	}
	if strings.Contains(out.String(), `\u0026`) {
		t.Errorf("output escapes HTML characters: %s", out.String())
	}
	want := []struct {
		title, url string
		onTopic    bool
	}{
		{"Iran sends drones to Russia", "https://a.example/1", true},
		{"Iran holds talks", "", false},
		{"Kyiv & Moscow", "", true},
	}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	i := 0
	for ; sc.Scan(); i++ {
		var got ItemExplanation
		if err := json.Unmarshal(sc.Bytes(), &got); err != nil {
			t.Fatalf("output line %d: %v", i+1, err)
		}
		if i >= len(want) {
			t.Fatalf("extra output line %s", sc.Text())
		}
		if got.Title != want[i].title || got.URL != want[i].url || got.OnTopic != want[i].onTopic {
			t.Errorf("line %d: got %q %q on_topic %v, want %+v", i+1, got.Title, got.URL, got.OnTopic, want[i])
		}
		if len(got.TopicDetails) != 1 || got.TopicDetails[0].Reason == "" {
			t.Errorf("line %d: topic details %+v lack a reason", i+1, got.TopicDetails)
		}
	}
	if i != len(want) {
		t.Errorf("got %d output lines, want %d", i, len(want))
	}
}

func TestExplainLinesMalformed(t *testing.T) {
	tg := newTestTagger(t)
	var out strings.Builder
	err := tg.ExplainLines(strings.NewReader("{\"title\":\"ok\"}\n{not json}\n"), &out, nil)
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("error %v, want one naming line 2", err)
	}
	if strings.Count(out.String(), "\n") != 1 {
		t.Errorf("want the first item explained before the error, got %q", out.String())
	}
}
