package fetcher

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// guardControl is a net.Dialer ControlContext: it runs after name
// resolution, on the address actually being connected, and refuses
// non-public ones. Checking here rather than on the URL's host catches DNS
// names that resolve (or re-resolve) to internal addresses and redirects to
// them.
func guardControl(_ context.Context, network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrPrivateAddress, address, err)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %s is not an ip address", ErrPrivateAddress, host)
	}
	if reason := nonPublic(ip); reason != "" {
		return fmt.Errorf("%w: %s is %s", ErrPrivateAddress, ip, reason)
	}
	return nil
}

// Special-purpose ranges that netip's predicates do not cover (RFC 6890 and
// the IANA special-purpose registries).
var (
	v4Reserved = []struct {
		p      netip.Prefix
		reason string
	}{
		{netip.MustParsePrefix("0.0.0.0/8"), "in \"this network\" (0.0.0.0/8)"},
		{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade nat shared space"},
		{netip.MustParsePrefix("192.0.0.0/24"), "ietf protocol space"},
		{netip.MustParsePrefix("192.0.2.0/24"), "documentation space"},
		{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking space"},
		{netip.MustParsePrefix("198.51.100.0/24"), "documentation space"},
		{netip.MustParsePrefix("203.0.113.0/24"), "documentation space"},
		{netip.MustParsePrefix("240.0.0.0/4"), "reserved or broadcast"},
	}
	v6Reserved = []struct {
		p      netip.Prefix
		reason string
	}{
		{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use nat64"},
		{netip.MustParsePrefix("100::/64"), "discard-only"},
		{netip.MustParsePrefix("2001:db8::/32"), "documentation space"},
		{netip.MustParsePrefix("fec0::/10"), "site-local"},
	}
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
	teredo    = netip.MustParsePrefix("2001::/32")
	v4Compat  = netip.MustParsePrefix("::/96")
)

// nonPublic says why ip must not be dialled, or "" when it may.
func nonPublic(ip netip.Addr) string {
	ip = ip.WithZone("").Unmap()
	switch {
	case !ip.IsValid():
		return "invalid"
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate():
		return "private"
	case ip.IsLinkLocalUnicast():
		return "link-local"
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	}
	if ip.Is4() {
		for _, r := range v4Reserved {
			if r.p.Contains(ip) {
				return r.reason
			}
		}
		return ""
	}
	for _, r := range v6Reserved {
		if r.p.Contains(ip) {
			return r.reason
		}
	}
	// IPv6 addresses that embed an IPv4 address reach it: judge that one.
	b := ip.As16()
	var embedded netip.Addr
	switch {
	case nat64.Contains(ip), v4Compat.Contains(ip):
		embedded = netip.AddrFrom4([4]byte(b[12:16]))
	case sixToFour.Contains(ip):
		embedded = netip.AddrFrom4([4]byte(b[2:6]))
	case teredo.Contains(ip):
		embedded = netip.AddrFrom4([4]byte{b[12] ^ 0xff, b[13] ^ 0xff, b[14] ^ 0xff, b[15] ^ 0xff})
	}
	if embedded.IsValid() {
		if reason := nonPublic(embedded); reason != "" {
			return "an ipv6 address embedding " + embedded.String() + ", " + reason
		}
	}
	return ""
}
