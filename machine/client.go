package machine

// The client side of the full TLS 1.2 handshake (RFC 5246, Section 7.3):
//
//	Client                                    Server
//	ClientHello            -------->                       clientStart
//	                                       ServerHello     clientExpectServerHello
//	                                       Certificate     clientExpectCertificate
//	                                 CertificateStatus*    clientExpectServerKeyExchange
//	                                 ServerKeyExchange     clientExpectServerKeyExchange
//	                                CertificateRequest*    clientExpectServerHelloDone
//	                       <--------   ServerHelloDone     clientExpectServerHelloDone
//	Certificate*
//	ClientKeyExchange
//	CertificateVerify*
//	[ChangeCipherSpec]
//	Finished               -------->
//	                                [ChangeCipherSpec]     clientExpectCCS
//	                       <--------          Finished     clientExpectFinished
//	Application Data       <------->  Application Data
//
// (* optional.) Each state accepts exactly the message types its accepts
// method lists; the dispatcher refuses anything else with
// unexpected_message on the header (guard.go), before parsing it.

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"io"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/sanstls/sanstls/keys"
	"github.com/sanstls/sanstls/messages"
)

// clientHandshake holds what the client learns during one handshake; the
// states share it and it only grows.
type clientHandshake struct {
	hello        *messages.ClientHello
	serverHello  *messages.ServerHello
	peerCerts    []*x509.Certificate
	peerChain    [][]byte
	ocsp         []byte
	certReq      *messages.CertificateRequest
	preMaster    []byte
	publicKey    []byte         // our key share, sent in ClientKeyExchange
	session      *ClientSession // offered for resumption, or nil
	previousLeaf []byte         // renegotiation: the server's leaf so far
	resumed      bool
	ticket       []byte                // from NewSessionTicket
	verification *Verification         // the default verification of peerCerts, kept for storeSession
	resumeCerts  []*x509.Certificate   // the offered session's chain, parsed
	resumeChains [][]*x509.Certificate // the offered session's chain, verified again
	resumeTrust  *Verification         // the default verification of resumeCerts (resumableChains)
}

// What each client state accepts (see handshakeState.accepts). A
// HelloRequest is legal in every client state: mid-handshake it is ignored
// (RFC 5246, Section 7.4.1.1).
var (
	clientAcceptsServerHello       = hts(messages.HandshakeTypeHelloRequest, messages.HandshakeTypeServerHello)
	clientAcceptsCertificate       = hts(messages.HandshakeTypeHelloRequest, messages.HandshakeTypeCertificate)
	clientAcceptsServerKeyExchange = hts(messages.HandshakeTypeHelloRequest, messages.HandshakeTypeCertificateStatus,
		messages.HandshakeTypeServerKeyExchange, messages.HandshakeTypeCertificateRequest, messages.HandshakeTypeServerHelloDone)
	clientAcceptsServerHelloDone = hts(messages.HandshakeTypeHelloRequest, messages.HandshakeTypeCertificateRequest,
		messages.HandshakeTypeServerHelloDone)
	clientAcceptsBeforeCCS = hts(messages.HandshakeTypeHelloRequest, messages.HandshakeTypeNewSessionTicket)
	clientAcceptsFinished  = hts(messages.HandshakeTypeHelloRequest, messages.HandshakeTypeFinished)
)

// Single-value lists of every ClientHello; messages only read them.
var (
	onlyNullCompression    = []uint8{messages.CompressionNull}
	onlyUncompressedPoints = []uint8{messages.PointFormatUncompressed}
)

// hostnameForSNI returns the name to send in server_name: IP literals are not
// sent (RFC 6066, Section 3: "Literal IPv4 and IPv6 addresses are not
// permitted in HostName").
func hostnameForSNI(name string) string {
	// A name with a character outside [0-9.] and no colon is no IP
	// literal; ParseAddr is skipped, and so is the error it allocates.
	if strings.Contains(name, ":") || strings.Trim(name, "0123456789.") == "" {
		if _, err := netip.ParseAddr(name); err == nil {
			return ""
		}
	}
	for len(name) > 0 && name[len(name)-1] == '.' {
		name = name[:len(name)-1]
	}
	return name
}

