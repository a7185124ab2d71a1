package fetcher

import (
	"reflect"
	"testing"
	"time"
)

func TestOptionsDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   Options
		want Options
	}{
		{
			name: "zero value",
			want: Options{UserAgent: DefaultUserAgent, Timeout: 30 * time.Second, DialTimeout: 10 * time.Second,
				TLSHandshakeTimeout: 10 * time.Second, ResponseHeaderTimeout: 20 * time.Second,
				MaxBodyBytes: 10 << 20, MaxRedirects: 5},
		},
		{
			name: "short timeout bounds the others",
			in:   Options{Timeout: 2 * time.Second, MaxRedirects: -1, MaxBodyBytes: 1 << 62},
			want: Options{UserAgent: DefaultUserAgent, Timeout: 2 * time.Second, DialTimeout: 2 * time.Second,
				TLSHandshakeTimeout: 2 * time.Second, ResponseHeaderTimeout: 2 * time.Second,
				MaxBodyBytes: maxBodyLimit, MaxRedirects: 0},
		},
		{
			name: "explicit values kept",
			in: Options{UserAgent: "ua", Timeout: time.Minute, DialTimeout: time.Second, TLSHandshakeTimeout: 3 * time.Second,
				ResponseHeaderTimeout: 4 * time.Second, MaxBodyBytes: 1234, MaxRedirects: 2, AllowPrivateNetworks: true},
			want: Options{UserAgent: "ua", Timeout: time.Minute, DialTimeout: time.Second, TLSHandshakeTimeout: 3 * time.Second,
				ResponseHeaderTimeout: 4 * time.Second, MaxBodyBytes: 1234, MaxRedirects: 2, AllowPrivateNetworks: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.withDefaults()
			if got.Now == nil {
				t.Error("Now is nil")
			}
			got.Now = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("withDefaults() =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}
