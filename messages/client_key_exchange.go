package messages

import "golang.org/x/crypto/cryptobyte"

// ClientKeyExchange carries the client's key exchange value. RFC 5246,
// Section 7.4.7.
//
//	struct {
//	    select (KeyExchangeAlgorithm) {
//	        case rsa:
//	            EncryptedPreMasterSecret;
//	        case dhe_dss:
//	        case dhe_rsa:
//	        case dh_dss:
//	        case dh_rsa:
//	        case dh_anon:
//	            ClientDiffieHellmanPublic;
//	        case ec_diffie_hellman:          /* RFC 8422, Section 5.7 */
//	            ClientECDiffieHellmanPublic;
//	    } exchange_keys;
//	} ClientKeyExchange;
//
// The body depends on the negotiated cipher suite, so it stays opaque until
// the state machine calls the accessor for that suite: [ClientKeyExchange.ECDHEPublic],
// [ClientKeyExchange.DHEPublic] or [ClientKeyExchange.RSAEncryptedPremaster].
// Their errors are [*DecodeError]s with Type [HandshakeTypeClientKeyExchange]
// and [AlertDecodeError].
type ClientKeyExchange struct {
	Body []byte
}

// Type returns [HandshakeTypeClientKeyExchange].
func (*ClientKeyExchange) Type() HandshakeType { return HandshakeTypeClientKeyExchange }

// Marshal returns the complete message. A nil receiver (what the New*
// constructors return for unencodable input) is an error.
func (m *ClientKeyExchange) Marshal() ([]byte, error) {
	if m == nil {
		return nil, &DecodeError{Type: HandshakeTypeClientKeyExchange, What: "nil message", Alert: AlertInternalError}
	}
	return marshalHandshake(HandshakeTypeClientKeyExchange, func(b *builder) {
		b.AddBytes(m.Body)
	})
}

// Unmarshal parses a complete ClientKeyExchange, header included. Body
// aliases data.
func (m *ClientKeyExchange) Unmarshal(data []byte) error {
	p := parser{typ: HandshakeTypeClientKeyExchange}
	var body cryptobyte.String
	if !p.openHandshake(data, &body) {
		return p.err
	}
	*m = ClientKeyExchange{Body: nilIfEmpty(body)}
	return nil
}

// ECDHEPublic returns the client's ephemeral ECDH public key. RFC 8422,
// Section 5.7.
//
//	struct {
//	    ECPoint ecdh_Yc;               /* opaque point <1..2^8-1> */
//	} ClientECDiffieHellmanPublic;
//
// Nothing may follow the point. The result aliases Body.
func (m *ClientKeyExchange) ECDHEPublic() ([]byte, error) {
	return m.single(1, 0xff, "ecdh_Yc")
}

// DHEPublic returns the client's ephemeral DH public value. RFC 5246,
// Section 7.4.7.2.
//
//	struct {
//	    select (PublicValueEncoding) {
//	        case implicit: struct { };
//	        case explicit: opaque dh_Yc<1..2^16-1>;
//	    } dh_public;
//	} ClientDiffieHellmanPublic;
//
// Only the explicit encoding exists for DHE suites. Nothing may follow
// dh_Yc. The result aliases Body.
func (m *ClientKeyExchange) DHEPublic() ([]byte, error) {
	return m.single(1, 0xffff, "dh_Yc")
}

// RSAEncryptedPremaster returns the RSA-encrypted premaster secret.
// RFC 5246, Section 7.4.7.1.
//
//	struct {
//	    public-key-encrypted PreMasterSecret pre_master_secret;
//	} EncryptedPreMasterSecret;
//
// In TLS 1.0 and later the ciphertext is an opaque<0..2^16-1> with its
// length prefix. Nothing may follow it. A malformed encoding is a decode
// error here; the Bleichenbacher countermeasure of Section 7.4.7.1 (a
// random premaster on decryption failure) is the caller's job and applies
// only to what follows a well-formed encoding. The result aliases Body and
// may be empty.
func (m *ClientKeyExchange) RSAEncryptedPremaster() ([]byte, error) {
	return m.single(0, 0xffff, "EncryptedPreMasterSecret")
}

// single decodes Body as exactly one vector <min..max>.
func (m *ClientKeyExchange) single(min, max int, what string) ([]byte, error) {
	p := parser{typ: HandshakeTypeClientKeyExchange}
	if m == nil {
		p.syntax("nil message")
		return nil, p.err
	}
	s := cryptobyte.String(m.Body)
	var v []byte
	if !p.opaque(&s, &v, min, max, what) || !p.end(s, "ClientKeyExchange body") {
		return nil, p.err
	}
	return v, nil
}

// NewECDHEClientKeyExchange returns a ClientKeyExchange carrying the ECDH
// public key pub (RFC 8422, Section 5.7). It returns nil if pub is empty or
// longer than 255 bytes; Marshal on that nil reports the error.
func NewECDHEClientKeyExchange(pub []byte) *ClientKeyExchange {
	return newSingle(pub, 1, 0xff)
}

// NewDHEClientKeyExchange returns a ClientKeyExchange carrying the DH
// public value pub (RFC 5246, Section 7.4.7.2). It returns nil if pub is
// empty or longer than 2^16-1 bytes.
func NewDHEClientKeyExchange(pub []byte) *ClientKeyExchange {
	return newSingle(pub, 1, 0xffff)
}

// NewRSAClientKeyExchange returns a ClientKeyExchange carrying the
// RSA-encrypted premaster secret (RFC 5246, Section 7.4.7.1). It returns
// nil if encrypted is longer than 2^16-1 bytes.
func NewRSAClientKeyExchange(encrypted []byte) *ClientKeyExchange {
	return newSingle(encrypted, 0, 0xffff)
}

// newSingle builds a body holding v as one vector <min..max>.
func newSingle(v []byte, min, max int) *ClientKeyExchange {
	if len(v) < min || len(v) > max {
		return nil
	}
	var body []byte
	if max <= 0xff {
		body = append(make([]byte, 0, 1+len(v)), byte(len(v)))
	} else {
		if len(v) > 0xffff {
			return nil
		}
		body = append(make([]byte, 0, 2+len(v)), byte(len(v)>>8), byte(len(v)))
	}
	return &ClientKeyExchange{Body: append(body, v...)}
}
