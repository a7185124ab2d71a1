package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Middleware counts the requests h serves by route, format and status.
//
// The series of each route, format and status are looked up in the vectors
// once and kept: a request then costs one map read and two atomic updates,
// not client_golang's label validation, hashing and locked lookup twice.
// The keys are as bounded as the labels (Route's classes, the statuses).
func (m *Metrics) Middleware(h http.Handler) http.Handler {
	var series sync.Map // httpKey → *httpSeries
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		route, format := Route(r.URL.Path)
		k := httpKey{route: route, format: format, status: rec.status}
		v, ok := series.Load(k)
		if !ok {
			v, _ = series.LoadOrStore(k, &httpSeries{
				requests: m.requests.WithLabelValues(route, format, strconv.Itoa(rec.status)),
				seconds:  m.reqSeconds.WithLabelValues(route),
			})
		}
		s := v.(*httpSeries)
		s.requests.Inc()
		s.seconds.Observe(time.Since(start).Seconds())
	})
}

// httpKey names the series of one kind of answer.
type httpKey struct {
	route, format string
	status        int
}

// httpSeries are the resolved series an answer of one httpKey updates.
type httpSeries struct {
	requests prometheus.Counter
	seconds  prometheus.Observer
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
