package keys

import "crypto"

// TrafficKeys is the key block of RFC 5246, Section 6.3, split into its six
// parts. Each field is its own slice with its capacity cut to its length, so
// appending to one never overwrites another. For AEAD suites the MAC keys are
// empty; for CBC suites in TLS 1.2 the IVs are empty (the IV is explicit
// and per record).
type TrafficKeys struct {
	ClientMAC, ServerMAC []byte // client_write_MAC_key, server_write_MAC_key
	ClientKey, ServerKey []byte // client_write_key, server_write_key
	ClientIV, ServerIV   []byte // client_write_IV, server_write_IV
}

// KeyBlock derives the key block from the master secret and splits it.
// RFC 5246, Section 6.3:
//
//	key_block = PRF(SecurityParameters.master_secret,
//	                "key expansion",
//	                SecurityParameters.server_random +
//	                SecurityParameters.client_random);
//
//	client_write_MAC_key[SecurityParameters.mac_key_length]
//	server_write_MAC_key[SecurityParameters.mac_key_length]
//	client_write_key[SecurityParameters.enc_key_length]
//	server_write_key[SecurityParameters.enc_key_length]
//	client_write_IV[SecurityParameters.fixed_iv_length]
//	server_write_IV[SecurityParameters.fixed_iv_length]
//
// Note that the server random comes first in the seed, unlike in
// [MasterSecret]. macLen, keyLen and ivLen come from the caller's
// cipher-suite table (for example 0, 16, 4 for AES-128-GCM; 20, 16, 0 for
// AES-128-CBC-SHA); KeyBlock panics if one is negative.
func KeyBlock(h crypto.Hash, master, clientRandom, serverRandom []byte, macLen, keyLen, ivLen int) TrafficKeys {
	if macLen < 0 || keyLen < 0 || ivLen < 0 {
		panic("keys: negative length passed to KeyBlock")
	}
	block := make([]byte, 2*(macLen+keyLen+ivLen))
	PRF(h, block, master, "key expansion", serverRandom, clientRandom)
	next := func(n int) []byte {
		part := block[:n:n]
		block = block[n:]
		return part
	}
	var k TrafficKeys
	k.ClientMAC = next(macLen)
	k.ServerMAC = next(macLen)
	k.ClientKey = next(keyLen)
	k.ServerKey = next(keyLen)
	k.ClientIV = next(ivLen)
	k.ServerIV = next(ivLen)
	return k
}