func clientStart(c *Conn) (handshakeState, error) {
	cfg := c.cfg
	if _, err := io.ReadFull(cfg.Rand, c.clientRandom[:]); err != nil {
		return nil, err
	}
	hello := &messages.ClientHello{
		Version:                      messages.VersionTLS12,
		Random:                       c.clientRandom,
		CompressionMethods:           onlyNullCompression,
		HasExtensions:                true,
		ServerName:                   hostnameForSNI(cfg.ServerName),
		StatusRequest:                true,
		SupportedGroups:              cfg.offeredGroups(),
		SupportedPoints:              onlyUncompressedPoints,
		SignatureAlgorithms:          cfg.sigSchemes(), // read only, like the Config
		ExtendedMasterSecret:         true,
		SecureRenegotiationSupported: true, // RFC 5746, Section 3.4
		PaddingLen:                   -1,
		SCT:                          cfg.RequestSCTs,
	}
	var suites [maxEnabledSuites]*cipherSuite
	for _, s := range cfg.enabledSuites(&suites) {
		hello.CipherSuites = append(hello.CipherSuites, s.id)
		// RFC 7366: ask for encrypt-then-MAC whenever CBC is offered.
		hello.EncryptThenMAC = hello.EncryptThenMAC || s.cbc()
	}
	if len(hello.CipherSuites) == 0 {
		return nil, errNoSharedSuite
	}
	if cfg.EnableGREASE {
		if err := addGREASE(hello, cfg.Rand); err != nil {
			return nil, err
		}
	}
	if len(cfg.NextProtos) > 0 && !c.renegotiating {
		// ALPN is settled by the first handshake: a renegotiation does
		// not offer it, so a server that sends it is refused.
		hello.ALPNProtocols = slices.Clone(cfg.NextProtos)
	}
	hs := &clientHandshake{hello: hello}
	if c.renegotiating {
		// RFC 5746, Section 3.5: prove the ongoing connection; never resume
		// while renegotiating.
		hello.SecureRenegotiation = bytes.Clone(c.clientFinished[:])
		// An empty session_ticket extension all the same (as crypto/tls
		// and OpenSSL send): a server may only issue a ticket we asked for
		// (RFC 5077, Section 3.2), and some (GnuTLS 3.7) issue one in every
		// full handshake. The renegotiated session then replaces ours.
		hello.SessionTicketSupported = c.cfg.ClientSessionCache != nil
		if len(c.cs.PeerCertificates) > 0 {
			hs.previousLeaf = c.cs.PeerCertificates[0].Raw
		}
	} else if err := c.offerSession(hs); err != nil {
		return nil, err
	}
	if err := c.writeHandshake(hello); err != nil {
		return nil, err
	}
	return clientExpectServerHello{hs}, nil
}

// offerSession asks for tickets when we can store them and offers a cached
// session for resumption if it is still usable.
func (c *Conn) offerSession(hs *clientHandshake) error {
	cache := c.cfg.ClientSessionCache
	if cache == nil {
		return nil
	}
	hs.hello.SessionTicketSupported = true
	sess, ok := cache.Get(c.cfg.clientSessionKey())
	if !ok || sess == nil {
		return nil
	}
	st := &sess.state
	age := c.now().Sub(st.created)
	if age < -time.Minute || age > c.cfg.sessionLifetime() {
		cache.Put(c.cfg.clientSessionKey(), nil) // stale
		return nil
	}
	if !slices.Contains(hs.hello.CipherSuites, st.suite) ||
		(!st.ems && !c.cfg.AllowNoExtendedMasterSecret) {
		return nil
	}
	t, ok, stale := c.resumableChains(sess)
	if stale {
		cache.Put(c.cfg.clientSessionKey(), nil)
	}
	if !ok {
		return nil
	}
	hs.session, hs.resumeCerts, hs.resumeChains, hs.resumeTrust = sess, t.certs, t.chains, t.verification
	c.linkSession(sess, nil)
	if len(sess.ticket) > 0 {
		// RFC 5077, Section 3.4: a fresh session ID, which the server
		// echoes if it accepts the ticket.
		hs.hello.SessionTicket = sess.ticket
		hs.hello.SessionID = make([]byte, 32)
		_, err := io.ReadFull(c.cfg.Rand, hs.hello.SessionID)
		return err
	}
	hs.hello.SessionID = sess.sessionID
	return nil
}

type clientExpectServerHello struct{ hs *clientHandshake }

func (clientExpectServerHello) accepts() []messages.HandshakeType { return clientAcceptsServerHello }

