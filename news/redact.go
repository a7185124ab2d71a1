package news

import (
	"net/url"
	"strings"
)

// secretParams are query parameters that carry credentials in feed URLs
// (API keys, tokens, signatures); RedactURL hides their values.
var secretParams = []string{"key", "apikey", "api_key", "token", "access_token", "auth", "secret", "password",
	"passwd", "pass", "pwd", "sig", "signature", "session", "sid", "client_secret"}

// RedactURL returns rawURL fit for logs and public status pages: the password
// of its user information and the values of query parameters that carry
// credentials (token, key, signature, ...) are replaced with "xxxxx". A URL
// that does not parse is returned without its query and user information.
func RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		s, _, _ := strings.Cut(rawURL, "?")
		if at := strings.LastIndex(s, "@"); at >= 0 {
			if scheme := strings.Index(s, "://"); scheme >= 0 && scheme < at {
				s = s[:scheme+3] + s[at+1:]
			}
		}
		return s
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		changed := false
		for i, p := range parts {
			name, _, hasValue := strings.Cut(p, "=")
			if n, err := url.QueryUnescape(name); err == nil && hasValue && isSecretParam(n) {
				parts[i] = name + "=xxxxx"
				changed = true
			}
		}
		if changed {
			u.RawQuery = strings.Join(parts, "&")
		}
	}
	return u.Redacted()
}

func isSecretParam(name string) bool {
	name = strings.ToLower(name)
	for _, s := range secretParams {
		if name == s || strings.HasSuffix(name, "_"+s) || strings.HasSuffix(name, "-"+s) {
			return true
		}
	}
	return false
}
