package keys

import (
	"bytes"
	"crypto"
)

// verifyDataLen is verify_data_length for every TLS 1.2 cipher suite this
// package supports. RFC 5246, Section 7.4.9: "In previous versions of TLS,
// the verify_data was always 12 octets long. In the current version of
// TLS, it depends on the cipher suite. Any cipher suite which does not
// explicitly specify verify_data_length has a verify_data_length equal to
// 12."
const verifyDataLen = 12

// FinishedVerifyData computes the 12-byte verify_data of a Finished message
// sent by the client (fromClient) or by the server. RFC 5246, Section 7.4.9:
//
//	verify_data
//	   PRF(master_secret, finished_label, Hash(handshake_messages))
//	      [0..verify_data_length-1];
//
// finished_label is "client finished" or "server finished", and
// transcriptHash is Hash(handshake_messages) computed with the PRF hash h
// over every handshake message up to, not including, this Finished. The
// caller compares received verify_data with crypto/subtle.ConstantTimeCompare.
func FinishedVerifyData(h crypto.Hash, master []byte, fromClient bool, transcriptHash []byte) []byte {
	var vd [verifyDataLen]byte
	FinishedVerifyDataTo(&vd, h, master, fromClient, transcriptHash)
	return vd[:]
}

// FinishedVerifyDataTo is [FinishedVerifyData] into a caller-owned array.
// For SHA-256 and SHA-384 it allocates nothing, and neither dst nor
// transcriptHash escapes, so both may live on the caller's stack.
func FinishedVerifyDataTo(dst *[12]byte, h crypto.Hash, master []byte, fromClient bool, transcriptHash []byte) {
	label := "server finished"
	if fromClient {
		label = "client finished"
	}
	if prfOneShot(h, dst[:], master, label, [][]byte{transcriptHash}) {
		return
	}
	// Other hashes take the streaming PRF, whose hash states keep their
	// inputs: give it heap copies so that the fast path keeps the
	// caller's buffers on its stack.
	out := make([]byte, verifyDataLen)
	PRF(h, out, master, label, bytes.Clone(transcriptHash))
	copy(dst[:], out)
}
