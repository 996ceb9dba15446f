package machine

import (
	"crypto"
	"crypto/x509"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/sanstls/sanstls/messages"
)

// Group is a key exchange group (RFC 8422 Section 5.1.1, RFC 7919).
type Group = messages.NamedGroup

// ContentType is a TLS record content type (RFC 5246, Section 6.2.1).
type ContentType = messages.ContentType

// SignatureScheme is a TLS signature scheme (RFC 8446 Section 4.2.3, as used
// by TLS 1.2 per RFC 5246 Section 7.4.1.4.1).
type SignatureScheme = messages.SignatureScheme

// Key exchange groups.
const (
	X25519    Group = messages.GroupX25519
	CurveP256 Group = messages.GroupP256
	CurveP384 Group = messages.GroupP384
	// CurveP521 is opt-in: it is not among the default Groups (see
	// DefaultSignatureSchemes for the matching signature policy).
	CurveP521 Group = messages.GroupP521
)

// A Certificate is a certificate chain and the private key of its leaf.
type Certificate struct {
	// Chain is the DER encoding of each certificate, leaf first.
	Chain [][]byte
	// PrivateKey signs handshakes. It must match the leaf's public key.
	PrivateKey crypto.Signer
	// Leaf is the parsed leaf. If nil it is parsed from Chain[0] when the
	// Conn is created.
	Leaf *x509.Certificate
	// OCSPStaple is sent to clients that ask for it (RFC 6066 Section 8).
	OCSPStaple []byte
	// SignatureSchemes, if set, are the schemes this key signs with, in
	// preference order (a subset of what the key can do); otherwise
	// Config.SignatureSchemes.
	SignatureSchemes []SignatureScheme
	// MustMatchIssuer makes the certificate eligible only for a peer that
	// named one of its issuers: a server's CertificateRequest
	// certificate_authorities (RFC 5246, Section 7.4.4), or a client's
	// certificate_authorities extension (RFC 8446, Section 4.2.4). A
	// name matches the issuer or subject of any certificate in Chain.
	MustMatchIssuer bool
	// SignedCertificateTimestamps are sent to clients that ask for them
	// (RFC 6962, Section 3.3.1), each a SerializedSCT of 1 to 65535 bytes
	// (see messages.ParseSCTList for the list form CAs hand out). Not sent
	// when resuming: the client keeps those of the original handshake.
	SignedCertificateTimestamps [][]byte
}

// ClientAuthType says whether a server requests and verifies a client
// certificate.
type ClientAuthType int

const (
	NoClientCert               ClientAuthType = iota // send no CertificateRequest
	RequestClientCert                                // request, accept none or any
	RequireAnyClientCert                             // request, require one, do not verify it
	VerifyClientCertIfGiven                          // request, verify it if given
	RequireAndVerifyClientCert                       // request, require and verify
)

// PeerCerts is what a verification hook sees: the peer's chain and the
// context to judge it in.
type PeerCerts struct {
	// Chain holds the peer's certificates, raw DER, leaf first. The slices
	// are valid only until the hook returns or ResolveVerify is called.
	Chain [][]byte
	// Certificates are the parsed Chain.
	Certificates []*x509.Certificate
	// ServerName is the name the client asked for (client: Config.ServerName).
	ServerName string
	// OCSP is the stapled OCSP response, if any (client only).
	OCSP []byte
	// Now is Config.Time() at the time of the handshake.
	Now time.Time
	// IsClient reports whether the verifying side is the client (so the
	// chain is a server's).
	IsClient bool
	// Resumption reports that the chain is a cached session's, checked by
	// a client before it offers that session: an abbreviated handshake
	// carries no Certificate, so this is the hook's only look at the
	// server it resumes with. A hook that refuses makes the client drop the
	// session and run a full handshake.
	Resumption bool
}

