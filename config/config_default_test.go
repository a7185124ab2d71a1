package config

import "testing"

// The shipped config.yaml must load and validate.
func TestShippedConfigLoads(t *testing.T) {
	cfg, err := LoadFile("../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Outlets) < 5 {
		t.Fatalf("got %d outlets, want the seeds' four and more", len(cfg.Outlets))
	}
	if cfg.AllowPrivateNetworks {
		t.Fatal("the default config must keep the SSRF guard on")
	}
}
