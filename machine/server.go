package machine

// The server side of the full TLS 1.2 handshake (RFC 5246, Section 7.3):
//
//	Client                                    Server
//	ClientHello            -------->                       serverExpectClientHello
//	                                       ServerHello
//	                                       Certificate
//	                                CertificateStatus*
//	                                 ServerKeyExchange
//	                               CertificateRequest*
//	                       <--------   ServerHelloDone
//	Certificate*                                           serverExpectClientCertificate
//	ClientKeyExchange                                      serverExpectClientKeyExchange
//	CertificateVerify*                                     serverExpectCertificateVerify
//	[ChangeCipherSpec]                                     serverExpectCCS
//	Finished               -------->                       serverExpectFinished
//	                                [ChangeCipherSpec]
//	                       <--------          Finished
//	Application Data       <------->  Application Data

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/sanstls/sanstls/keys"
	"github.com/sanstls/sanstls/messages"
)

// What each server state accepts (see handshakeState.accepts). Before the
// client's ChangeCipherSpec no handshake message is legal.
var (
	serverAcceptsClientHello       = hts(messages.HandshakeTypeClientHello)
	serverAcceptsCertificate       = hts(messages.HandshakeTypeCertificate)
	serverAcceptsClientKeyExchange = hts(messages.HandshakeTypeClientKeyExchange)
	serverAcceptsCertificateVerify = hts(messages.HandshakeTypeCertificateVerify)
	serverAcceptsBeforeCCS         []messages.HandshakeType
	serverAcceptsFinished          = hts(messages.HandshakeTypeFinished)
)

// serverHandshake holds what the server learns during one handshake.
type serverHandshake struct {
	hello       *messages.ClientHello
	cert        *Certificate
	share       keys.KeyShare
	clientCert  *x509.Certificate
	clientChain [][]byte
	resumed     bool
	sessionID   []byte // issued for SessionCache, nil otherwise
	sendTicket  bool   // RFC 5077: a NewSessionTicket goes before our CCS
}

// serverExpectClientHello waits for a ClientHello: the first one, or one
// starting a renegotiation (requested by our HelloRequest, or by the client
// when Config.AllowClientRenegotiation is set).
type serverExpectClientHello struct {
	requested bool // we sent HelloRequest
}

func (*serverExpectClientHello) accepts() []messages.HandshakeType { return serverAcceptsClientHello }

