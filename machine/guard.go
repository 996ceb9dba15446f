package machine

// Input screening: what a peer can make us do without the connection
// advancing (security.md row 14). Every handshake header is judged against
// the current state before its body is buffered or parsed, and records that
// do not advance the connection share one counter.

import (
	"slices"
	"time"

	"github.com/sanstls/sanstls/messages"
)

// Bounds on input that does not advance the connection.
const (
	// maxNoProgress is how many non-advancing records (empty application
	// data, warning alerts, ignored or refused HelloRequests and
	// ClientHellos) may arrive in a row; the next one is fatal. Only
	// non-empty application data and a handshake message that a state
	// accepts reset the count. 32 is BoringSSL's limit on empty records.
	maxNoProgress = 32
	// maxRefusedRenegotiations is how many renegotiation requests a
	// connection refuses with a warning no_renegotiation; the next one is
	// fatal (crypto/tls and BoringSSL fail on the first).
	maxRefusedRenegotiations = 4
	// maxClientHello is the cap on a ClientHello when MaxHandshakeSize is 0:
	// above the 131,396 bytes OpenSSL accepts, for large post-quantum and
	// padded hellos.
	maxClientHello = 132 << 10
	// defaultRenegotiationRate is RenegotiationRateLimit's default.
	defaultRenegotiationRate = 60
)

// guard is the per-connection state of the screening.
type guard struct {
	noProgress    int32       // non-advancing records in a row
	refusedReneg  int32       // renegotiations refused so far
	renegAccepted []time.Time // times of the last accepted peer renegotiations
}

var (
	errNoProgress     = perr(messages.AlertUnexpectedMessage, "too many records that do not advance the connection", "no_progress")
	errTooManyRefused = perr(messages.AlertUnexpectedMessage, "too many refused renegotiations", "too_many_refused_renegotiations")
)

// countNoProgress records a non-advancing record; err is the failure to
// report when the bound is passed.
func (c *Conn) countNoProgress(err error) error {
	if c.noProgress++; c.noProgress > maxNoProgress {
		return err
	}
	return nil
}

// progressed resets the non-advancing count: application data was delivered
// or a handshake message was accepted.
func (c *Conn) progressed() { c.noProgress = 0 }

// acceptsHandshakeType reports whether the current state can take a
// handshake message of type t (RFC 5246, Section 7.3), as the state
// declares in accepts. It is checked on the header, so that a message of
// the wrong type is unexpected_message before its body is buffered or
// parsed.
func (c *Conn) acceptsHandshakeType(t messages.HandshakeType) bool {
	if c.state == nil {
		return false // a client before Start
	}
	return slices.Contains(c.state.accepts(), t)
}

// handshakeLimit is the size cap of a message of type t in the current
// state: the larger Certificate cap applies only where a Certificate is
// expected, and a ClientHello may be larger than other messages.
func (c *Conn) handshakeLimit(t messages.HandshakeType) int {
	if c.cfg.MaxHandshakeSize > 0 {
		return int(c.maxHandshake)
	}
	switch t {
	case messages.HandshakeTypeCertificate:
		if c.acceptsHandshakeType(t) { // where a Certificate is expected
			return int(c.maxCertHS)
		}
	case messages.HandshakeTypeClientHello:
		return max(int(c.maxHandshake), maxClientHello)
	}
	return int(c.maxHandshake)
}

// screenHandshake judges a handshake header (type t, body length n) before
// the body is buffered: the type must fit the state, the length the cap. A
// renegotiation request that will be refused or ignored is settled here
// once it is complete (raw is the whole message, or nil while it is not),
// without parsing its body; skip then says to drop the message. A message
// refused on its header is traced as its header alone.
func (c *Conn) screenHandshake(t messages.HandshakeType, n int, hdr, raw []byte) (skip bool, err error) {
	if !c.acceptsHandshakeType(t) {
		c.trace(false, messages.ContentTypeHandshake, hdr)
		return false, wrapf(errUnexpectedMessage, "%v in this state", t)
	}
	if n > c.handshakeLimit(t) {
		c.trace(false, messages.ContentTypeHandshake, hdr)
		return false, errHandshakeTooLarge // CVE-2023-39322 class: bound memory
	}
	complete := raw != nil
	refusable := (c.isClient && t == messages.HandshakeTypeHelloRequest && n == 0) ||
		(!c.isClient && t == messages.HandshakeTypeClientHello && c.connected())
	if !refusable {
		return false, nil
	}
	if !complete {
		return false, nil // wait for the whole message, within the cap
	}
	switch {
	case c.isClient:
		if !c.connected() || c.closeSent {
			// Ignored (RFC 5246, Section 7.4.1.1; after our close_notify
			// nothing more goes out), but not for free.
			c.trace(false, messages.ContentTypeHandshake, raw)
			return true, c.countNoProgress(errNoProgress)
		}
		if c.helloRequestByPolicy() {
			// RenegotiateIgnore / RenegotiateExplicit: no answer.
			c.trace(false, messages.ContentTypeHandshake, raw)
			return true, c.countNoProgress(errNoProgress)
		}
		if !c.cfg.acceptsHelloRequest(c.renegotiations) || !c.renegotiationRateOK() {
			c.trace(false, messages.ContentTypeHandshake, raw)
			return true, c.refuseRenegotiationBounded()
		}
	default:
		if c.closeSent {
			c.trace(false, messages.ContentTypeHandshake, raw)
			return true, c.countNoProgress(errNoProgress)
		}
		if !c.cfg.AllowClientRenegotiation || !c.renegotiationRateOK() {
			c.trace(false, messages.ContentTypeHandshake, raw)
			return true, c.refuseRenegotiationBounded()
		}
	}
	c.noteRenegotiation()
	return false, nil
}

