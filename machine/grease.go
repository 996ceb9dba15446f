package machine

import (
	"io"
	"slices"

	"github.com/sanstls/sanstls/messages"
)

// greaseValue returns the GREASE code point of index i mod 16 (RFC 8701,
// Section 2: 0x0A0A, 0x1A1A, ..., 0xFAFA).
func greaseValue(i byte) uint16 {
	v := uint16(i%16)<<12 | 0x0a0a
	return v | uint16(i%16)<<4
}

// addGREASE puts GREASE values (RFC 8701, Section 3.1) into a ClientHello:
// one first in cipher_suites, supported_groups and signature_algorithms,
// and two extensions (one empty, one with a single zero byte) at the end.
// The values come from four bytes of rand, so a run is reproducible from
// Config.Rand; the two extension code points differ (Section 3.1: no
// duplicates).
func addGREASE(hello *messages.ClientHello, rand io.Reader) error {
	var b [4]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return err
	}
	hello.CipherSuites = slices.Insert(hello.CipherSuites, 0, greaseValue(b[0]))
	hello.SupportedGroups = slices.Insert(hello.SupportedGroups, 0, Group(greaseValue(b[1])))
	hello.SignatureAlgorithms = slices.Insert(hello.SignatureAlgorithms, 0, SignatureScheme(greaseValue(b[1]+1)))
	ext1, ext2 := greaseValue(b[2]), greaseValue(b[3])
	if ext2 == ext1 {
		ext2 = greaseValue(b[3] + 1)
	}
	hello.Unknown = append(hello.Unknown,
		messages.Extension{Type: messages.ExtensionType(ext1)},
		messages.Extension{Type: messages.ExtensionType(ext2), Data: []byte{0}})
	return nil
}
