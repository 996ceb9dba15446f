package machine

// Session resumption (RFC 5246 Section 7.3 abbreviated handshake, with
// session IDs, and RFC 5077 session tickets).

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"io"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/sanstls/sanstls/messages"
)

// SessionCache stores server-side sessions by session ID, for clients that
// resume without tickets. Get and Put are called synchronously from the
// machine; an implementation shared by concurrent Conns must do its own
// locking. The state is opaque and holds the master secret: keep it in
// memory only. Put with a nil state removes the entry: the machine does so
// for the session of a connection that ended in a fatal alert (RFC 5246,
// Section 7.2.2).
type SessionCache interface {
	Get(sessionID []byte) (state []byte, ok bool)
	Put(sessionID []byte, state []byte)
}

// ClientSessionCache stores client sessions by server name. Put with a nil
// session removes the entry: the machine does so for a stale session and for
// the session of a connection that ended in a fatal alert.
type ClientSessionCache interface {
	Get(key string) (*ClientSession, bool)
	Put(key string, s *ClientSession)
}

// A ClientSession is what a client keeps to resume: the server's ticket or
// session ID and the secrets of the session. Treat it as opaque.
type ClientSession struct {
	ticket    []byte
	sessionID []byte
	state     sessionState
	verified  bool     // the chain passed verification, not InsecureSkipVerify
	scts      [][]byte // the server's SCTs in the full handshake
	// Not encoded by MarshalBinary: the parsed state.peerChain (shared by
	// the connections that resume the session; never modified), and the
	// machine's default verification of it, which resumableChains reuses
	// while it applies (nil: verify again).
	certs []*x509.Certificate
	trust *Verification
}

// sessionState is the resumable part of a connection.
type sessionState struct {
	suite        uint16
	masterSecret []byte
	ems          bool
	created      time.Time
	serverName   string
	alpn         string
	peerChain    [][]byte // the peer's certificates (server: the client's)
	// What the original handshake negotiated that a resumption reports
	// again in ConnectionState.
	sigScheme uint16
	group     uint16
	ocsp      []byte
}

// defaultSessionLifetime bounds how long a session may be resumed (RFC 9325
// Section 3.4 and RFC 5077 Section 5.6 ask for a bounded lifetime).
const defaultSessionLifetime = 24 * time.Hour

const sessionStateVersion = 2

func (s *sessionState) marshal() ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint8(sessionStateVersion)
	b.AddUint16(messages.VersionTLS12)
	b.AddUint16(s.suite)
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s.masterSecret) })
	ems := uint8(0)
	if s.ems {
		ems = 1
	}
	b.AddUint8(ems)
	b.AddUint64(uint64(s.created.Unix()))
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(s.serverName)) })
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(s.alpn)) })
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, c := range s.peerChain {
			b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(c) })
		}
	})
	b.AddUint16(s.sigScheme)
	b.AddUint16(s.group)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s.ocsp) })
	return b.Bytes()
}

var errBadSessionState = errors.New("sanstls: malformed session state")

func unmarshalSessionState(data []byte) (*sessionState, error) {
	s := &sessionState{}
	in := cryptobyte.String(data)
	var ver uint8
	var vers uint16
	var ems uint8
	var created uint64
	var master, name, alpn, chain, ocsp cryptobyte.String
	if !in.ReadUint8(&ver) || ver != sessionStateVersion ||
		!in.ReadUint16(&vers) || vers != messages.VersionTLS12 ||
		!in.ReadUint16(&s.suite) ||
		!in.ReadUint8LengthPrefixed(&master) || len(master) != 48 ||
		!in.ReadUint8(&ems) || ems > 1 ||
		!in.ReadUint64(&created) ||
		!in.ReadUint16LengthPrefixed(&name) ||
		!in.ReadUint8LengthPrefixed(&alpn) ||
		!in.ReadUint24LengthPrefixed(&chain) ||
		!in.ReadUint16(&s.sigScheme) || !in.ReadUint16(&s.group) ||
		!in.ReadUint24LengthPrefixed(&ocsp) || !in.Empty() {
		return nil, errBadSessionState
	}
	for !chain.Empty() {
		var cert cryptobyte.String
		if !chain.ReadUint24LengthPrefixed(&cert) || len(cert) == 0 {
			return nil, errBadSessionState
		}
		s.peerChain = append(s.peerChain, bytes.Clone(cert))
	}
	s.masterSecret = bytes.Clone(master)
	s.ems = ems == 1
	s.created = time.Unix(int64(created), 0)
	s.serverName = string(name)
	s.alpn = string(alpn)
	if len(ocsp) > 0 {
		s.ocsp = bytes.Clone(ocsp)
	}
	return s, nil
}

