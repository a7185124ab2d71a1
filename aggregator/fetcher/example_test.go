package fetcher_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
)

// A poll stores the validators of each full response and sends them back:
// the next poll of an unchanged feed is a 304 that needs no parsing.
func ExampleFetcher_Fetch() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<rss version="2.0"><channel><title>t</title></channel></rss>`)
	}))
	defer srv.Close()

	// AllowPrivateNetworks only because the example server is on loopback.
	f := fetcher.New(fetcher.Options{Timeout: 5 * time.Second, AllowPrivateNetworks: true})
	ctx := context.Background()

	first, err := f.Fetch(ctx, fetcher.Request{URL: srv.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(first.StatusCode, len(first.Body), first.ETag)

	second, err := f.Fetch(ctx, fetcher.Request{URL: srv.URL, ETag: first.ETag, LastModified: first.LastModified})
	var se *fetcher.StatusError
	switch {
	case errors.As(err, &se):
		fmt.Println("status", se.StatusCode, "retry after", se.RetryAfter)
	case err != nil:
		fmt.Println(err)
	default:
		fmt.Println(second.StatusCode, second.NotModified, len(second.Body))
	}
	// Output:
	// 200 60 "v1"
	// 304 true 0
}