// refuseRenegotiationBounded answers a renegotiation request with a warning
// no_renegotiation (RFC 5746, Section 4.2), a few times per connection;
// after that the request is fatal.
func (c *Conn) refuseRenegotiationBounded() error {
	if c.refusedReneg++; c.refusedReneg > maxRefusedRenegotiations {
		return errTooManyRefused
	}
	if err := c.countNoProgress(errTooManyRefused); err != nil {
		return err
	}
	return c.refuseRenegotiation()
}

// renegotiationRate is how many peer-initiated renegotiations are accepted
// per minute of Config.Time, or 0 for no limit.
func (cfg *Config) renegotiationRate() int {
	switch {
	case cfg.RenegotiationRateLimit < 0:
		return 0
	case cfg.RenegotiationRateLimit == 0:
		return defaultRenegotiationRate
	}
	return cfg.RenegotiationRateLimit
}

// renegotiationRateOK reports whether one more peer-initiated renegotiation
// stays within Config.RenegotiationRateLimit.
func (c *Conn) renegotiationRateOK() bool {
	limit := c.cfg.renegotiationRate()
	if limit == 0 || len(c.renegAccepted) < limit {
		return true
	}
	oldest := c.renegAccepted[len(c.renegAccepted)-limit]
	return c.now().Sub(oldest) >= time.Minute
}

// noteRenegotiation records an accepted peer-initiated renegotiation.
func (c *Conn) noteRenegotiation() {
	limit := c.cfg.renegotiationRate()
	if limit == 0 {
		return
	}
	if len(c.renegAccepted) == limit {
		c.renegAccepted = append(c.renegAccepted[:0], c.renegAccepted[1:]...)
	}
	c.renegAccepted = append(c.renegAccepted, c.now())
}

var (
	errNoUncompressedPoints = perr(messages.AlertIllegalParameter, "peer's ec_point_formats lacks uncompressed", "no_uncompressed_points")
	errFFDHENoGroup         = perr(messages.AlertInsufficientSecurity, "no acceptable FFDHE group and no other usable suite", "ffdhe_no_group")
	errRenegotiationEMS     = perr(messages.AlertHandshakeFailure, "renegotiation without the extended master secret of the connection", "renegotiation_ems")
)

// checkRenegotiationEMS refuses a renegotiation that would drop the
// extended master secret the connection has (RFC 7627, Section 5.4 spirit;
// OpenSSL and BoringSSL refuse the downgrade), whatever
// AllowNoExtendedMasterSecret says.
func (c *Conn) checkRenegotiationEMS(ems bool) error {
	if c.renegotiating && c.cs.ExtendedMasterSecret && !ems {
		return errRenegotiationEMS
	}
	return nil
}

// maxSessionState bounds, in bytes, what a session cache entry or ticket
// may hold. Chains are the variable part (a client chain may be 256 KiB);
// real ones are a few KiB, test ones (BoGo's LargeMessage) up to ~40 KiB. A
// larger session is simply not kept, and a sealed ticket (44 bytes more)
// stays within NewSessionTicket's 2^16-1 bytes.
const maxSessionState = 60 << 10

// size is an upper bound on the marshalled length of s.
func (s *sessionState) size() int {
	n := 64 + len(s.masterSecret) + len(s.serverName) + len(s.alpn) + len(s.ocsp)
	for _, c := range s.peerChain {
		n += 3 + len(c)
	}
	return n
}
