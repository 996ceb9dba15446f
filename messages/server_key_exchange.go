package messages

import (
	"strconv"

	"golang.org/x/crypto/cryptobyte"
)

// ServerKeyExchange carries the server's key exchange parameters.
// RFC 5246, Section 7.4.3.
//
//	struct {
//	    select (KeyExchangeAlgorithm) {
//	        case dhe_dss:
//	        case dhe_rsa:
//	            ServerDHParams params;
//	            digitally-signed struct { ... } signed_params;
//	        case ec_diffie_hellman:            /* RFC 8422, Section 5.4 */
//	            ServerECDHParams params;
//	            Signature signed_params;
//	        ...
//	    };
//	} ServerKeyExchange;
//
// The body depends on the negotiated cipher suite, so it stays opaque here
// until the state machine knows the suite and calls [ParseECDHEParams] or
// [ParseDHEParams] on Body. Body may be empty.
type ServerKeyExchange struct {
	Body []byte
}

// Type returns [HandshakeTypeServerKeyExchange].
func (*ServerKeyExchange) Type() HandshakeType { return HandshakeTypeServerKeyExchange }

// Marshal returns the complete message.
func (m *ServerKeyExchange) Marshal() ([]byte, error) {
	return marshalHandshake(HandshakeTypeServerKeyExchange, func(b *builder) {
		b.AddBytes(m.Body)
	})
}

// Unmarshal parses a complete ServerKeyExchange, header included. Body
// aliases data.
func (m *ServerKeyExchange) Unmarshal(data []byte) error {
	p := parser{typ: HandshakeTypeServerKeyExchange}
	var body cryptobyte.String
	if !p.openHandshake(data, &body) {
		return p.err
	}
	*m = ServerKeyExchange{Body: nilIfEmpty(body)}
	return nil
}

// ECDHEParams is a decoded ECDHE ServerKeyExchange body. RFC 8422,
// Section 5.4.
//
//	enum {
//	    deprecated (1..2),
//	    named_curve (3),
//	    reserved(248..255)
//	} ECCurveType;
//
//	struct {
//	    ECCurveType    curve_type;
//	    select (curve_type) {
//	        case named_curve:
//	            NamedCurve namedcurve;
//	    };
//	} ECParameters;
//
//	struct {
//	    ECParameters    curve_params;
//	    ECPoint         public;            /* opaque point <1..2^8-1> */
//	} ServerECDHParams;
//
//	struct {
//	    ServerECDHParams    params;
//	    Signature           signed_params;  /* DigitallySigned in TLS 1.2 */
//	} ServerKeyExchange;
//
// A curve_type other than named_curve is a decode_error: RFC 8422 deprecated
// explicit curves, so the body cannot be decoded; BoringSSL answers the same
// way. Whether Group was offered, and whether Public is a valid point, is the
// state machine's to check (illegal_parameter, RFC 8422, Section 5.11 and
// BoGo BadECDHECurve). Anonymous ECDH (no signature) is not supported.
type ECDHEParams struct {
	Group  NamedGroup
	Public []byte
	// Raw is the exact ServerECDHParams encoding (curve_type through the
	// point) that the signature covers, after client_random and
	// server_random.
	Raw       []byte
	Signature DigitallySigned
}

// ParseECDHEParams decodes the Body of an ECDHE ServerKeyExchange. Trailing
// bytes are rejected. Public, Raw and Signature.Signature alias body.
// Errors are [*DecodeError]s with Type [HandshakeTypeServerKeyExchange].
func ParseECDHEParams(body []byte) (*ECDHEParams, error) {
	p := parser{typ: HandshakeTypeServerKeyExchange}
	s := cryptobyte.String(body)
	var curveType uint8
	var group uint16
	var params ECDHEParams
	if !p.u8(&s, &curveType, "curve_type") {
		return nil, p.err
	}
	if curveType != ECCurveTypeNamedCurve {
		p.syntax("curve_type " + strconv.Itoa(int(curveType)) + " is not named_curve")
		return nil, p.err
	}
	if !p.u16(&s, &group, "namedcurve") ||
		!p.opaque(&s, &params.Public, 1, 0xff, "ECPoint") {
		return nil, p.err
	}
	params.Group = NamedGroup(group)
	params.Raw = body[:len(body)-len(s)]
	if !readDigitallySigned(&p, &s, &params.Signature) ||
		!p.end(s, "ServerKeyExchange body") {
		return nil, p.err
	}
	return &params, nil
}