func (st clientExpectServerHello) handle(c *Conn, msg messages.Message) (handshakeState, error) {
	sh, err := expect[*messages.ServerHello](msg)
	if err != nil {
		return nil, err
	}
	hs := st.hs
	// RFC 8446, Section 4.2.1: a TLS 1.2 ServerHello carries no
	// supported_versions; we offered only TLS 1.2.
	if sh.Version != messages.VersionTLS12 {
		return nil, wrapf(errServerVersion, "%#04x", sh.Version)
	}
	c.versionKnown = true
	if sh.CompressionMethod != messages.CompressionNull {
		return nil, errBadCompression // RFC 9325, Section 3.3
	}
	if !slices.Contains(hs.hello.CipherSuites, sh.CipherSuite) {
		return nil, errUnofferedSuite
	}
	c.suite = suiteByID(sh.CipherSuite)
	if c.suite == nil {
		return nil, errUnofferedSuite
	}
	if err := st.checkExtensions(c, sh); err != nil {
		return nil, err
	}
	c.serverRandom = sh.Random
	c.encryptThenMAC = sh.EncryptThenMAC
	hs.serverHello = sh
	c.hcs.ExtendedMasterSecret = sh.ExtendedMasterSecret
	if !c.renegotiating {
		c.hcs.NegotiatedProtocol = sh.ALPNProtocol
	}
	c.hcs.ServerName = hs.hello.ServerName
	c.hcs.SecureRenegotiation = true
	c.hcs.SignedCertificateTimestamps = cloneNames(sh.SCTs)
	if hs.session != nil && len(sh.SessionID) > 0 && bytes.Equal(sh.SessionID, hs.hello.SessionID) {
		return c.resumeClient(hs)
	}
	if !c.renegotiating {
		c.linkSession(nil, nil) // the offered session is not this connection's
	}
	return &clientExpectCertificate{hs}, nil
}

// resumeClient continues an abbreviated handshake: the server echoed the
// session ID of the session we offered (RFC 5246, Section 7.4.1.3).
func (c *Conn) resumeClient(hs *clientHandshake) (handshakeState, error) {
	st := &hs.session.state
	// RFC 5246, Section 7.4.1.3: a resumed session keeps its cipher suite.
	if hs.serverHello.CipherSuite != st.suite {
		return nil, errResumeSuite
	}
	// RFC 7627, Section 5.3: the client MUST abort if the extended master
	// secret status differs from the original session's.
	if hs.serverHello.ExtendedMasterSecret != st.ems {
		return nil, errResumeEMS
	}
	hs.resumed = true
	// The SCTs are the original handshake's; a resuming server should
	// send none, and any it sends are ignored.
	c.hcs.SignedCertificateTimestamps = hs.session.scts
	c.masterSecret = st.masterSecret // shared read-only, see Conn.masterSecret
	c.restoreSession(st, hs.resumeCerts)
	c.hcs.VerifiedChains = hs.resumeChains
	c.logKey()
	if err := c.installKeys(); err != nil {
		return nil, err
	}
	return clientExpectCCS{hs}, nil
}

// checkExtensions rejects server extensions we did not offer (RFC 5246,
// Section 7.4.1.4: "the client MUST abort the handshake with an
// unsupported_extension fatal alert") and enforces RI and EMS policy.
func (st clientExpectServerHello) checkExtensions(c *Conn, sh *messages.ServerHello) error {
	hello := st.hs.hello
	switch {
	case sh.ServerNameAck && hello.ServerName == "",
		sh.StatusRequest && !hello.StatusRequest,
		sh.ALPNProtocol != "" && hello.ALPNProtocols == nil,
		len(sh.SCTs) > 0 && !hello.SCT,
		sh.EncryptThenMAC && (!hello.EncryptThenMAC || !c.suite.cbc()),
		sh.RecordSizeLimit != 0 && hello.RecordSizeLimit == 0,
		sh.SessionTicketSupported && !hello.SessionTicketSupported,
		sh.SupportedVersion != 0:
		return errUnsolicitedExt
	}
	for _, e := range sh.Unknown {
		// Some servers echo supported_groups (a TLS 1.3 habit); we offered
		// it, so it is tolerated and ignored. Anything else is unsolicited.
		if e.Type != messages.ExtensionSupportedGroups {
			return errUnsolicitedExt
		}
	}
	if sh.ALPNProtocol != "" && !slices.Contains(hello.ALPNProtocols, sh.ALPNProtocol) {
		return errUnofferedALPN // RFC 9325, Section 3.8
	}
	if sh.SupportedPoints != nil && !slices.Contains(sh.SupportedPoints, messages.PointFormatUncompressed) {
		return wrapf(errBadPeerKey, "server does not support uncompressed points") // RFC 8422, Section 5.2
	}
	// RFC 5746, Section 3.4: the client MUST abort if the server omits
	// renegotiation_info (RFC 9325, Section 3.5), and the initial
	// renegotiated_connection MUST be empty.
	if !sh.SecureRenegotiationSupported {
		return errMissingRI
	}
	if !bytes.Equal(sh.SecureRenegotiation, c.renegotiationInfo()) {
		return errBadRI
	}
	if !sh.ExtendedMasterSecret && !c.cfg.AllowNoExtendedMasterSecret {
		return errMissingEMS
	}
	return c.checkRenegotiationEMS(sh.ExtendedMasterSecret)
}