func (st *serverExpectClientHello) handle(c *Conn, msg messages.Message) (handshakeState, error) {
	ch, err := expect[*messages.ClientHello](msg)
	if err != nil {
		return nil, err
	}
	if err := checkClientVersion(ch); err != nil {
		return nil, err
	}
	c.versionKnown = true
	if !slices.Contains(ch.CompressionMethods, messages.CompressionNull) {
		return nil, errNoCompression // RFC 5246, Section 7.4.1.2
	}
	secureReneg := ch.SecureRenegotiationSupported || slices.Contains(ch.CipherSuites, TLS_EMPTY_RENEGOTIATION_INFO_SCSV)
	if c.renegotiating {
		// RFC 5746, Section 3.7: renegotiated_connection MUST equal the
		// client's last verify_data, and the SCSV MUST NOT appear.
		if !ch.SecureRenegotiationSupported || !bytes.Equal(ch.SecureRenegotiation, c.clientFinished[:]) ||
			slices.Contains(ch.CipherSuites, TLS_EMPTY_RENEGOTIATION_INFO_SCSV) {
			return nil, errBadRI
		}
	} else if ch.SecureRenegotiationSupported && len(ch.SecureRenegotiation) != 0 {
		// RFC 5746, Section 3.6: an initial renegotiation_info MUST be empty.
		return nil, errBadRI
	}
	if ch.SupportedPoints != nil && !slices.Contains(ch.SupportedPoints, messages.PointFormatUncompressed) {
		return nil, errNoUncompressedPoints // RFC 8422, Section 5.1.2
	}
	if err := c.checkRenegotiationEMS(ch.ExtendedMasterSecret); err != nil {
		return nil, err
	}
	hs := &serverHandshake{hello: ch}
	// A renegotiation never resumes (and its ALPN, settled by the first
	// handshake, was carried over by beginRenegotiation).
	if !c.renegotiating {
		if state := c.findSession(ch); state != nil {
			// RFC 7627, Section 5.3: "If the original session used the
			// extension but the new ClientHello does not contain it, the
			// server MUST abort the abbreviated handshake."
			if state.ems && !ch.ExtendedMasterSecret {
				return nil, errResumeEMS
			}
			return c.resumeSession(hs, state, secureReneg)
		}
	}
	if !ch.ExtendedMasterSecret && !c.cfg.AllowNoExtendedMasterSecret {
		return nil, errMissingEMS
	}
	suite, cert, scheme, group, err := c.negotiate(ch)
	if err != nil {
		return nil, err
	}
	c.suite, hs.cert = suite, cert
	alpn, err := c.negotiateALPN(ch)
	if err != nil {
		return nil, err
	}
	c.clientRandom = ch.Random
	if _, err := io.ReadFull(c.cfg.Rand, c.serverRandom[:]); err != nil {
		return nil, err
	}
	c.hcs.ServerName = ch.ServerName
	if !c.renegotiating {
		c.hcs.NegotiatedProtocol = alpn
	}
	c.hcs.ExtendedMasterSecret = ch.ExtendedMasterSecret
	c.hcs.Group = group
	c.hcs.SecureRenegotiation = secureReneg

	ocsp, err := c.ocspStaple(ch, cert)
	if err != nil {
		return nil, err
	}
	staple := len(ocsp) > 0
	sh := c.serverHello(ch, alpn, ch.ExtendedMasterSecret, secureReneg)
	sh.StatusRequest = staple
	// RFC 6066, Section 3: a server that used the name SHALL send an empty
	// server_name (never when resuming).
	sh.ServerNameAck = ch.ServerName != ""
	if ch.SCT && len(cert.SignedCertificateTimestamps) > 0 {
		sh.SCTs = cert.SignedCertificateTimestamps // RFC 6962, Section 3.3.1
	}
	// RFC 5077, Section 3.2: an empty session_ticket extension promises a
	// NewSessionTicket; a session ID lets SessionCache resume.
	if len(c.cfg.TicketKeys) > 0 && ch.SessionTicketSupported {
		sh.SessionTicketSupported, hs.sendTicket = true, true
	} else if c.cfg.SessionCache != nil {
		hs.sessionID = make([]byte, 32)
		if _, err := io.ReadFull(c.cfg.Rand, hs.sessionID); err != nil {
			return nil, err
		}
		sh.SessionID = hs.sessionID
	}
	if err := c.writeHandshake(sh); err != nil {
		return nil, err
	}
	if err := c.writeHandshake(&messages.Certificate{Certificates: cert.Chain}); err != nil {
		return nil, err
	}
	if staple {
		if err := c.writeHandshake(&messages.CertificateStatus{StatusType: messages.CertStatusOCSP, Response: ocsp}); err != nil {
			return nil, err
		}
	}
	if err := c.writeServerKeyExchange(hs, group, scheme); err != nil {
		return nil, err
	}
	if c.cfg.ClientAuth != NoClientCert {
		if err := c.writeHandshake(c.certificateRequest()); err != nil {
			return nil, err
		}
	}
	if err := c.writeHandshake(&messages.ServerHelloDone{}); err != nil {
		return nil, err
	}
	if c.cfg.ClientAuth != NoClientCert {
		return &serverExpectClientCertificate{hs}, nil
	}
	return &serverExpectClientKeyExchange{hs}, nil
}

// writeServerKeyExchange queues the signed ephemeral parameters: ECDHE (RFC
// 8422, Section 5.4) or DHE with an RFC 7919 group (RFC 5246, Section
// 7.4.3). RSA key exchange sends none.
// errUnencodableShare: our own key share did not fit its encoding (a local
// bug; internal_error).
var errUnencodableShare = errors.New("sanstls: key share cannot be encoded")

