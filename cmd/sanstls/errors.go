package main

// Connection failures as the user reads them: the alert sent or received,
// the machine's reason, and the flag to use when one of our own policies
// refused the peer.

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// policyHints suggests, per machine failure reason (machine.ReasonOf), what
// to change when the refusal came from a policy the user can relax or a
// setting the user can extend.
var policyHints = map[string]string{
	"missing_ems":          "-allow-no-ems to accept",
	"no_shared_suite":      "enable more suites with -suites (for example -suites ALL; see `sanstls list`)",
	"no_shared_group":      "enable more groups with -groups (X25519, P-256, P-384, ffdhe2048, ...)",
	"no_shared_sig_alg":    "enable more signature schemes with -sigalgs (see `sanstls list`)",
	"no_certificate_curve": "add a certificate (-cert/-key) on a curve the client offers, or an RSA one",
	"no_certificate":       "add a certificate (-cert/-key) that fits the suites and the server name",
	"client_cert_required": "the client must present a certificate (client: -cert and -key)",
	"no_alpn":              "list a protocol the peer supports with -alpn",
	"verify":               "trust the issuing CA with -cafile (server: -client-ca), or -insecure to skip verification",
	"weak_dh":              "the server's Diffie-Hellman group is under 2048 bits; use an ECDHE suite (-suites)",
	"missing_ri":           "the peer lacks secure renegotiation (RFC 5746), which sanstls always requires",
}

// remoteHints explain alerts received from the peer, whose reason only the
// peer knows.
var remoteHints = map[machine.Alert]string{
	messages.AlertHandshakeFailure:      "the peer refused the handshake: compare -suites, -groups and -sigalgs with what it supports",
	messages.AlertProtocolVersion:       "the peer does not speak TLS 1.2",
	messages.AlertInsufficientSecurity:  "the peer found no strong enough suite or group in our offer",
	messages.AlertNoRenegotiation:       "the peer refused to renegotiate",
	messages.AlertNoApplicationProtocol: "the peer wants an ALPN protocol we did not offer (-alpn)",
}

// explain adds to a connection failure the alert behind it, the reason and
// a hint; the result wraps err.
func explain(err error) error {
	var ae *machine.AlertError
	if errors.As(err, &ae) {
		if ae.Remote {
			if h := remoteHints[ae.Alert]; h != "" {
				return fmt.Errorf("%w (received fatal alert %s; %s)", err, ae.Alert, h)
			}
			return fmt.Errorf("%w (received fatal alert %s)", err, ae.Alert)
		}
		reason := ae.Reason
		if reason == "" {
			reason = machine.ReasonOf(err)
		}
		if h := policyHints[reason]; h != "" {
			return fmt.Errorf("%w (sent fatal alert %s, reason %s; %s)", err, ae.Alert, reason, h)
		}
		return fmt.Errorf("%w (sent fatal alert %s, reason %s)", err, ae.Alert, reason)
	}
	if errors.Is(err, machine.ErrTruncated) {
		return fmt.Errorf("%w (the peer closed the connection without close_notify)", err)
	}
	return err
}

// errProbe reports a connection that ended before a ClientHello arrived: a
// port probe or a client that changed its mind. The server counts these
// and does not log them as failures.
var errProbe = errors.New("connection closed before a ClientHello")

// isConnectionEnd reports whether a transport error means the peer went
// away (EOF, reset, broken pipe), rather than a local failure.
func isConnectionEnd(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed)
}
