// Package fetcher downloads feeds for topicfeed: one conditional HTTP GET per
// call, within time limits, with a cap on the decompressed body, a bounded
// number of redirects and a guard that refuses to connect to private and
// reserved network addresses.
//
// The package never logs: every failure is returned as an error that names
// the URL, and the caller decides what to log and how to back off:
//
//   - *StatusError with Temporary() true (408, 425, 429, 5xx but 501/505):
//     back off exponentially, at least RetryAfter.
//   - *StatusError 410: the feed is gone; disable the outlet.
//   - other *StatusError (404, 403, 401, ...): back off; likely needs a
//     config change, so surface it to the operator.
//   - ErrTimeout, network errors: transient; back off.
//   - ErrBodyTooLarge, ErrContentEncoding: the outlet serves something
//     unusable; back off hard and surface it (retrying soon will not help).
//   - ErrPrivateAddress, ErrInvalidURL, ErrTooManyRedirects: configuration
//     or hostile-server problems; back off to the maximum and surface it.
//   - context.Canceled (the caller's own context): not the outlet's fault;
//     record nothing.
//
// A successful Response with NotModified needs no parsing; MovedTo, when
// set, is the feed's new permanent URL; FreshFor hints when to poll next.
package fetcher