type clientExpectCertificate struct{ hs *clientHandshake }

func (*clientExpectCertificate) accepts() []messages.HandshakeType { return clientAcceptsCertificate }

func (st *clientExpectCertificate) handle(c *Conn, msg messages.Message) (handshakeState, error) {
	cm, err := expect[*messages.Certificate](msg)
	if err != nil {
		return nil, err
	}
	hs := st.hs
	if len(cm.Certificates) == 0 {
		return nil, errNoServerCert
	}
	certs, err := parseChain(c.cfg.CertCache, cm.Certificates)
	if err != nil {
		return nil, err
	}
	leaf := certs[0]
	// A renegotiation must not change who the server is (the "triple
	// handshake" class; crypto/tls has the same rule).
	if hs.previousLeaf != nil && !bytes.Equal(leaf.Raw, hs.previousLeaf) {
		return nil, errServerIdentityChanged
	}
	if authOfKey(leaf.PublicKey) != c.suite.auth {
		return nil, errUnsupportedCert
	}
	// RFC 8422, Section 5.1: the server's ECDSA key must be on a curve we
	// offered.
	if g := groupOfKey(leaf.PublicKey); g != 0 && !slices.Contains(hs.hello.SupportedGroups, g) {
		return nil, errBadECCCert
	}
	// RFC 5246, Section 7.4.2: the key must be usable for the key
	// exchange: signing for (EC)DHE, encryption for RSA. Honour keyUsage
	// when the certificate has one.
	want := x509.KeyUsageDigitalSignature
	if c.suite.kx == kxRSA {
		want = x509.KeyUsageKeyEncipherment
	}
	if leaf.KeyUsage != 0 && leaf.KeyUsage&want == 0 {
		return nil, errCertKeyUsage
	}
	hs.peerCerts, hs.peerChain = certs, cm.Certificates
	c.hcs.PeerCertificates = certs
	return &clientExpectServerKeyExchange{hs: hs}, nil
}

type clientExpectServerKeyExchange struct {
	hs        *clientHandshake
	sawStatus bool
	judged    bool // the chain was verified, or accepted by ResolveVerify
}

func (*clientExpectServerKeyExchange) accepts() []messages.HandshakeType {
	return clientAcceptsServerKeyExchange
}

func (st *clientExpectServerKeyExchange) handle(c *Conn, msg messages.Message) (handshakeState, error) {
	hs := st.hs
	if cs, ok := msg.(*messages.CertificateStatus); ok {
		// RFC 6066, Section 8: only after status_request was echoed, once.
		if !hs.serverHello.StatusRequest || st.sawStatus {
			return nil, errBadStatus
		}
		st.sawStatus = true
		hs.ocsp = cs.Response
		c.hcs.OCSPResponse = bytes.Clone(cs.Response) // not the whole flight's buffer
		return st, nil
	}
	if st.judged {
		return st.afterCertificate(c, msg)
	}
	// The chain is judged now, once a stapled OCSP response had its chance
	// to arrive, before the next message (ServerKeyExchange, or for RSA key
	// exchange CertificateRequest or ServerHelloDone) is acted on.
	pc := &PeerCerts{
		Chain:        hs.peerChain,
		Certificates: hs.peerCerts,
		ServerName:   c.cfg.ServerName,
		OCSP:         hs.ocsp,
		Now:          c.now(),
		IsClient:     true,
	}
	if c.cfg.DeferVerify {
		// ResolveVerify hands msg back to this state, judged, on acceptance.
		st.judged = true
		return c.deferVerify(pc, st, msg), nil
	}
	v, err := c.checkPeer(pc)
	if err != nil {
		return nil, err
	}
	hs.verification = v
	st.judged = true
	return st.afterCertificate(c, msg)
}