// Session tickets (RFC 5077 Section 4, recommended format, with an AEAD):
//
//	key_name[16] || nonce[12] || AES-256-GCM(state, aad = key_name)
//
// Each configured ticket key yields an AEAD key and a key name by hashing it
// with a distinct label, so the name reveals nothing about the key. The first
// key seals; all of them open, which lets callers rotate keys.
const (
	ticketKeyNameLen = 16
	ticketNonceLen   = 12
)

// labelledHash is SHA-256(label || k), hashed from a stack buffer.
func labelledHash(label string, k [32]byte) [32]byte {
	var buf [64]byte
	n := copy(buf[:], label)
	n += copy(buf[n:], k[:])
	return sha256.Sum256(buf[:n])
}

func ticketKeyName(k [32]byte) (name [ticketKeyNameLen]byte) {
	n := labelledHash("sanstls ticket key name\x00", k)
	copy(name[:], n[:])
	return name
}

func ticketAEAD(k [32]byte) cipher.AEAD {
	key := labelledHash("sanstls ticket aead key\x00", k)
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

func sealTicket(keys [][32]byte, rand io.Reader, state []byte) ([]byte, error) {
	name, aead := ticketKeyName(keys[0]), ticketAEAD(keys[0])
	out := make([]byte, ticketKeyNameLen+ticketNonceLen, ticketKeyNameLen+ticketNonceLen+len(state)+aead.Overhead())
	copy(out, name[:])
	if _, err := io.ReadFull(rand, out[ticketKeyNameLen:]); err != nil {
		return nil, err
	}
	return aead.Seal(out, out[ticketKeyNameLen:], state, out[:ticketKeyNameLen]), nil
}

func openTicket(keys [][32]byte, ticket []byte) ([]byte, bool) {
	if len(ticket) < ticketKeyNameLen+ticketNonceLen+16 {
		return nil, false
	}
	for _, k := range keys {
		name := ticketKeyName(k)
		if !bytes.Equal(name[:], ticket[:ticketKeyNameLen]) {
			continue // key names are public; no constant time needed
		}
		nonce := ticket[ticketKeyNameLen : ticketKeyNameLen+ticketNonceLen]
		state, err := ticketAEAD(k).Open(nil, nonce, ticket[ticketKeyNameLen+ticketNonceLen:], ticket[:ticketKeyNameLen])
		return state, err == nil
	}
	return nil, false
}

// sessionLifetime is the configured or default session lifetime.
func (cfg *Config) sessionLifetime() time.Duration {
	if cfg.SessionLifetime > 0 {
		return cfg.SessionLifetime
	}
	return defaultSessionLifetime
}

// currentSession captures the resumable state of the handshake just done.
func (c *Conn) currentSession(peerChain [][]byte) sessionState {
	return sessionState{
		suite:        c.suite.id,
		masterSecret: c.masterSecret,
		ems:          c.hcs.ExtendedMasterSecret,
		created:      c.now(),
		serverName:   c.hcs.ServerName,
		alpn:         c.hcs.NegotiatedProtocol,
		peerChain:    peerChain,
		sigScheme:    uint16(c.hcs.SignatureScheme),
		group:        uint16(c.hcs.Group),
		ocsp:         c.hcs.OCSPResponse,
	}
}

// restoreSession reports a resumed session's original parameters; certs,
// if not nil, is st.peerChain already parsed.
func (c *Conn) restoreSession(st *sessionState, certs []*x509.Certificate) {
	c.hcs.DidResume = true
	c.hcs.SignatureScheme = SignatureScheme(st.sigScheme)
	c.hcs.Group = Group(st.group)
	c.hcs.OCSPResponse = st.ocsp
	if certs != nil {
		c.hcs.PeerCertificates = certs
	} else if len(st.peerChain) > 0 {
		c.hcs.PeerCertificates = parsePeerChain(c.cfg.CertCache, st.peerChain)
	}
}

// clientSessionKey is the ClientSessionCache key for this connection.
func (cfg *Config) clientSessionKey() string { return cfg.ServerName }

// parsePeerChain re-parses a resumed session's peer certificates.
func parsePeerChain(cache CertCache, chain [][]byte) []*x509.Certificate {
	certs, err := parseChain(cache, chain)
	if err != nil {
		return nil
	}
	return certs
}
