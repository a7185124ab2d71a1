package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/mmcdole/gofeed"
)

// parseReport is the throughput of gofeed alone on every outlet's current
// document: the baseline topicfeed's ingest rate is judged against.
type parseReport struct {
	Documents    int     `json:"documents"`
	Items        int     `json:"items"`
	Bytes        int64   `json:"bytes"`
	Workers      int     `json:"workers"`
	Seconds      float64 `json:"seconds"`
	ItemsPerSec  float64 `json:"items_per_sec"`
	MBPerSec     float64 `json:"mb_per_sec"`
	Seconds1     float64 `json:"seconds_1_worker"`
	ItemsPerSec1 float64 `json:"items_per_sec_1_worker"`
}

// writeReport writes a report as indented JSON, as scripts/bench reads it.
func writeReport(w io.Writer, report any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(report)
}

// parseOnly renders every outlet's current document (each in its own
// format, byte for byte what serve sends), then times
// gofeed.NewParser().Parse over all of them, with workers goroutines and
// with one.
func parseOnly(sim *Sim, workers int) (parseReport, error) {
	n := sim.opts.Outlets
	docs := make([][]byte, n)
	var total int64
	for i := range docs {
		b, _, _, err := sim.Document(i, Format(i))
		if err != nil {
			return parseReport{}, err
		}
		docs[i] = b
		total += int64(len(b))
	}
	r := parseReport{Documents: n, Bytes: total, Workers: max(1, workers)}
	items, secs, err := parseAll(docs, r.Workers)
	if err != nil {
		return r, err
	}
	r.Items, r.Seconds = items, secs
	r.ItemsPerSec = float64(items) / secs
	r.MBPerSec = float64(total) / secs / 1e6
	if r.Workers > 1 {
		_, r.Seconds1, err = parseAll(docs, 1)
	} else {
		r.Seconds1 = secs
	}
	r.ItemsPerSec1 = float64(items) / r.Seconds1
	return r, err
}

func parseAll(docs [][]byte, workers int) (items int, seconds float64, err error) {
	next := make(chan int)
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f, err := gofeed.NewParser().Parse(bytes.NewReader(docs[i]))
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("parse outlet %d: %w", i, err))
				} else {
					items += len(f.Items)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range docs {
		next <- i
	}
	close(next)
	wg.Wait()
	seconds = time.Since(start).Seconds()
	if len(errs) > 0 {
		return items, seconds, errs[0]
	}
	return items, seconds, nil
}
