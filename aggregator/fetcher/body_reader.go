package fetcher

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxCodings bounds the layers of Content-Encoding undone on one body.
const maxCodings = 2

// wireLimit is the cap on compressed bytes read for a decompressed cap of
// max: compressed feeds are far smaller than their content, and even stored
// (incompressible) deflate blocks add only a few bytes per 64 KiB.
func wireLimit(max int64) int64 { return max + max/16 + 64<<10 }

// readBody reads resp's body, undoing its Content-Encoding, and fails with
// ErrBodyTooLarge as soon as the decoded body passes max bytes or the bytes
// on the wire pass wireLimit(max). It never holds more than max+1 decoded
// bytes. It also returns the number of (encoded) body bytes read.
func readBody(resp *http.Response, max int64) (body []byte, wireBytes int64, err error) {
	coding := resp.Header.Get("Content-Encoding")
	if resp.ContentLength > wireLimit(max) || (resp.ContentLength > max && isIdentity(coding)) {
		return nil, 0, fmt.Errorf("%w: content-length %d exceeds the %d byte limit", ErrBodyTooLarge, resp.ContentLength, max)
	}
	wire := &cappedReader{r: resp.Body, n: wireLimit(max), limit: wireLimit(max)}
	read := func() int64 { return wire.limit - wire.n }
	r, err := decoder(wire, coding)
	if err != nil {
		return nil, read(), err
	}
	hint := int64(0)
	if isIdentity(coding) && resp.ContentLength > 0 {
		hint = resp.ContentLength
	}
	body, err = readCapped(r, max, hint)
	if err != nil {
		if isCorrupt(err) {
			return nil, read(), fmt.Errorf("%w: %w", ErrContentEncoding, err)
		}
		return nil, read(), err
	}
	return body, read(), nil
}

func isIdentity(coding string) bool {
	c := strings.ToLower(strings.TrimSpace(coding))
	return c == "" || c == "identity"
}

// isCorrupt reports whether err says compressed data is malformed (as
// opposed to the connection failing).
func isCorrupt(err error) bool {
	var ce flate.CorruptInputError
	return errors.As(err, &ce) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) ||
		errors.Is(err, zlib.ErrHeader) || errors.Is(err, zlib.ErrChecksum) || errors.Is(err, zlib.ErrDictionary)
}

// decoder returns a reader of r's decoded bytes for the Content-Encoding
// header value coding (codings listed in the order they were applied).
// When no coding is declared but the body starts with the gzip magic
// number (a .gz file served as is), it is gunzipped: no feed format starts
// with those bytes.
func decoder(r io.Reader, coding string) (io.Reader, error) {
	var codings []string
	for c := range strings.SplitSeq(coding, ",") {
		c = strings.ToLower(strings.TrimSpace(c))
		if c != "" && c != "identity" {
			codings = append(codings, c)
		}
	}
	if len(codings) > maxCodings {
		return nil, fmt.Errorf("%w: %d content codings (%s), at most %d", ErrContentEncoding, len(codings), coding, maxCodings)
	}
	if len(codings) == 0 {
		br := bufio.NewReader(r)
		if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
			codings = []string{"gzip"}
		}
		r = br
	}
	for i := len(codings) - 1; i >= 0; i-- {
		switch codings[i] {
		case "gzip", "x-gzip":
			zr, err := gzip.NewReader(r)
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = io.ErrUnexpectedEOF
				}
				return nil, fmt.Errorf("%w: gzip: %w", ErrContentEncoding, err)
			}
			r = zr
		case "deflate":
			r = deflateReader(r)
		default:
			return nil, fmt.Errorf("%w: unsupported content encoding %q", ErrContentEncoding, codings[i])
		}
	}
	return r, nil
}

// deflateReader decodes HTTP "deflate", which is zlib-wrapped by the
// standard but raw deflate from some servers: it tells them apart by the
// zlib header check.
func deflateReader(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if h, _ := br.Peek(2); len(h) == 2 && h[0]&0x0f == 8 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
		return &lazyZlib{r: br}
	}
	return flate.NewReader(br)
}

// lazyZlib opens a zlib reader on first Read, so header errors surface from
// Read like every other decoding error.
type lazyZlib struct {
	r  io.Reader
	zr io.Reader
}

func (z *lazyZlib) Read(p []byte) (int, error) {
	if z.zr == nil {
		zr, err := zlib.NewReader(z.r)
		if err != nil {
			return 0, err
		}
		z.zr = zr
	}
	return z.zr.Read(p)
}

// cappedReader reads at most n bytes from r, then fails with
// ErrBodyTooLarge instead of returning EOF.
type cappedReader struct {
	r     io.Reader
	n     int64 // bytes left
	limit int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, fmt.Errorf("%w: compressed body exceeds the %d byte limit", ErrBodyTooLarge, c.limit)
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	return n, err
}

// readCapped reads r to EOF into one slice, failing with ErrBodyTooLarge
// once more than max bytes arrive; it never reads more than max+1 bytes.
// hint, when positive, is the expected size.
func readCapped(r io.Reader, max, hint int64) ([]byte, error) {
	size := int64(32 << 10)
	if hint > 0 {
		size = hint + 1
	}
	buf := make([]byte, 0, min(size, max+1))
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		end := min(int64(cap(buf)), max+1)
		n, err := r.Read(buf[len(buf):end])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > max {
			return nil, fmt.Errorf("%w: decoded body exceeds the %d byte limit", ErrBodyTooLarge, max)
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
