package config

import (
	"strings"
	"testing"
)

// The shipped config.yaml must load and validate.
func TestShippedConfigLoads(t *testing.T) {
	cfg, err := LoadFile("../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Outlets) < 5 {
		t.Fatalf("got %d outlets, want the seeds' four and more", len(cfg.Outlets))
	}
	// The outlets of the articles the product was conceived from
	// (../shared/seeds), at their real feed URLs.
	urls := map[string]string{}
	for _, o := range cfg.Outlets {
		urls[o.Name] = o.URL
	}
	for name, host := range map[string]string{
		"Asharq Al-Awsat":     "english.aawsat.com",
		"Iran Front Page":     "ifpnews.com",
		"The Moscow Times":    "www.themoscowtimes.com",
		"Al Mayadeen English": "english.almayadeen.net",
	} {
		if u, ok := urls[name]; !ok || !strings.HasPrefix(u, "https://"+host+"/") {
			t.Errorf("seed outlet %q: feed URL %q, want one on https://%s/", name, u, host)
		}
	}
	if _, ok := urls["The Moscow Times"]; ok && urls["The Moscow Times"] != "https://www.themoscowtimes.com/rss/news" {
		t.Errorf("The Moscow Times: %q, want the URL the issue names", urls["The Moscow Times"])
	}
	if cfg.AllowPrivateNetworks {
		t.Fatal("the default config must keep the SSRF guard on")
	}
}
