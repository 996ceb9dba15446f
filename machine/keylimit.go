package machine

import (
	"errors"

	"github.com/sanstls/sanstls/messages"
)

// AEAD usage limits (security.md row 13; RFC 9325, Section 4.4; RFC 8446,
// Section 5.5, whose analysis holds for the TLS 1.2 AES-GCM record layer):
// AES-GCM should protect at most 2^24.5 full-size records per key. TLS 1.2
// has no key update, so when our write key reaches the limit Send stops,
// cleanly: the caller renegotiates (new keys) or closes.

// defaultGCMRecordLimit is the default per-key limit for AES-GCM suites,
// 2^24, a little under 2^24.5 (rustls uses the same bound).
const defaultGCMRecordLimit = 1 << 24

// ErrKeyLimit is returned by Send when sealing the data would take the
// write key past Config.MaxRecordsPerKey. Nothing was sealed and the
// connection is intact: Renegotiate to get fresh keys, or Close (handshake
// messages and alerts may still go out under the old key).
var ErrKeyLimit = errors.New("sanstls: record limit of the write key reached; renegotiate or close")

// recordLimit is the number of records our current write key may seal, or
// 0 for no limit beyond the sequence number.
func (c *Conn) recordLimit() uint64 {
	if c.cfg.MaxRecordsPerKey > 0 {
		return c.cfg.MaxRecordsPerKey
	}
	if c.suite != nil && !c.suite.cbc() && !c.suite.chacha {
		return defaultGCMRecordLimit
	}
	// ChaCha20-Poly1305's limit is beyond 2^64 records (RFC 8446, Section
	// 5.5); CBC suites are not AEADs.
	return 0
}

// checkKeyLimit fails when sealing n bytes of application data would reach
// the write key's record limit.
func (c *Conn) checkKeyLimit(n int) error {
	limit := c.recordLimit()
	if c.out == nil || limit == 0 {
		return nil
	}
	records := uint64((n + messages.MaxPlaintext - 1) / messages.MaxPlaintext)
	if seq := c.out.Sequence(); seq >= limit || records > limit-seq {
		return ErrKeyLimit
	}
	return nil
}
