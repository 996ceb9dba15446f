package netconn

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"

	"github.com/sanstls/sanstls/machine"
)

// A server whose hooks read the client's hello (GetConfigForClient,
// GetCertificate) reads the ClientHello before it creates its machine:
// the records stay in the receive buffer, unconsumed, and the machine
// then processes them as if it had read them itself. The adapter parses
// only what ClientHelloInfo reports; anything it cannot parse is left for
// the machine to reject with the right alert.

// RFC 5246, Section 6.2.1 and 7.4: record and handshake types.
const (
	recordTypeHandshake = 22
	typeClientHello     = 1
)

var (
	errHelloTooLarge = errors.New("sanstls/netconn: ClientHello larger than the receive buffer; GetConfigForClient and GetCertificate need it whole")
	errNotSigner     = errors.New("sanstls/netconn: certificate private key is not a crypto.Signer")
)

// peekClientHello looks for a whole ClientHello at the start of buf, made
// of handshake records. It returns the message body when complete; need is
// the number of bytes known to be missing otherwise (at least 1). bad
// reports that buf does not start as a ClientHello should: the machine
// will say why. It copies only once the message is complete.
func peekClientHello(buf []byte) (body []byte, need int, bad bool) {
	var hdr [4]byte
	got := 0 // handshake bytes seen
	for b := buf; ; {
		if len(b) < 5 {
			return nil, 5 - len(b), false
		}
		if b[0] != recordTypeHandshake {
			return nil, 0, true
		}
		n := int(b[3])<<8 | int(b[4])
		if len(b) < 5+n {
			return nil, 5 + n - len(b), false
		}
		for i := 0; i < n && got+i < len(hdr); i++ {
			hdr[got+i] = b[5+i]
		}
		got += n
		b = b[5+n:]
		if got < len(hdr) {
			continue
		}
		if hdr[0] != typeClientHello {
			return nil, 0, true
		}
		total := len(hdr) + (int(hdr[1])<<16 | int(hdr[2])<<8 | int(hdr[3]))
		if got < total {
			continue
		}
		msg := make([]byte, 0, total)
		for r := buf; len(msg) < total; {
			n := int(r[3])<<8 | int(r[4])
			msg = append(msg, r[5:5+min(n, total-len(msg))]...)
			r = r[5+n:]
		}
		return msg[len(hdr):], 0, false
	}
}

// parseHelloInfo fills a ClientHelloInfo from a ClientHello body (RFC 5246,
// Section 7.4.1.2, and the extensions of RFC 6066, 7301, 8422, 8446).
func parseHelloInfo(body []byte) (*tls.ClientHelloInfo, bool) {
	s := cryptobyte.String(body)
	var version uint16
	var random, sessionID, suites, compression []byte
	if !s.ReadUint16(&version) || !s.ReadBytes(&random, 32) ||
		!s.ReadUint8LengthPrefixed((*cryptobyte.String)(&sessionID)) ||
		!s.ReadUint16LengthPrefixed((*cryptobyte.String)(&suites)) ||
		!s.ReadUint8LengthPrefixed((*cryptobyte.String)(&compression)) {
		return nil, false
	}
	info := &tls.ClientHelloInfo{}
	for i := 0; i+1 < len(suites); i += 2 {
		info.CipherSuites = append(info.CipherSuites, uint16(suites[i])<<8|uint16(suites[i+1]))
	}
	if version >= tls.VersionTLS12 {
		info.SupportedVersions = []uint16{tls.VersionTLS12}
	}
	if s.Empty() {
		return info, true
	}
	var exts cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&exts) || !s.Empty() {
		return nil, false
	}
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			return nil, false
		}
		info.Extensions = append(info.Extensions, typ)
		switch typ {
		case 0: // server_name, RFC 6066, Section 3
			var list cryptobyte.String
			if !data.ReadUint16LengthPrefixed(&list) {
				return nil, false
			}
			for !list.Empty() {
				var nameType uint8
				var name []byte
				if !list.ReadUint8(&nameType) || !list.ReadUint16LengthPrefixed((*cryptobyte.String)(&name)) {
					return nil, false
				}
				if nameType == 0 {
					info.ServerName = string(name)
				}
			}
		case 10: // supported_groups, RFC 8422, Section 5.1.1
			var list cryptobyte.String
			if !data.ReadUint16LengthPrefixed(&list) {
				return nil, false
			}
			for !list.Empty() {
				var g uint16
				if !list.ReadUint16(&g) {
					return nil, false
				}
				info.SupportedCurves = append(info.SupportedCurves, tls.CurveID(g))
			}
		case 11: // ec_point_formats, RFC 8422, Section 5.1.2
			var list []byte
			if !data.ReadUint8LengthPrefixed((*cryptobyte.String)(&list)) {
				return nil, false
			}
			info.SupportedPoints = list
		case 13: // signature_algorithms, RFC 5246, Section 7.4.1.4.1
			var list cryptobyte.String
			if !data.ReadUint16LengthPrefixed(&list) {
				return nil, false
			}
			for !list.Empty() {
				var sc uint16
				if !list.ReadUint16(&sc) {
					return nil, false
				}
				info.SignatureSchemes = append(info.SignatureSchemes, tls.SignatureScheme(sc))
			}
		case 16: // ALPN, RFC 7301, Section 3.1
			var list cryptobyte.String
			if !data.ReadUint16LengthPrefixed(&list) {
				return nil, false
			}
			for !list.Empty() {
				var p []byte
				if !list.ReadUint8LengthPrefixed((*cryptobyte.String)(&p)) {
					return nil, false
				}
				info.SupportedProtos = append(info.SupportedProtos, string(p))
			}
		case 43: // supported_versions, RFC 8446, Section 4.2.1
			var list cryptobyte.String
			if !data.ReadUint8LengthPrefixed(&list) {
				return nil, false
			}
			info.SupportedVersions = nil
			for !list.Empty() {
				var v uint16
				if !list.ReadUint16(&v) {
					return nil, false
				}
				info.SupportedVersions = append(info.SupportedVersions, v)
			}
		}
	}
	return info, true
}