// Config configures a client or a server. A Config must not be modified
// while Conns use it; it may be shared by many Conns.
type Config struct {
	// Rand is the source of all randomness. It is read only with
	// io.ReadFull. Required: the machine never falls back to global
	// randomness (adapters default it to crypto/rand.Reader).
	Rand io.Reader
	// Time returns the current time, used for certificate validity. It is
	// called at most once per handshake message that needs it. Required
	// (adapters default it to time.Now).
	Time func() time.Time

	// Certificates: a server picks one per connection by server name and key
	// type; a client sends the first one when asked.
	Certificates []Certificate
	// RootCAs verifies server certificates (client). nil means no roots:
	// verification fails unless VerifyPeer or InsecureSkipVerify is set.
	RootCAs *x509.CertPool
	// ClientCAs verifies client certificates (server).
	ClientCAs *x509.CertPool
	// ClientAuth is the server's client certificate policy.
	ClientAuth ClientAuthType
	// ClientCANames, if not nil, are the DistinguishedNames a server's
	// CertificateRequest lists (RFC 5246, Section 7.4.4), DER-encoded,
	// whatever ClientAuth is; an empty non-nil slice lists none. nil means
	// the subjects of ClientCAs when ClientAuth verifies.
	ClientCANames [][]byte
	// ServerName is the client's SNI value and the name the server
	// certificate is checked against. An IP address is checked but not sent.
	ServerName string
	// InsecureSkipVerify disables the default certificate verification
	// (VerifyPeer still runs if set).
	InsecureSkipVerify bool
	// VerifyPeer, if set, is called with the peer's chain after the default
	// verification (or instead of it when InsecureSkipVerify is set). A non-nil
	// error aborts the handshake with bad_certificate, or with the alert of
	// an *AlertError it returns. A client also calls it, with
	// PeerCerts.Resumption set, on a cached session's chain before offering
	// the session, InsecureSkipVerify or not.
	VerifyPeer func(*PeerCerts) error
	// DeferVerify makes the machine pause after the peer's Certificate: it
	// queues EventVerifyPeer and waits for ResolveVerify. Default
	// verification is then the caller's job (VerifyChain helps).
	DeferVerify bool
	// CertCache, if set, keeps parsed peer certificates and successful
	// verifications for reuse by later handshakes of this Config (see
	// NewCertCache). Nil parses and verifies every chain afresh.
	CertCache CertCache

	// FalseStart lets a client send application data right after its
	// Finished in a full handshake, before the server's Finished (RFC
	// 7918), when the handshake used ECDHE, an AEAD suite and (unless
	// FalseStartWithoutALPN) negotiated ALPN, which is how a server shows
	// it expects it. EventFalseStart reports the moment. Data sent then is
	// exposed to an active attacker who can break the key exchange before
	// the handshake completes, so only strong parameters qualify.
	FalseStart            bool
	FalseStartWithoutALPN bool

	// EnableGREASE makes a client put GREASE values (RFC 8701) in its
	// ClientHello: cipher suite, group, signature scheme and two
	// extensions, drawn from Rand. Off by default (the ClientHello then
	// has none).
	EnableGREASE bool

	// RequestSCTs makes a client ask for signed certificate timestamps
	// (RFC 6962, Section 3.3.1); they appear in
	// ConnectionState.SignedCertificateTimestamps. Checking them is the
	// caller's job (in VerifyPeer, say).
	RequestSCTs bool

	// NextProtos lists ALPN protocols in preference order (RFC 7301).
	NextProtos []string
	// CipherSuites lists enabled suites; nil means DefaultCipherSuites.
	CipherSuites []uint16
	// PreferClientCipherSuites makes a server follow the client's order
	// instead of its own.
	PreferClientCipherSuites bool
	// Groups lists key exchange groups in preference order; nil means
	// X25519, P-256, P-384. CurveP521 must be listed to be used.
	Groups []Group
	// SignatureSchemes lists schemes we accept and use, in preference
	// order; nil means DefaultSignatureSchemes for what we accept, and
	// DefaultSignatureSchemes plus ECDSA-P521-SHA512 for what our own keys
	// sign with (a P-521 key has no other scheme of its own).
	SignatureSchemes []SignatureScheme

	// AllowNoExtendedMasterSecret permits peers without RFC 7627. By default
	// extended master secret is required.
	AllowNoExtendedMasterSecret bool

	// TicketKeys enables RFC 5077 session tickets on a server: the first
	// key seals new tickets, every key opens them (rotate by prepending a
	// new key and dropping old ones; RFC 9325 Section 3.4). nil disables
	// tickets.
	TicketKeys [][32]byte
	// SessionCache enables session-ID resumption on a server.
	SessionCache SessionCache
	// ClientSessionCache enables resumption on a client (tickets and
	// session IDs), keyed by ServerName. Unless InsecureSkipVerify is set,
	// a session is offered only if it was verified when made and its
	// stored chain verifies again now (RootCAs, ServerName, Config.Time,
	// then VerifyPeer; with DeferVerify, the default verification against
	// RootCAs alone); stale sessions are removed.
	ClientSessionCache ClientSessionCache
	// SessionLifetime bounds how old a resumed session may be; 0 means 24h.
	SessionLifetime time.Duration

	// Renegotiation is a client's policy for server-requested
	// renegotiation (HelloRequest). The default refuses it with a
	// no_renegotiation warning. Renegotiation is always secure (RFC 5746).
	Renegotiation RenegotiationSupport
	// AllowClientRenegotiation lets a server accept a client-initiated
	// renegotiation; by default it answers with a no_renegotiation warning.
	AllowClientRenegotiation bool
	// RenegotiationRateLimit bounds the renegotiations a peer may start
	// and have accepted (a server's AllowClientRenegotiation, a client's
	// RenegotiateFreelyAsClient): at most this many per minute of
	// Config.Time; more are refused with a no_renegotiation warning. 0
	// means 60; a negative value means no limit.
	RenegotiationRateLimit int

	// MaxRecordsPerKey bounds the records one write key seals (RFC 9325,
	// Section 4.4): at the limit Send returns ErrKeyLimit and seals
	// nothing, and the caller renegotiates or closes. 0 means 2^24 for
	// AES-GCM suites and no limit beyond the sequence number for
	// ChaCha20-Poly1305 and CBC suites; a value set applies to every suite.
	MaxRecordsPerKey uint64

	// KeyLogWriter, if set, receives NSS key log lines
	// ("CLIENT_RANDOM <hex> <hex>\n") for each handshake. It is a debugging
	// aid that compromises security.
	KeyLogWriter io.Writer

	// Trace, if set, observes the protocol: it is called with every
	// handshake message sent or received (the raw message, header
	// included), every ChangeCipherSpec (body {1}) and every alert (its
	// 2-byte body). A message refused on its header (a type the state does
	// not take, or over the size cap) is traced as its 4-byte header. The slice is valid only during the call. It exists for
	// tools such as `sanstls demo`; it sees no secrets beyond what the wire
	// carries in the clear or would carry if not encrypted.
	Trace func(sent bool, typ ContentType, body []byte)

	// MaxSendFragment caps the plaintext of every record we send, handshake
	// and application data alike (BoringSSL's max_send_fragment; for
	// peers with small buffers). 0 means 2^14 (RFC 5246, Section 6.2.1);
	// otherwise it must be in [512, 2^14].
	MaxSendFragment int

	// GetOCSPStaple, if set, gives a server the OCSP response to staple
	// for the certificate it chose, when the client asked for one (RFC
	// 6066, Section 8), instead of Certificate.OCSPStaple. A nil response
	// staples nothing; an error aborts the handshake with internal_error.
	GetOCSPStaple func(cert *Certificate, serverName string) ([]byte, error)

	// DropPeerCertificates makes a Conn forget the peer's certificates when
	// a handshake completes: EventHandshakeDone carries them once, in Peer,
	// and ConnectionState then has no PeerCertificates or VerifiedChains (a
	// client that may renegotiate keeps the leaf, which a renegotiation must
	// present again). By default they are kept, as crypto/tls does; with a
	// CertCache, parsed certificates are shared between Conns, so many
	// connections to one peer hold one copy either way.
	DropPeerCertificates bool

	// MaxHandshakeSize caps a single handshake message. 0 means 65536, with
	// Certificate messages allowed 4 times that; an explicit value applies
	// to every message.
	MaxHandshakeSize int
}