func (c *Conn) writeServerKeyExchange(hs *serverHandshake, group Group, scheme SignatureScheme) error {
	// One buffer holds client_random, server_random, the params and then
	// the signature: what is signed (RFC 5246, Section 7.4.3) is its prefix,
	// and the body is what follows the randoms.
	randoms := func(paramsLen int) []byte {
		const maxSignature = 4 + 1024 // digitally-signed header and an RSA-8192 signature
		buf := make([]byte, 64, 64+paramsLen+maxSignature)
		copy(buf, c.clientRandom[:])
		copy(buf[32:], c.serverRandom[:])
		return buf
	}
	var signed []byte
	var err error
	switch c.suite.kx {
	case kxRSA:
		return nil
	case kxDHE:
		p, g, ok := keys.FFDHEParams(uint16(group))
		if !ok {
			return errNoSharedGroup
		}
		if hs.share, err = keys.GenerateDHEKeyShare(p, g, c.cfg.Rand); err != nil {
			return err
		}
		pub := hs.share.PublicKey()
		signed = messages.AppendDHEParams(randoms(6+len(p)+len(g)+len(pub)), p, g, pub)
	default:
		if hs.share, err = keys.GenerateKeyShare(uint16(group), c.cfg.Rand); err != nil {
			return err
		}
		pub := hs.share.PublicKey()
		signed = messages.AppendECDHEParams(randoms(4+len(pub)), group, pub)
	}
	if len(signed) <= 64 {
		return errUnencodableShare
	}
	sig, err := c.sign(hs.cert.PrivateKey, scheme, signed)
	if err != nil {
		return err
	}
	body := messages.DigitallySigned{Algorithm: scheme, Signature: sig}.Append(signed[64:])
	return c.writeHandshake(&messages.ServerKeyExchange{Body: body})
}

// checkClientVersion negotiates TLS 1.2 or fails. RFC 5246 Appendix E.1,
// RFC 8446 Section 4.2.1 (a TLS 1.3 ClientHello is answered with 1.2 if it
// lists 1.2) and RFC 7507 (TLS_FALLBACK_SCSV).
func checkClientVersion(ch *messages.ClientHello) error {
	maxVers := ch.Version
	if ch.SupportedVersions != nil {
		maxVers = 0
		for _, v := range ch.SupportedVersions {
			if !messages.IsGREASE(v) && v > maxVers {
				maxVers = v
			}
		}
	}
	// RFC 7507, Section 3: the client retried with a lower version than
	// ours, so a downgrade is under way: say so rather than
	// protocol_version.
	if slices.Contains(ch.CipherSuites, TLS_FALLBACK_SCSV) && maxVers < messages.VersionTLS12 {
		return errFallback
	}
	if ch.SupportedVersions != nil {
		if !slices.Contains(ch.SupportedVersions, messages.VersionTLS12) {
			return errVersion
		}
	} else if ch.Version < messages.VersionTLS12 {
		return errVersion // RFC 8996: TLS 1.0 and 1.1 MUST NOT be negotiated
	}
	return nil
}

// negotiate picks the cipher suite, certificate, signature scheme and group.
// By default the server's suite order wins; without AES hardware a client
// that prefers ChaCha20-Poly1305 gets it.
func (c *Conn) negotiate(ch *messages.ClientHello) (*cipherSuite, *Certificate, SignatureScheme, Group, error) {
	var suites [maxEnabledSuites]*cipherSuite
	ours := c.cfg.enabledSuites(&suites)
	var order []*cipherSuite
	if c.cfg.PreferClientCipherSuites {
		for _, id := range ch.CipherSuites {
			if s := suiteByID(id); s != nil && slices.Contains(ours, s) {
				order = append(order, s)
			}
		}
	} else {
		for _, s := range ours {
			if slices.Contains(ch.CipherSuites, s.id) {
				order = append(order, s)
			}
		}
		if !hasAESHardware && len(ch.CipherSuites) > 0 {
			if first := suiteByID(ch.CipherSuites[0]); first != nil && first.chacha {
				slices.SortStableFunc(order, func(a, b *cipherSuite) int {
					switch {
					case a.chacha && !b.chacha:
						return -1
					case b.chacha && !a.chacha:
						return 1
					}
					return 0
				})
			}
		}
	}
	if len(order) == 0 {
		return nil, nil, 0, 0, errNoSharedSuite
	}
	var firstErr error = errNoCertificate
	ffdheRefused := false
	for _, s := range order {
		group, ok := c.pickGroup(ch, s.kx)
		if !ok {
			if firstErr == errNoCertificate {
				firstErr = errNoSharedGroup
			}
			ffdheRefused = ffdheRefused || s.kx == kxDHE
			continue
		}
		cert, scheme, err := c.pickCertificate(ch, s)
		if err == nil {
			return s, cert, scheme, group, nil
		}
		if firstErr == errNoCertificate || firstErr == errNoSharedGroup {
			firstErr = err
		}
	}
	if ffdheRefused {
		// RFC 7919, Section 4: the client offered FFDHE groups, none is
		// acceptable, and no other suite is usable.
		return nil, nil, 0, 0, errFFDHENoGroup
	}
	return nil, nil, 0, 0, firstErr
}