// AppendECDHEParams appends the ServerECDHParams for group and public (the
// part of the body that is signed) to b and returns the extended slice. It
// returns nil if public is empty or longer than 255 bytes, which cannot be
// encoded.
//
// A server builds the ServerKeyExchange body as
//
//	params := messages.AppendECDHEParams(nil, group, public)
//	body := messages.DigitallySigned{Algorithm: alg, Signature: sig}.Append(params)
func AppendECDHEParams(b []byte, group NamedGroup, public []byte) []byte {
	if len(public) == 0 || len(public) > 0xff {
		return nil
	}
	// Appended directly: a builder here would cost an allocation.
	b = append(b, ECCurveTypeNamedCurve, byte(group>>8), byte(group), byte(len(public)))
	return append(b, public...)
}

// Marshal returns the complete ServerKeyExchange body for p: the params
// encoded from Group and Public (Raw is ignored), then Signature. It fails
// if Public is not 1 to 255 bytes or the signature is longer than 2^16-1
// bytes.
func (p *ECDHEParams) Marshal() ([]byte, error) {
	c := checker{typ: HandshakeTypeServerKeyExchange}
	c.length(len(p.Public), 1, 0xff, "ECPoint")
	p.Signature.check(&c)
	if err := c.result(); err != nil {
		return nil, err
	}
	return p.Signature.Append(AppendECDHEParams(nil, p.Group, p.Public)), nil
}

// DHEParams is a decoded DHE ServerKeyExchange body. RFC 5246,
// Sections 7.4.3 and 4.7.
//
//	struct {
//	    opaque dh_p<1..2^16-1>;
//	    opaque dh_g<1..2^16-1>;
//	    opaque dh_Ys<1..2^16-1>;
//	} ServerDHParams;     /* Ephemeral DH parameters */
//
// The values are big-endian integers as sent; checking that the group is
// acceptable (RFC 7919) and that 1 < Ys < p-1 is the state machine's job.
type DHEParams struct {
	P, G, Ys []byte
	// Raw is the exact ServerDHParams encoding that the signature covers,
	// after client_random and server_random.
	Raw       []byte
	Signature DigitallySigned
}

// ParseDHEParams decodes the Body of a DHE ServerKeyExchange. Trailing bytes
// are rejected. P, G, Ys, Raw and Signature.Signature alias body. Errors are
// [*DecodeError]s with Type [HandshakeTypeServerKeyExchange].
func ParseDHEParams(body []byte) (*DHEParams, error) {
	p := parser{typ: HandshakeTypeServerKeyExchange}
	s := cryptobyte.String(body)
	var params DHEParams
	if !p.opaque(&s, &params.P, 1, 0xffff, "dh_p") ||
		!p.opaque(&s, &params.G, 1, 0xffff, "dh_g") ||
		!p.opaque(&s, &params.Ys, 1, 0xffff, "dh_Ys") {
		return nil, p.err
	}
	params.Raw = body[:len(body)-len(s)]
	if !readDigitallySigned(&p, &s, &params.Signature) ||
		!p.end(s, "ServerKeyExchange body") {
		return nil, p.err
	}
	return &params, nil
}

// AppendDHEParams appends the ServerDHParams for p, g and ys (the part of
// the body that is signed) to b and returns the extended slice. It returns
// nil if any value is empty or longer than 2^16-1 bytes, which cannot be
// encoded.
func AppendDHEParams(b []byte, p, g, ys []byte) []byte {
	if len(p) == 0 || len(g) == 0 || len(ys) == 0 {
		return nil
	}
	return appendFixed(b, func(b *builder) {
		for _, v := range [][]byte{p, g, ys} {
			b.AddUint16LengthPrefixed(func(b *builder) {
				b.AddBytes(v)
			})
		}
	})
}

// Marshal returns the complete ServerKeyExchange body for d: the params
// encoded from P, G and Ys (Raw is ignored), then Signature. It fails if a
// value is not 1 to 2^16-1 bytes or the signature is too long.
func (d *DHEParams) Marshal() ([]byte, error) {
	c := checker{typ: HandshakeTypeServerKeyExchange}
	c.length(len(d.P), 1, 0xffff, "dh_p")
	c.length(len(d.G), 1, 0xffff, "dh_g")
	c.length(len(d.Ys), 1, 0xffff, "dh_Ys")
	d.Signature.check(&c)
	if err := c.result(); err != nil {
		return nil, err
	}
	return d.Signature.Append(AppendDHEParams(nil, d.P, d.G, d.Ys)), nil
}