// afterCertificate handles the first message after the server's
// certificate: ServerKeyExchange for (EC)DHE; for RSA key exchange there is
// none (RFC 5246, Section 7.4.3: it "MUST NOT be used" with RSA), so the
// message belongs to the next state.
func (st *clientExpectServerKeyExchange) afterCertificate(c *Conn, msg messages.Message) (handshakeState, error) {
	if c.suite.kx == kxRSA {
		if _, ok := msg.(*messages.ServerKeyExchange); ok {
			return nil, wrapf(errUnexpectedMessage, "ServerKeyExchange with RSA key exchange")
		}
		next := &clientExpectServerHelloDone{hs: st.hs}
		return next.handle(c, msg)
	}
	ske, err := expect[*messages.ServerKeyExchange](msg)
	if err != nil {
		return nil, err
	}
	if c.suite.kx == kxDHE {
		return st.processDHE(c, ske)
	}
	return st.processECDHE(c, ske)
}

// processDHE verifies the server's signed Diffie-Hellman parameters (RFC
// 5246, Section 7.4.3) and computes the premaster secret. Custom groups are
// accepted at 2048 bits or more (RFC 7919, Section 3.1; RFC 9325, Section
// 4.5); smaller ones get insufficient_security.
func (st *clientExpectServerKeyExchange) processDHE(c *Conn, ske *messages.ServerKeyExchange) (handshakeState, error) {
	params, err := messages.ParseDHEParams(ske.Body)
	if err != nil {
		return nil, err
	}
	if err := st.verifyParams(c, params.Raw, params.Signature); err != nil {
		return nil, err
	}
	share, err := keys.GenerateDHEKeyShare(params.P, params.G, c.cfg.Rand)
	if err != nil {
		return nil, wrapf(errWeakDH, "%v", err)
	}
	return st.agree(c, share, params.Ys, Group(share.Group()))
}

// processECDHE verifies the server's signed ECDHE parameters (RFC 8422,
// Section 5.4) and computes the premaster secret.
func (st *clientExpectServerKeyExchange) processECDHE(c *Conn, ske *messages.ServerKeyExchange) (handshakeState, error) {
	params, err := messages.ParseECDHEParams(ske.Body)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(st.hs.hello.SupportedGroups, params.Group) || messages.IsGREASE(uint16(params.Group)) {
		return nil, errUnofferedGroup
	}
	if err := st.verifyParams(c, params.Raw, params.Signature); err != nil {
		return nil, err
	}
	share, err := keys.GenerateKeyShare(uint16(params.Group), c.cfg.Rand)
	if err != nil {
		return nil, err
	}
	return st.agree(c, share, params.Public, params.Group)
}

// verifyParams checks the server's signature over the randoms and its key
// exchange parameters with the certificate's key (RFC 5246, Section 7.4.3).
func (st *clientExpectServerKeyExchange) verifyParams(c *Conn, raw []byte, sig messages.DigitallySigned) error {
	return c.verifySigned(st.hs.peerCerts[0].PublicKey, sig, c.signedParams(raw))
}

// agree computes the premaster secret from our share and the server's
// public value, for ClientKeyExchange and the master secret.
func (st *clientExpectServerKeyExchange) agree(c *Conn, share keys.KeyShare, peer []byte, group Group) (handshakeState, error) {
	pre, err := share.SharedSecret(peer)
	if err != nil {
		return nil, wrapf(errBadPeerKey, "%v", err)
	}
	st.hs.preMaster, st.hs.publicKey = pre, share.PublicKey()
	c.hcs.Group = group
	return &clientExpectServerHelloDone{hs: st.hs}, nil
}

type clientExpectServerHelloDone struct{ hs *clientHandshake }

func (*clientExpectServerHelloDone) accepts() []messages.HandshakeType {
	return clientAcceptsServerHelloDone
}