// RenegotiationSupport is a client's renegotiation policy.
type RenegotiationSupport int

const (
	RenegotiateNever          RenegotiationSupport = iota // refuse HelloRequest
	RenegotiateOnceAsClient                               // accept one
	RenegotiateFreelyAsClient                             // accept any number
	// RenegotiateIgnore drops every HelloRequest silently: no alert, no
	// handshake (BoringSSL's ssl_renegotiate_ignore).
	RenegotiateIgnore
	// RenegotiateExplicit reports each HelloRequest as
	// EventRenegotiationRequested; the application starts the
	// renegotiation with Conn.Renegotiate when it chooses, or never.
	RenegotiateExplicit
)

func (cfg *Config) acceptsHelloRequest(done int) bool {
	switch cfg.Renegotiation {
	case RenegotiateOnceAsClient:
		return done == 0
	case RenegotiateFreelyAsClient:
		return true
	}
	return false
}

var errNoRand = errors.New("sanstls: Config.Rand is nil")
var errNoTime = errors.New("sanstls: Config.Time is nil")

func (cfg *Config) check() error {
	if cfg.Rand == nil {
		return errNoRand
	}
	if cfg.Time == nil {
		return errNoTime
	}
	return nil
}

func (cfg *Config) groups() []Group {
	if len(cfg.Groups) > 0 {
		return cfg.Groups
	}
	return defaultGroups
}