// pickGroup takes our most preferred group of the suite's key exchange that
// the client supports. For ECDHE a client without supported_groups is
// assumed to support P-256 (RFC 8422, Section 4). For DHE (RFC 7919,
// Section 4): a client that lists FFDHE groups gets one of them or no DHE
// suite; one that lists none gets our first.
func (c *Conn) pickGroup(ch *messages.ClientHello, kx keyExchange) (Group, bool) {
	switch kx {
	case kxRSA:
		return 0, true
	case kxDHE:
		ours := c.cfg.ffdheGroups()
		listed := false
		for _, g := range ch.SupportedGroups {
			listed = listed || isFFDHE(g)
		}
		if !listed {
			return ours[0], true
		}
		for _, g := range ours {
			if slices.Contains(ch.SupportedGroups, g) {
				return g, true
			}
		}
		return 0, false
	}
	theirs := ch.SupportedGroups
	if theirs == nil {
		theirs = []Group{CurveP256}
	}
	for _, g := range c.cfg.ecGroups() {
		if slices.Contains(theirs, g) {
			return g, true
		}
	}
	return 0, false
}

// pickCertificate chooses a certificate for the suite's authentication:
// one whose name matches the client's SNI if any does, whose ECDSA curve the
// client supports, and that can sign with a scheme the client accepts.
func (c *Conn) pickCertificate(ch *messages.ClientHello, suite *cipherSuite) (*Certificate, SignatureScheme, error) {
	var fallback *Certificate
	var fallbackScheme SignatureScheme
	namesChecked := false
	err := errNoCertificate
	for i := range c.certs {
		cert := &c.certs[i]
		if cert.Leaf == nil || cert.PrivateKey == nil || authOfKey(cert.Leaf.PublicKey) != suite.auth {
			continue
		}
		if cert.MustMatchIssuer && !chainMatchesNames(cert, clientHelloCAs(ch)) {
			err = errNoMatchingIssuer
			continue
		}
		if g := groupOfKey(cert.Leaf.PublicKey); g != 0 && ch.SupportedGroups != nil && !slices.Contains(ch.SupportedGroups, g) {
			err = errNoCertificateCurve
			continue // RFC 8422, Section 5.1: the client must support the curve
		}
		var scheme SignatureScheme
		if suite.kx == kxRSA {
			// RSA key exchange decrypts instead of signing.
			if _, ok := cert.PrivateKey.(*rsa.PrivateKey); !ok {
				continue
			}
		} else {
			var ok bool
			if scheme, ok = pickScheme(c.cfg.signingSchemes(cert), ch.SignatureAlgorithms, cert.Leaf.PublicKey); !ok {
				err = errNoSharedSigAlg
				continue
			}
		}
		if ch.ServerName == "" {
			return cert, scheme, nil
		}
		// The first usable certificate whose name matches wins, else the
		// first usable one. Names are checked only once a second usable
		// certificate shows up: with one, the name changes nothing.
		if fallback == nil {
			fallback, fallbackScheme = cert, scheme
			continue
		}
		if !namesChecked {
			namesChecked = true
			if fallback.Leaf.VerifyHostname(ch.ServerName) == nil {
				return fallback, fallbackScheme, nil
			}
		}
		if cert.Leaf.VerifyHostname(ch.ServerName) == nil {
			return cert, scheme, nil
		}
	}
	if fallback != nil {
		return fallback, fallbackScheme, nil
	}
	return nil, 0, err
}

// negotiateALPN applies RFC 7301, Section 3.2: the server's preference among
// the client's protocols, or no_application_protocol.
func (c *Conn) negotiateALPN(ch *messages.ClientHello) (string, error) {
	if len(ch.ALPNProtocols) == 0 || len(c.cfg.NextProtos) == 0 {
		return "", nil
	}
	for _, p := range c.cfg.NextProtos {
		if slices.Contains(ch.ALPNProtocols, p) {
			return p, nil
		}
	}
	return "", errNoALPN
}