func (st *clientExpectServerHelloDone) handle(c *Conn, msg messages.Message) (handshakeState, error) {
	hs := st.hs
	if cr, ok := msg.(*messages.CertificateRequest); ok && hs.certReq == nil {
		hs.certReq = cr
		c.hcs.RequestedCAs = cloneNames(cr.CertificateAuthorities)
		return st, nil
	}
	if _, err := expect[*messages.ServerHelloDone](msg); err != nil {
		return nil, err
	}
	// Second flight: [Certificate], ClientKeyExchange, [CertificateVerify],
	// ChangeCipherSpec, Finished.
	var cert *Certificate
	var scheme SignatureScheme
	if hs.certReq != nil {
		cert, scheme = st.chooseClientCert(c)
		var chain [][]byte
		if cert != nil {
			chain = cert.Chain
		}
		if err := c.writeHandshake(&messages.Certificate{Certificates: chain}); err != nil {
			return nil, err
		}
	}
	var cke *messages.ClientKeyExchange
	switch c.suite.kx {
	case kxECDHE:
		cke = messages.NewECDHEClientKeyExchange(hs.publicKey)
	case kxDHE:
		cke = messages.NewDHEClientKeyExchange(hs.publicKey)
	case kxRSA:
		// RFC 5246, Section 7.4.7.1: the premaster carries the version we
		// offered, encrypted to the server certificate's key.
		pub, ok := hs.peerCerts[0].PublicKey.(*rsa.PublicKey)
		if !ok {
			return nil, errUnsupportedCert
		}
		pre, ct, err := keys.EncryptPremaster(pub, hs.hello.Version, c.cfg.Rand)
		if err != nil {
			return nil, err
		}
		hs.preMaster = pre
		cke = messages.NewRSAClientKeyExchange(ct)
	}
	if err := c.writeHandshake(cke); err != nil {
		return nil, err
	}
	c.computeMasterSecret(hs.preMaster, c.hcs.ExtendedMasterSecret)
	hs.preMaster = nil
	if cert != nil {
		// RFC 5246, Section 7.4.8: the signature covers all handshake
		// messages so far.
		sig, err := c.sign(cert.PrivateKey, scheme, c.transcript)
		if err != nil {
			return nil, err
		}
		cv := &messages.CertificateVerify{Signature: messages.DigitallySigned{Algorithm: scheme, Signature: sig}}
		if err := c.writeHandshake(cv); err != nil {
			return nil, err
		}
	}
	if err := c.installKeys(); err != nil {
		return nil, err
	}
	if err := c.writeCCSAndFinished(); err != nil {
		return nil, err
	}
	c.maybeFalseStart()
	return clientExpectCCS{hs}, nil
}

// chooseClientCert picks the first configured certificate whose key type
// the server accepts and that can sign with a scheme the server listed.
func (st *clientExpectServerHelloDone) chooseClientCert(c *Conn) (*Certificate, SignatureScheme) {
	req := st.hs.certReq
	for i := range c.certs {
		cert := &c.certs[i]
		if cert.Leaf == nil || cert.PrivateKey == nil {
			continue
		}
		pub := cert.Leaf.PublicKey
		var certType uint8 // RFC 5246, Section 7.4.4 ClientCertificateType
		switch authOfKey(pub) {
		case authRSA:
			certType = 1 // rsa_sign
		case authECDSA:
			certType = 64 // ecdsa_sign (RFC 8422, Section 5.5)
		}
		if !slices.Contains(req.CertificateTypes, certType) {
			continue
		}
		if cert.MustMatchIssuer && !chainMatchesNames(cert, req.CertificateAuthorities) {
			continue
		}
		if s, ok := pickScheme(c.cfg.signingSchemes(cert), req.SignatureAlgorithms, pub); ok {
			return cert, s
		}
	}
	return nil, 0
}

type clientExpectCCS struct{ hs *clientHandshake }

func (clientExpectCCS) accepts() []messages.HandshakeType { return clientAcceptsBeforeCCS }

func (st clientExpectCCS) handle(c *Conn, msg messages.Message) (handshakeState, error) {
	// RFC 5077, Section 3.3: NewSessionTicket comes before the server's
	// ChangeCipherSpec, once, and only if the server promised it.
	if nst, ok := msg.(*messages.NewSessionTicket); ok && st.hs.serverHello.SessionTicketSupported && st.hs.ticket == nil {
		st.hs.ticket = nst.Ticket
		if st.hs.ticket == nil {
			st.hs.ticket = []byte{} // an empty ticket: the server keeps nothing
		}
		return st, nil
	}
	return nil, wrapf(errUnexpectedMessage, "%v before ChangeCipherSpec", msg.Type())
}

