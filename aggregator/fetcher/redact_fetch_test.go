package fetcher_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
)

// TestErrorsRedactSecrets: a feed URL's credentials (password, token query
// parameters) never appear in fetch errors, which are logged and shown on
// the public outlets page.
func TestErrorsRedactSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/gone?token=s3cret-two", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	f := fetcher.New(fetcher.Options{Timeout: 5 * time.Second, AllowPrivateNetworks: true})
	for _, u := range []string{
		srv.URL + "/feed?api_key=s3cret-one",
		strings.Replace(srv.URL, "http://", "http://reader:s3cret-pw@", 1) + "/feed",
		srv.URL + "/moved?token=s3cret-one",
		closed + "/feed?token=s3cret-one",
		"ftp://reader:s3cret-pw@example.org/feed?token=s3cret-one",
	} {
		_, err := f.Fetch(context.Background(), fetcher.Request{URL: u})
		if err == nil {
			t.Fatalf("%s: no error", u)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("the error shows a secret: %v", err)
		}
		if !strings.Contains(err.Error(), "xxxxx") {
			t.Errorf("the error does not show where the secret was redacted: %v", err)
		}
	}
}
