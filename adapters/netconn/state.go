package netconn

import (
	"crypto/tls"
	"errors"

	"github.com/sanstls/sanstls/machine"
)

// ConnectionState returns the negotiated parameters in crypto/tls's form,
// so that code written for a *tls.Conn (net/http's Request.TLS and
// Response.TLS, middleware checking PeerCertificates, ...) works unchanged.
// Before the handshake completes it describes what is known so far.
//
// The ExportKeyingMaterial method of the returned value must not be used:
// crypto/tls keeps the function it calls unexported, so it is unset here and
// the method would panic. Call [Conn.ExportKeyingMaterial] instead.
//
// [Conn.MachineState] returns the machine's own, richer description
// (key exchange group, signature scheme, renegotiations, extended master
// secret).
func (c *Conn) ConnectionState() tls.ConnectionState {
	return tlsState(c.MachineState())
}

// MachineState returns the machine's description of the connection.
func (c *Conn) MachineState() machine.ConnectionState {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		return machine.ConnectionState{}
	}
	return c.m.State()
}

// tlsState converts the machine's state to crypto/tls's. Slices are shared,
// as crypto/tls shares them between calls.
func tlsState(s machine.ConnectionState) tls.ConnectionState {
	return tls.ConnectionState{
		Version:                     s.Version,
		HandshakeComplete:           s.HandshakeComplete,
		DidResume:                   s.DidResume,
		CipherSuite:                 s.CipherSuite,
		CurveID:                     tls.CurveID(s.Group),
		NegotiatedProtocol:          s.NegotiatedProtocol,
		NegotiatedProtocolIsMutual:  true,
		ServerName:                  s.ServerName,
		PeerCertificates:            s.PeerCertificates,
		VerifiedChains:              s.VerifiedChains,
		OCSPResponse:                s.OCSPResponse,
		SignedCertificateTimestamps: s.SignedCertificateTimestamps,
		TLSUnique:                   s.TLSUnique,
	}
}

// VerifyHostname checks that the peer certificate chain is valid for
// connecting to host, as crypto/tls's VerifyHostname: only on a client,
// after a handshake that verified the chain.
func (c *Conn) VerifyHostname(host string) error {
	if !c.isClient {
		return errors.New("sanstls/netconn: VerifyHostname called on a server connection")
	}
	st := c.MachineState()
	if !st.HandshakeComplete {
		return errors.New("sanstls/netconn: handshake has not yet been performed")
	}
	if len(st.VerifiedChains) == 0 {
		return errors.New("sanstls/netconn: handshake did not verify the certificate chain")
	}
	return st.PeerCertificates[0].VerifyHostname(host)
}

// OCSPResponse returns the stapled OCSP response from the server, if any
// (client connections only), as crypto/tls's OCSPResponse.
func (c *Conn) OCSPResponse() []byte {
	return c.MachineState().OCSPResponse
}