func (st clientExpectCCS) handleCCS(c *Conn) (handshakeState, error) {
	// RFC 5077, Section 3.3: a server that acknowledged session_ticket
	// MUST send NewSessionTicket (possibly empty) before its CCS.
	if st.hs.serverHello.SessionTicketSupported && st.hs.ticket == nil {
		return nil, errMissingTicket
	}
	return clientExpectFinished{st.hs}, nil
}

type clientExpectFinished struct{ hs *clientHandshake }

func (clientExpectFinished) accepts() []messages.HandshakeType { return clientAcceptsFinished }

func (st clientExpectFinished) handle(c *Conn, msg messages.Message) (handshakeState, error) {
	fin, err := expect[*messages.Finished](msg)
	if err != nil {
		return nil, err
	}
	proof, err := c.verifyFinished(fin)
	if err != nil {
		return nil, err
	}
	hs := st.hs
	if hs.resumed {
		// Abbreviated handshake: our ChangeCipherSpec and Finished follow.
		if err := c.writeCCSAndFinished(); err != nil {
			return nil, err
		}
	}
	c.storeSession(hs)
	return c.completeHandshake(proof), nil
}

// storeSession puts the session in the ClientSessionCache: with the new
// ticket if we got one, else with the server's session ID.
func (c *Conn) storeSession(hs *clientHandshake) {
	cache := c.cfg.ClientSessionCache
	if cache == nil || c.renegotiating && len(hs.ticket) == 0 {
		// A renegotiation offers no session; only a ticket it asked for
		// replaces the one we have (a full handshake made it, with the
		// server's chain verified again).
		return
	}
	var sess *ClientSession
	switch {
	case hs.resumed && len(hs.ticket) == 0:
		// Keep the session we resumed. If resumableChains verified it
		// again (no record: decoded by UnmarshalBinary or verified under
		// DeferVerify; or one for other settings), a copy keeps the new
		// record: cached sessions are shared and never modified. Not if
		// another connection replaced it meanwhile.
		key := c.cfg.clientSessionKey()
		if hs.resumeTrust != nil && hs.resumeTrust != hs.session.trust {
			if cur, ok := cache.Get(key); ok && cur == hs.session {
				kept := *hs.session
				kept.certs, kept.trust = hs.resumeCerts, hs.resumeTrust
				cache.Put(key, &kept)
				c.linkSession(&kept, nil)
			}
		}
		return
	case len(hs.ticket) > 0:
		sess = &ClientSession{ticket: bytes.Clone(hs.ticket)} // not the transcript's bytes
	case len(hs.serverHello.SessionID) > 0 && hs.ticket == nil:
		sess = &ClientSession{sessionID: bytes.Clone(hs.serverHello.SessionID)}
	default:
		cache.Put(c.cfg.clientSessionKey(), nil)
		return
	}
	if hs.resumed {
		sess.state, sess.verified = hs.session.state, hs.session.verified
		// What resumableChains parsed and verified again: a session
		// restored by UnmarshalBinary or verified under DeferVerify gets
		// its record here.
		sess.certs, sess.trust = hs.resumeCerts, hs.resumeTrust
	} else {
		// The parsed certificates hold private copies of their DER;
		// hs.peerChain aliases the transcript.
		chain := make([][]byte, len(c.hcs.PeerCertificates))
		for i, cert := range c.hcs.PeerCertificates {
			chain[i] = cert.Raw
		}
		sess.state = c.currentSession(chain)
		sess.verified = len(c.hcs.VerifiedChains) > 0
		sess.certs, sess.trust = c.hcs.PeerCertificates, hs.verification
	}
	if sess.state.size()+len(sess.ticket) > maxSessionState {
		cache.Put(c.cfg.clientSessionKey(), nil) // too large to keep
		return
	}
	sess.scts = c.hcs.SignedCertificateTimestamps
	cache.Put(c.cfg.clientSessionKey(), sess)
	c.linkSession(sess, nil)
}

var _ ccsReceiver = clientExpectCCS{}
