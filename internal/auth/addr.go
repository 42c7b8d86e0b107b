package auth

import (
	"net"
	"net/http"
	"strings"
)

// ClientAddr returns the source address of r for throttling and the audit
// log: the peer of the connection, or, when the Store trusts a proxy in
// front of it (--trust-proxy), the last address that proxy appended to
// X-Forwarded-For. Earlier entries are the client's to invent, so they are
// never used.
func (s *Store) ClientAddr(r *http.Request) string {
	if s.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