// certificateRequest builds the server's CertificateRequest (RFC 5246,
// Section 7.4.4; RFC 8422, Section 5.5).
func (c *Conn) certificateRequest() *messages.CertificateRequest {
	cr := &messages.CertificateRequest{
		CertificateTypes:    []uint8{1, 64}, // rsa_sign, ecdsa_sign
		SignatureAlgorithms: slices.Clone(c.cfg.sigSchemes()),
	}
	if c.cfg.ClientCANames != nil {
		cr.CertificateAuthorities = cloneNames(c.cfg.ClientCANames)
	} else if c.cfg.ClientCAs != nil && c.cfg.ClientAuth >= VerifyClientCertIfGiven {
		//lint:ignore SA1019 the pool is the caller's own, not the system pool
		cr.CertificateAuthorities = c.cfg.ClientCAs.Subjects() //nolint:staticcheck
	}
	return cr
}

type serverExpectClientCertificate struct{ hs *serverHandshake }

func (*serverExpectClientCertificate) accepts() []messages.HandshakeType {
	return serverAcceptsCertificate
}

func (st *serverExpectClientCertificate) handle(c *Conn, msg messages.Message) (handshakeState, error) {
	cm, err := expect[*messages.Certificate](msg)
	if err != nil {
		return nil, err
	}
	if len(cm.Certificates) == 0 {
		if c.cfg.ClientAuth == RequireAnyClientCert || c.cfg.ClientAuth == RequireAndVerifyClientCert {
			return nil, errClientCertRequired
		}
		return &serverExpectClientKeyExchange{st.hs}, nil
	}
	certs, err := parseChain(c.cfg.CertCache, cm.Certificates)
	if err != nil {
		return nil, err
	}
	if authOfKey(certs[0].PublicKey) == 0 {
		return nil, errUnsupportedCert
	}
	// The client signs CertificateVerify: its key must allow signing.
	if ku := certs[0].KeyUsage; ku != 0 && ku&x509.KeyUsageDigitalSignature == 0 {
		return nil, errCertKeyUsage
	}
	st.hs.clientCert, st.hs.clientChain = certs[0], cm.Certificates
	c.hcs.PeerCertificates = certs
	pc := &PeerCerts{Chain: cm.Certificates, Certificates: certs, Now: c.now()}
	next := &serverExpectClientKeyExchange{st.hs}
	if c.cfg.DeferVerify {
		return c.deferVerify(pc, next, nil), nil
	}
	if _, err := c.checkPeer(pc); err != nil {
		return nil, err
	}
	return next, nil
}

type serverExpectClientKeyExchange struct{ hs *serverHandshake }

func (*serverExpectClientKeyExchange) accepts() []messages.HandshakeType {
	return serverAcceptsClientKeyExchange
}

func (st *serverExpectClientKeyExchange) handle(c *Conn, msg messages.Message) (handshakeState, error) {
	cke, err := expect[*messages.ClientKeyExchange](msg)
	if err != nil {
		return nil, err
	}
	pre, err := c.premasterFromCKE(st.hs, cke)
	if err != nil {
		return nil, err
	}
	st.hs.share = nil
	c.computeMasterSecret(pre, c.hcs.ExtendedMasterSecret)
	if err := c.installKeys(); err != nil {
		return nil, err
	}
	if st.hs.clientCert != nil {
		return &serverExpectCertificateVerify{st.hs}, nil
	}
	return serverExpectCCS{st.hs}, nil
}

// premasterFromCKE recovers the premaster secret from the client's key
// exchange message.
func (c *Conn) premasterFromCKE(hs *serverHandshake, cke *messages.ClientKeyExchange) ([]byte, error) {
	switch c.suite.kx {
	case kxRSA:
		ct, err := cke.RSAEncryptedPremaster()
		if err != nil {
			return nil, err
		}
		// RFC 5246, Section 7.4.7.1: any failure, including a version
		// mismatch with the ClientHello, yields a random premaster, in
		// constant time, so that the Finished check fails instead.
		return keys.DecryptPremaster(hs.cert.PrivateKey.(*rsa.PrivateKey), ct, hs.hello.Version, c.cfg.Rand)
	}
	var pub []byte
	var err error
	if c.suite.kx == kxDHE {
		pub, err = cke.DHEPublic()
	} else {
		pub, err = cke.ECDHEPublic()
	}
	if err != nil {
		return nil, err
	}
	pre, err := hs.share.SharedSecret(pub)
	if err != nil {
		return nil, wrapf(errBadPeerKey, "%v", err)
	}
	return pre, nil
}

