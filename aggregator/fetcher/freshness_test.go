package fetcher_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
)

func TestFreshFor(t *testing.T) {
	fetched := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	httpDate := func(t time.Time) string { return t.UTC().Format(http.TimeFormat) }
	skewed := fetched.Add(-4 * time.Hour) // a server clock 4h behind ours
	tests := []struct {
		name   string
		header http.Header
		after  time.Duration // now = fetched + after
		want   time.Duration
	}{
		{name: "no caching headers", header: http.Header{}, want: 0},
		{name: "max-age", header: http.Header{"Cache-Control": {"public, max-age=300"}}, want: 5 * time.Minute},
		{name: "max-age upper case", header: http.Header{"Cache-Control": {"MAX-AGE=600"}}, want: 10 * time.Minute},
		{name: "max-age quoted", header: http.Header{"Cache-Control": {`max-age="600"`}}, want: 10 * time.Minute},
		{name: "max-age in a second header line", header: http.Header{"Cache-Control": {"public", "max-age=600"}}, want: 10 * time.Minute},
		{name: "max-age minus age header", header: http.Header{"Cache-Control": {"max-age=300"}, "Age": {"100"}}, want: 200 * time.Second},
		{name: "max-age minus time since fetch", header: http.Header{"Cache-Control": {"max-age=300"}}, after: time.Minute, want: 4 * time.Minute},
		{name: "max-age already used up", header: http.Header{"Cache-Control": {"max-age=300"}, "Age": {"400"}}, want: 0},
		{name: "max-age zero", header: http.Header{"Cache-Control": {"max-age=0"}}, want: 0},
		{name: "max-age invalid", header: http.Header{"Cache-Control": {"max-age=ten"}}, want: 0},
		{name: "max-age repeated", header: http.Header{"Cache-Control": {"max-age=300, max-age=600"}}, want: 0},
		{name: "max-age absurd is bounded", header: http.Header{"Cache-Control": {"max-age=999999999999999999999"}}, want: (1<<31 - 1) * time.Second},
		{name: "no-cache", header: http.Header{"Cache-Control": {"no-cache, max-age=300"}}, want: 0},
		{name: "no-store", header: http.Header{"Cache-Control": {"no-store"}, "Expires": {httpDate(fetched.Add(time.Hour))}}, want: 0},
		{name: "qualified no-cache", header: http.Header{"Cache-Control": {`no-cache="Set-Cookie", max-age=300`}}, want: 5 * time.Minute},
		{name: "expires relative to date", header: http.Header{"Date": {httpDate(skewed)}, "Expires": {httpDate(skewed.Add(time.Hour))}}, want: time.Hour},
		{name: "expires with an absurd date", header: http.Header{"Date": {"Thu, 01 Jan 1970 00:00:00 GMT"}, "Expires": {httpDate(fetched.Add(time.Hour))}}, want: time.Hour},
		{name: "expires without date", header: http.Header{"Expires": {httpDate(fetched.Add(30 * time.Minute))}}, want: 30 * time.Minute},
		{name: "expires minus age", header: http.Header{"Date": {httpDate(fetched)}, "Expires": {httpDate(fetched.Add(time.Hour))}, "Age": {"600"}}, want: 50 * time.Minute},
		{name: "expires in the past", header: http.Header{"Date": {httpDate(fetched)}, "Expires": {httpDate(fetched.Add(-time.Hour))}}, want: 0},
		{name: "expires invalid", header: http.Header{"Expires": {"0"}}, want: 0},
		{name: "max-age wins over expires", header: http.Header{"Cache-Control": {"max-age=60"}, "Date": {httpDate(fetched)}, "Expires": {httpDate(fetched.Add(time.Hour))}}, want: time.Minute},
		{name: "garbage age ignored", header: http.Header{"Cache-Control": {"max-age=300"}, "Age": {"-5"}}, want: 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &fetcher.Response{Header: tt.header, Fetched: fetched}
			if got := r.FreshFor(fetched.Add(tt.after)); got != tt.want {
				t.Errorf("FreshFor = %s, want %s", got, tt.want)
			}
		})
	}
	t.Run("nil response", func(t *testing.T) {
		var r *fetcher.Response
		if got := r.FreshFor(fetched); got != 0 {
			t.Errorf("FreshFor = %s, want 0", got)
		}
	})
}

func TestFreshForFromServer(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=1800")
		_, _ = w.Write([]byte(sampleRSS))
	}))
	f := loopbackFetcher(t, fetcher.Options{Now: func() time.Time { return now }})
	resp, err := f.Fetch(t.Context(), fetcher.Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Fetched.Equal(now) {
		t.Errorf("Fetched = %s, want the clock's %s", resp.Fetched, now)
	}
	if got := resp.FreshFor(now.Add(10 * time.Minute)); got != 20*time.Minute {
		t.Errorf("FreshFor 10m after = %s, want 20m", got)
	}
}