// serverFromHello reads the ClientHello, runs GetConfigForClient and
// GetCertificate, and makes the machine. It runs with hsMu, rdMu and wrMu
// held. A hook's failure leaves the machine without a certificate, so it
// fails the handshake with its alert; the hook's error is reported.
func (c *Conn) serverFromHello() error {
	var body []byte
	for {
		var need int
		var bad bool
		body, need, bad = peekClientHello(c.rbuf[c.rstart:c.rend])
		if body != nil || bad {
			break
		}
		want := c.rend - c.rstart + need
		if want > recvBufLen {
			return errHelloTooLarge
		}
		// Look again only once the missing bytes are in: a peer sending
		// a byte at a time does not make the peek run per byte.
		for c.rend-c.rstart < want {
			c.need = want - (c.rend - c.rstart)
			if err := c.fill(); err != nil {
				return err
			}
		}
	}
	var info *tls.ClientHelloInfo
	if body != nil {
		info, _ = parseHelloInfo(body)
	}
	if info != nil {
		info.Conn = c.conn
		if err := c.applyHelloHooks(info); err != nil {
			c.helloErr = err
			cc := *c.cfg
			cc.Certificates = nil
			c.cfg = &cc
		}
	}
	return c.makeMachine()
}

func (c *Conn) applyHelloHooks(info *tls.ClientHelloInfo) error {
	if h := c.hooks.GetConfigForClient; h != nil {
		nc, err := h(info)
		if err != nil {
			return fmt.Errorf("sanstls/netconn: GetConfigForClient: %w", err)
		}
		if nc != nil {
			pc, err := prepareServer(nc)
			if err != nil {
				return err
			}
			c.cfg, c.hooks = pc, HooksOf(nc)
			if c.hooks != nil && (c.hooks.VerifyPeerCertificate != nil || c.hooks.VerifyConnection != nil) {
				c.cfg.DeferVerify = true // pc is this Conn's own copy
			}
		}
	}
	if c.hooks == nil || c.hooks.GetCertificate == nil {
		return nil
	}
	tc, err := c.hooks.GetCertificate(info)
	if err != nil {
		return fmt.Errorf("sanstls/netconn: GetCertificate: %w", err)
	}
	if tc == nil {
		return nil
	}
	mc, err := certFromTLS(tc)
	if err != nil {
		return err
	}
	cc := *c.cfg
	cc.Certificates = []machine.Certificate{mc}
	c.cfg = &cc
	return nil
}

// certFromTLS converts a crypto/tls certificate.
func certFromTLS(tc *tls.Certificate) (machine.Certificate, error) {
	signer, ok := tc.PrivateKey.(crypto.Signer)
	if !ok {
		return machine.Certificate{}, errNotSigner
	}
	mc := machine.Certificate{
		Chain: tc.Certificate, PrivateKey: signer, Leaf: tc.Leaf,
		OCSPStaple: tc.OCSPStaple, SignedCertificateTimestamps: tc.SignedCertificateTimestamps,
	}
	if mc.Leaf == nil && len(tc.Certificate) > 0 {
		leaf, err := x509.ParseCertificate(tc.Certificate[0])
		if err != nil {
			return machine.Certificate{}, err
		}
		mc.Leaf = leaf
	}
	for _, s := range tc.SupportedSignatureAlgorithms {
		mc.SignatureSchemes = append(mc.SignatureSchemes, machine.SignatureScheme(s))
	}
	return mc, nil
}