type serverExpectCertificateVerify struct{ hs *serverHandshake }

func (*serverExpectCertificateVerify) accepts() []messages.HandshakeType {
	return serverAcceptsCertificateVerify
}

func (st *serverExpectCertificateVerify) handle(c *Conn, msg messages.Message) (handshakeState, error) {
	cv, err := expect[*messages.CertificateVerify](msg)
	if err != nil {
		return nil, err
	}
	// RFC 5246, Section 7.4.8: the signature covers every handshake message
	// up to, not including, this one.
	signed := c.transcript[:len(c.transcript)-int(c.lastMsgLen)]
	if err := c.verifySigned(st.hs.clientCert.PublicKey, cv.Signature, signed); err != nil {
		return nil, err
	}
	return serverExpectCCS{st.hs}, nil
}

type serverExpectCCS struct{ hs *serverHandshake }

func (serverExpectCCS) accepts() []messages.HandshakeType { return serverAcceptsBeforeCCS }

// handle is never reached: accepts lists no message (guard.go).
func (st serverExpectCCS) handle(c *Conn, msg messages.Message) (handshakeState, error) {
	return nil, wrapf(errUnexpectedMessage, "%v before ChangeCipherSpec", msg.Type())
}

func (st serverExpectCCS) handleCCS(c *Conn) (handshakeState, error) {
	return serverExpectFinished{st.hs}, nil
}

type serverExpectFinished struct{ hs *serverHandshake }

func (serverExpectFinished) accepts() []messages.HandshakeType { return serverAcceptsFinished }

func (st serverExpectFinished) handle(c *Conn, msg messages.Message) (handshakeState, error) {
	fin, err := expect[*messages.Finished](msg)
	if err != nil {
		return nil, err
	}
	proof, err := c.verifyFinished(fin)
	if err != nil {
		return nil, err
	}
	if st.hs.resumed {
		// Abbreviated handshake: our Finished went first.
		return c.completeHandshake(proof), nil
	}
	state := c.currentSession(st.hs.clientChain)
	if st.hs.sendTicket {
		if err := c.writeTicket(&state); err != nil {
			return nil, err
		}
	}
	if err := c.writeCCSAndFinished(); err != nil {
		return nil, err
	}
	if st.hs.sessionID != nil {
		if blob, err := state.marshal(); err == nil && len(blob) <= maxSessionState {
			c.cfg.SessionCache.Put(st.hs.sessionID, blob)
			c.linkSession(nil, st.hs.sessionID)
		}
	}
	return c.completeHandshake(proof), nil
}

// writeTicket queues a NewSessionTicket carrying state (RFC 5077, Section
// 3.3).
func (c *Conn) writeTicket(state *sessionState) error {
	blob, err := state.marshal()
	if err != nil {
		return err
	}
	if len(blob) > maxSessionState {
		// RFC 5077, Section 3.3: having promised a ticket, a server that
		// will not issue one sends an empty one.
		return c.writeTicketMessage(messages.NewSessionTicket{})
	}
	ticket, err := sealTicket(c.cfg.TicketKeys, c.cfg.Rand, blob)
	if err != nil {
		return err
	}
	hint := uint32(c.cfg.sessionLifetime() / time.Second)
	return c.writeTicketMessage(messages.NewSessionTicket{LifetimeHint: hint, Ticket: ticket})
}