// isFFDHE reports whether g is a finite-field group (RFC 7919, Section 2:
// the range 256-511).
func isFFDHE(g Group) bool { return g >= 256 && g <= 511 }

// ecGroups returns the configured elliptic-curve groups in preference order.
func (cfg *Config) ecGroups() []Group {
	var out []Group
	for _, g := range cfg.groups() {
		if !isFFDHE(g) {
			out = append(out, g)
		}
	}
	return out
}

// ffdheGroups returns the configured RFC 7919 groups, or all three.
func (cfg *Config) ffdheGroups() []Group {
	var out []Group
	for _, g := range cfg.groups() {
		if isFFDHE(g) {
			out = append(out, g)
		}
	}
	if len(out) == 0 {
		out = []Group{messages.GroupFFDHE2048, messages.GroupFFDHE3072, messages.GroupFFDHE4096}
	}
	return out
}

// offeredGroups is a client's supported_groups: the EC groups, plus the
// FFDHE groups when a DHE suite is enabled (RFC 7919, Section 3).
func (cfg *Config) offeredGroups() []Group {
	out := cfg.ecGroups()
	var suites [maxEnabledSuites]*cipherSuite
	for _, s := range cfg.enabledSuites(&suites) {
		if s.kx == kxDHE {
			return append(out, cfg.ffdheGroups()...)
		}
	}
	return out
}

func (cfg *Config) sigSchemes() []SignatureScheme {
	if len(cfg.SignatureSchemes) > 0 {
		return cfg.SignatureSchemes
	}
	return defaultSignatureSchemes
}

func (cfg *Config) maxHandshake() int {
	if cfg.MaxHandshakeSize > 0 {
		return cfg.MaxHandshakeSize
	}
	return 1 << 16
}

var defaultGroups = []Group{X25519, CurveP256, CurveP384}

// DefaultSignatureSchemes returns the default preference list of what we
// advertise and accept, as a fresh copy: changing it changes nothing else. It has no SHA-1 or MD5 scheme (RFC 9155).
//
// It has no ECDSA-P521-SHA512 either, to match the default groups: P-521 is
// opt-in as a whole. In TLS 1.2 a server's ECDSA key must be on a curve the
// client offered (RFC 8422, Section 5.1), so accepting P-521 signatures
// without offering P-521 would accept nothing but client certificates. To
// use P-521, list CurveP521 in Config.Groups and SignatureECDSAP521SHA512 in
// Config.SignatureSchemes (BoringSSL has the same defaults).
func DefaultSignatureSchemes() []SignatureScheme { return slices.Clone(defaultSignatureSchemes) }

var defaultSignatureSchemes = []SignatureScheme{
	messages.SignatureECDSAP256SHA256,
	messages.SignatureECDSAP384SHA384,
	messages.SignatureEd25519,
	messages.SignatureRSAPSSRSAESHA256,
	messages.SignatureRSAPSSRSAESHA384,
	messages.SignatureRSAPSSRSAESHA512,
	messages.SignatureRSAPKCS1SHA256,
	messages.SignatureRSAPKCS1SHA384,
	messages.SignatureRSAPKCS1SHA512,
}

// defaultSigningSchemes is what our keys sign with when neither
// Certificate.SignatureSchemes nor Config.SignatureSchemes is set: the
// defaults, plus the one scheme of a P-521 key (which only a peer that
// offered P-521 and asked for ECDSA-P521-SHA512 will see).
var defaultSigningSchemes = append(slices.Clone(defaultSignatureSchemes), messages.SignatureECDSAP521SHA512)
