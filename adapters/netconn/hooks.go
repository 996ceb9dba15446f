package netconn

import (
	"crypto/tls"
	"crypto/x509"
	"runtime"
	"sync"
	"weak"
)

// Hooks are the crypto/tls callbacks that have no place in
// [machine.Config]; the adapter runs them around the machine. Attach them
// to a Config with [WithHooks] ([FromTLSConfig] does it for a *tls.Config's
// callbacks). Each runs as its crypto/tls namesake does.
type Hooks struct {
	// GetConfigForClient (server) is called with the client's hello before
	// the handshake; a non-nil Config it returns (with its own hooks, if
	// any) replaces the listener's for this connection. An error aborts
	// the handshake.
	GetConfigForClient func(*tls.ClientHelloInfo) (*Config, error)
	// GetCertificate (server) picks the certificate from the client's
	// hello, after GetConfigForClient. A nil certificate with a nil error
	// falls back to Config.Certificates. An error aborts the handshake
	// (the machine, left without a certificate, sends handshake_failure
	// where crypto/tls sends internal_error).
	GetCertificate func(*tls.ClientHelloInfo) (*tls.Certificate, error)
	// VerifyPeerCertificate is called after the default verification (or
	// instead of it with InsecureSkipVerify, then with nil chains) with the
	// peer's raw chain and the verified chains. An error aborts the
	// handshake with bad_certificate (or the alert of a *machine.AlertError).
	VerifyPeerCertificate func(rawCerts [][]byte, verifiedChains [][]*x509.Certificate) error
	// VerifyConnection is called with the connection's state once the peer
	// is authenticated: before our Finished when the peer sent
	// certificates, else (resumption, a server not asking for a client
	// certificate) when the handshake completes; in that case a failure
	// sends a fatal bad_certificate after the completed handshake, as
	// crypto/tls does.
	VerifyConnection func(tls.ConnectionState) error
}

func (h *Hooks) needsHello() bool {
	return h != nil && (h.GetConfigForClient != nil || h.GetCertificate != nil)
}

// hooksByConfig maps a Config made by WithHooks (weakly) to its hooks.
var hooksByConfig sync.Map // weak.Pointer[Config] -> *Hooks

// WithHooks returns a copy of cfg (nil: an empty Config) carrying h: the
// netconn functions given the returned pointer run h. The hooks stay with
// that pointer only; a copy of the Config made elsewhere does not carry
// them ([CloneConfig] does).
func WithHooks(cfg *Config, h Hooks) *Config {
	c := new(Config)
	if cfg != nil {
		*c = *cfg
	}
	key := weak.Make(c)
	hooksByConfig.Store(key, &h)
	runtime.AddCleanup(c, func(k weak.Pointer[Config]) { hooksByConfig.Delete(k) }, key)
	return c
}

// HooksOf returns the hooks attached to cfg by WithHooks, or nil.
func HooksOf(cfg *Config) *Hooks {
	if cfg == nil {
		return nil
	}
	if h, ok := hooksByConfig.Load(weak.Make(cfg)); ok {
		return h.(*Hooks)
	}
	return nil
}

// CloneConfig returns a copy of cfg that carries cfg's hooks, if any.
func CloneConfig(cfg *Config) *Config {
	if h := HooksOf(cfg); h != nil {
		return WithHooks(cfg, *h)
	}
	c := new(Config)
	if cfg != nil {
		*c = *cfg
	}
	return c
}
