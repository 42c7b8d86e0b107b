package auth

import (
	"net/http/httptest"
	"testing"
)

func TestClientAddr(t *testing.T) {
	s := &Store{}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.1.2.3:5555"
	r.Header.Set("X-Forwarded-For", "1.1.1.1, 192.168.0.9")
	if got := s.ClientAddr(r); got != "10.1.2.3" {
		t.Errorf("untrusted proxy: %q, want the peer", got)
	}
	s.TrustProxy = true
	if got := s.ClientAddr(r); got != "192.168.0.9" {
		t.Errorf("trusted proxy: %q, want the address the proxy appended", got)
	}
	r.Header.Set("X-Forwarded-For", "not an address")
	if got := s.ClientAddr(r); got != "10.1.2.3" {
		t.Errorf("garbage X-Forwarded-For: %q", got)
	}
}
