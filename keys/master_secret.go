package keys

import "crypto"

// masterSecretLen is the length of the master secret. RFC 5246, Section 8.1:
// "The master secret is always exactly 48 bytes in length."
const masterSecretLen = 48

// MasterSecret derives the 48-byte master secret from the premaster secret
// and the two hello randoms. RFC 5246, Section 8.1:
//
//	master_secret = PRF(pre_master_secret, "master secret",
//	                    ClientHello.random + ServerHello.random)
//	                    [0..47];
//
// h is the PRF hash of the negotiated cipher suite. When both sides
// negotiated the extended_master_secret extension, use
// [ExtendedMasterSecret] instead.
func MasterSecret(h crypto.Hash, preMaster, clientRandom, serverRandom []byte) []byte {
	out := make([]byte, masterSecretLen)
	PRF(h, out, preMaster, "master secret", clientRandom, serverRandom)
	return out
}

// ExtendedMasterSecret derives the 48-byte master secret bound to the
// handshake transcript. RFC 7627, Section 4:
//
//	master_secret = PRF(pre_master_secret, "extended master secret",
//	                    session_hash)
//	                    [0..47];
//
// sessionHash is the hash, with the PRF hash h, of the handshake messages
// from ClientHello up to and including ClientKeyExchange (RFC 7627, Section
// 3).
func ExtendedMasterSecret(h crypto.Hash, preMaster, sessionHash []byte) []byte {
	out := make([]byte, masterSecretLen)
	PRF(h, out, preMaster, "extended master secret", sessionHash)
	return out
}