// findSession returns the session a ClientHello asks to resume, if we have
// it and may resume it; otherwise the handshake is a full one.
func (c *Conn) findSession(ch *messages.ClientHello) *sessionState {
	var blob []byte
	switch {
	case c.cfg.ticketResumption(ch):
		// RFC 5077, Section 3.4: the client usually sends a session ID
		// with its ticket, and our echo of it signals resumption; without
		// one, the client learns it from our ChangeCipherSpec.
		b, ok := openTicket(c.cfg.TicketKeys, ch.SessionTicket)
		if !ok {
			return nil // RFC 5077, Section 3.3: fall back to a full handshake
		}
		blob = b
	case c.cfg.SessionCache != nil && len(ch.SessionID) > 0:
		b, ok := c.cfg.SessionCache.Get(ch.SessionID)
		if !ok {
			return nil
		}
		blob = b
	default:
		return nil
	}
	state, err := unmarshalSessionState(blob)
	if err != nil {
		return nil
	}
	now := c.now()
	suite := suiteByID(state.suite)
	var suites [maxEnabledSuites]*cipherSuite
	switch {
	case suite == nil || !slices.Contains(c.cfg.enabledSuites(&suites), suite) || !slices.Contains(ch.CipherSuites, state.suite):
		return nil // the suite must still be enabled and offered
	case !state.ems && (ch.ExtendedMasterSecret || !c.cfg.AllowNoExtendedMasterSecret):
		// RFC 7627, Section 5.3: a full handshake instead; and a session
		// without EMS is resumed only while the Config still allows it.
		return nil
	case now.Before(state.created.Add(-time.Minute)) || now.Sub(state.created) > c.cfg.sessionLifetime():
		return nil
	case state.serverName != ch.ServerName:
		return nil // RFC 6066, Section 3: a session is bound to its name
	case len(state.peerChain) == 0 && (c.cfg.ClientAuth == RequireAnyClientCert || c.cfg.ClientAuth == RequireAndVerifyClientCert):
		return nil // the client-certificate policy must still be met
	}
	if len(state.peerChain) > 0 && c.cfg.ClientAuth >= VerifyClientCertIfGiven {
		if leaf := parsePeerChain(c.cfg.CertCache, state.peerChain[:1]); leaf == nil || now.After(leaf[0].NotAfter) {
			return nil
		}
	}
	return state
}

// resumeSession runs the server side of an abbreviated handshake (RFC 5246,
// Section 7.3): ServerHello echoing the session ID, ChangeCipherSpec and
// Finished, then the client's ChangeCipherSpec and Finished.
func (c *Conn) resumeSession(hs *serverHandshake, state *sessionState, secureReneg bool) (handshakeState, error) {
	ch := hs.hello
	hs.resumed = true
	if !c.cfg.ticketResumption(ch) {
		c.linkSession(nil, bytes.Clone(ch.SessionID)) // resumed from SessionCache
	}
	c.suite = suiteByID(state.suite)
	alpn, err := c.negotiateALPN(ch)
	if err != nil {
		return nil, err
	}
	c.clientRandom = ch.Random
	if _, err := io.ReadFull(c.cfg.Rand, c.serverRandom[:]); err != nil {
		return nil, err
	}
	c.masterSecret = state.masterSecret // shared read-only, see Conn.masterSecret
	c.hcs.ServerName = ch.ServerName
	c.hcs.NegotiatedProtocol = alpn
	c.hcs.ExtendedMasterSecret = state.ems
	c.hcs.SecureRenegotiation = secureReneg
	c.restoreSession(state, nil)
	sh := c.serverHello(ch, alpn, state.ems, secureReneg)
	sh.SessionID = ch.SessionID // echoed: the session resumes
	if err := c.writeHandshake(sh); err != nil {
		return nil, err
	}
	c.logKey()
	if err := c.installKeys(); err != nil {
		return nil, err
	}
	if err := c.writeCCSAndFinished(); err != nil {
		return nil, err
	}
	return serverExpectCCS{hs}, nil
}

// serverHello builds the ServerHello of a full or an abbreviated handshake
// (RFC 5246, Section 7.4.1.3) once c.suite and c.serverRandom are chosen;
// the caller adds what only one of them sends. It settles encrypt-then-MAC.
func (c *Conn) serverHello(ch *messages.ClientHello, alpn string, ems, secureReneg bool) *messages.ServerHello {
	sh := &messages.ServerHello{
		Version:                      messages.VersionTLS12,
		Random:                       c.serverRandom,
		CipherSuite:                  c.suite.id,
		CompressionMethod:            messages.CompressionNull,
		HasExtensions:                true,
		ALPNProtocol:                 alpn,
		ExtendedMasterSecret:         ems,
		SecureRenegotiationSupported: secureReneg,
		SecureRenegotiation:          c.renegotiationInfo(), // nil unless renegotiating, which never resumes
	}
	if ch.SupportedPoints != nil {
		sh.SupportedPoints = []uint8{messages.PointFormatUncompressed}
	}
	// RFC 7366, Section 2: encrypt-then-MAC only with a CBC suite.
	c.encryptThenMAC = ch.EncryptThenMAC && c.suite.cbc()
	sh.EncryptThenMAC = c.encryptThenMAC
	return sh
}

var _ ccsReceiver = serverExpectCCS{}
