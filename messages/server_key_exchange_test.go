package messages

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// rfc3526Group14 is the 2048-bit MODP prime of RFC 3526, Section 3
// (2^2048 - 2^1984 - 1 + 2^64 * { [2^1918 pi] + 124476 }), which OpenSSL
// 3.0 uses as its default DHE group.
const rfc3526Group14 = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D" +
	"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D" +
	"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9" +
	"DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AACAA68FFFFFFFFFFFFFFFF"

func genServerKeyExchange() *rapid.Generator[ServerKeyExchange] {
	return rapid.Custom(func(t *rapid.T) ServerKeyExchange {
		return ServerKeyExchange{Body: genOpaque(0, 80).Draw(t, "body")}
	})
}

func genECDHEParams() *rapid.Generator[ECDHEParams] {
	return rapid.Custom(func(t *rapid.T) ECDHEParams {
		return ECDHEParams{
			Group:     NamedGroup(rapid.Uint16().Draw(t, "group")),
			Public:    genOpaque(1, 133).Draw(t, "public"),
			Signature: genDigitallySigned().Draw(t, "sig"),
		}
	})
}

func genDHEParams() *rapid.Generator[DHEParams] {
	return rapid.Custom(func(t *rapid.T) DHEParams {
		return DHEParams{
			P:         genOpaque(1, 64).Draw(t, "p"),
			G:         genOpaque(1, 4).Draw(t, "g"),
			Ys:        genOpaque(1, 64).Draw(t, "ys"),
			Signature: genDigitallySigned().Draw(t, "sig"),
		}
	})
}

func TestServerKeyExchangeRoundTrip(t *testing.T) {
	checkRoundTrip[ServerKeyExchange](t, genServerKeyExchange())
}

func TestECDHEParamsRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genECDHEParams().Draw(t, "p")
		body, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseECDHEParams(body)
		if err != nil {
			t.Fatalf("ParseECDHEParams(%x): %v", body, err)
		}
		if want := AppendECDHEParams(nil, p.Group, p.Public); !bytes.Equal(got.Raw, want) {
			t.Fatalf("Raw = %x, want %x", got.Raw, want)
		}
		got.Raw = nil
		if !reflect.DeepEqual(*got, p) {
			t.Fatalf("got %+v, want %+v", *got, p)
		}
		for i := 0; i < len(body); i++ {
			if _, err := ParseECDHEParams(body[:i]); err == nil {
				t.Fatalf("a %d-byte prefix parsed", i)
			}
		}
	})
}

func TestDHEParamsRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genDHEParams().Draw(t, "p")
		body, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseDHEParams(body)
		if err != nil {
			t.Fatalf("ParseDHEParams(%x): %v", body, err)
		}
		if want := AppendDHEParams(nil, p.P, p.G, p.Ys); !bytes.Equal(got.Raw, want) {
			t.Fatalf("Raw = %x, want %x", got.Raw, want)
		}
		got.Raw = nil
		if !reflect.DeepEqual(*got, p) {
			t.Fatalf("got %+v, want %+v", *got, p)
		}
		for i := 0; i < len(body); i++ {
			if _, err := ParseDHEParams(body[:i]); err == nil {
				t.Fatalf("a %d-byte prefix parsed", i)
			}
		}
	})
}

func TestECDHEParamsCaptured(t *testing.T) {
	tests := []struct {
		file   string
		group  NamedGroup
		public int // point length: 32 for X25519, 97 for an uncompressed P-384 point
		alg    SignatureScheme
		sigLen int // 0: an ECDSA DER signature of variable length
	}{
		{"openssl-3.0.19-ecdhe-rsa-clientauth.txt", GroupX25519, 32, SignatureRSAPSSRSAESHA256, 256},
		{"openssl-3.0.19-ecdhe-ecdsa-p384.txt", GroupP384, 97, SignatureECDSAP256SHA256, 0},
		{"go-1.26.8-ecdhe-rsa.txt", GroupX25519, 32, SignatureRSAPSSRSAESHA256, 256},
		{"go-1.26.8-ecdsa-clientauth-resumption.txt", GroupX25519, 32, SignatureECDSAP256SHA256, 0},
	}
	for _, tt := range tests {
		data := findCapture(t, tt.file, "s2c", "ServerKeyExchange", 0)
		var ske ServerKeyExchange
		if err := ske.Unmarshal(data); err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		p, err := ParseECDHEParams(ske.Body)
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if p.Group != tt.group || len(p.Public) != tt.public || p.Signature.Algorithm != tt.alg {
			t.Errorf("%s: got %v, %d-byte point, %v; want %v, %d, %v", tt.file, p.Group, len(p.Public), p.Signature.Algorithm, tt.group, tt.public, tt.alg)
		}
		if tt.group == GroupP384 && p.Public[0] != 4 {
			t.Errorf("%s: P-384 point is not uncompressed", tt.file)
		}
		if tt.sigLen != 0 && len(p.Signature.Signature) != tt.sigLen || tt.sigLen == 0 && p.Signature.Signature[0] != 0x30 {
			t.Errorf("%s: unexpected %d-byte signature", tt.file, len(p.Signature.Signature))
		}
		// The signed part is exactly what AppendECDHEParams produces.
		if want := AppendECDHEParams(nil, p.Group, p.Public); !bytes.Equal(p.Raw, want) || !bytes.HasPrefix(ske.Body, p.Raw) {
			t.Errorf("%s: Raw = %x, want %x", tt.file, p.Raw, want)
		}
		if body, err := p.Marshal(); err != nil || !bytes.Equal(body, ske.Body) {
			t.Errorf("%s: Marshal = %x, %v; want %x", tt.file, body, err, ske.Body)
		}
		if out, err := ske.Marshal(); err != nil || !bytes.Equal(out, data) {
			t.Errorf("%s: re-encoding differs (%v)", tt.file, err)
		}
		// The group must be one the client offered.
		var ch ClientHello
		if err := ch.Unmarshal(findCapture(t, tt.file, "c2s", "ClientHello", 0)); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(ch.SupportedGroups, p.Group) {
			t.Errorf("%s: group %v not in the offered %v", tt.file, p.Group, ch.SupportedGroups)
		}
	}
}

func TestDHEParamsCaptured(t *testing.T) {
	file := "openssl-3.0.19-dhe-rsa-renegotiation.txt"
	var ske ServerKeyExchange
	if err := ske.Unmarshal(findCapture(t, file, "s2c", "ServerKeyExchange", 0)); err != nil {
		t.Fatal(err)
	}
	p, err := ParseDHEParams(ske.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.P, mustHex(t, rfc3526Group14)) || !bytes.Equal(p.G, []byte{2}) || len(p.Ys) != 256 {
		t.Errorf("got p=%x g=%x and a %d-byte Ys", p.P, p.G, len(p.Ys))
	}
	if p.Signature.Algorithm != SignatureRSAPSSRSAESHA256 || len(p.Signature.Signature) != 256 {
		t.Errorf("signature %v, %d bytes", p.Signature.Algorithm, len(p.Signature.Signature))
	}
	if want := AppendDHEParams(nil, p.P, p.G, p.Ys); !bytes.Equal(p.Raw, want) {
		t.Errorf("Raw differs from AppendDHEParams")
	}
	if body, err := p.Marshal(); err != nil || !bytes.Equal(body, ske.Body) {
		t.Errorf("Marshal differs (%v)", err)
	}
}

func TestECDHEParamsErrors(t *testing.T) {
	tests := []struct{ body, what string }{
		{"", "curve_type: truncated"},
		{"01 0017 01 aa 0403 0000", "curve_type 1 is not named_curve"}, // explicit_prime, deprecated
		{"02 0017 01 aa 0403 0000", "curve_type 2 is not named_curve"}, // explicit_char2, deprecated
		{"03 00", "namedcurve: truncated"},
		{"03 001d", "ECPoint: truncated"},
		{"03 001d 00 0403 0000", "ECPoint: length 0 outside <1..255>"},
		{"03 001d 02 aa", "ECPoint: truncated"},
		{"03 001d 01 aa", "signature algorithm: truncated"},
		{"03 001d 01 aa 0403 0002 bb", "signature: truncated"},
		{"03 001d 01 aa 0403 0000 00", "ServerKeyExchange body: 1 trailing bytes"},
	}
	for _, tt := range tests {
		_, err := ParseECDHEParams(mustHex(t, tt.body))
		wantDecodeError(t, err, AlertDecodeError, tt.what)
		var de *DecodeError
		if errors.As(err, &de) && de.Type != HandshakeTypeServerKeyExchange {
			t.Errorf("%s: Type %v", tt.body, de.Type)
		}
	}
	if b := AppendECDHEParams([]byte{1}, GroupX25519, nil); b != nil {
		t.Errorf("AppendECDHEParams with an empty point = %x, want nil", b)
	}
	if b := AppendECDHEParams([]byte{1}, GroupX25519, make([]byte, 256)); b != nil {
		t.Errorf("AppendECDHEParams with a 256-byte point = %d bytes, want nil", len(b))
	}
	_, err := (&ECDHEParams{Group: GroupX25519}).Marshal()
	wantDecodeError(t, err, AlertInternalError, "ECPoint: length 0")
	_, err = (&ECDHEParams{Public: []byte{1}, Signature: DigitallySigned{Signature: make([]byte, 1<<16)}}).Marshal()
	wantDecodeError(t, err, AlertInternalError, "signature: length 65536")
}

func TestDHEParamsErrors(t *testing.T) {
	tests := []struct{ body, what string }{
		{"", "dh_p: truncated"},
		{"0000 0001 02 0001 05 0403 0000", "dh_p: length 0 outside <1..65535>"},
		{"0001 17 0000 0001 05 0403 0000", "dh_g: length 0 outside <1..65535>"},
		{"0001 17 0001 02 0000 0403 0000", "dh_Ys: length 0 outside <1..65535>"},
		{"0001 17 0001 02 0001 05", "signature algorithm: truncated"},
		{"0001 17 0001 02 0001 05 0403 0000 ff", "ServerKeyExchange body: 1 trailing bytes"},
	}
	for _, tt := range tests {
		_, err := ParseDHEParams(mustHex(t, tt.body))
		wantDecodeError(t, err, AlertDecodeError, tt.what)
	}
	if b := AppendDHEParams(nil, []byte{23}, nil, []byte{5}); b != nil {
		t.Errorf("AppendDHEParams with an empty g = %x, want nil", b)
	}
	if b := AppendDHEParams(nil, make([]byte, 1<<16), []byte{2}, []byte{5}); b != nil {
		t.Errorf("AppendDHEParams with a 65536-byte p = %d bytes, want nil", len(b))
	}
	_, err := (&DHEParams{P: []byte{23}, G: []byte{2}}).Marshal()
	wantDecodeError(t, err, AlertInternalError, "dh_Ys: length 0")
}

func FuzzServerKeyExchange(f *testing.F) {
	fuzzCanonical[ServerKeyExchange](f, "ServerKeyExchange")
}

// skeBodies returns the bodies of the captured ServerKeyExchange messages.
func skeBodies(f *testing.F) [][]byte {
	var out [][]byte
	for _, c := range capturesNamed(f, "ServerKeyExchange") {
		out = append(out, c.Data[HandshakeHeaderLen:])
	}
	return out
}

func FuzzECDHEParams(f *testing.F) {
	for _, b := range skeBodies(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseECDHEParams(body)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			return
		}
		out, err := p.Marshal()
		if err != nil || !bytes.Equal(out, body) {
			t.Fatalf("Marshal = %x, %v; want %x", out, err, body)
		}
		if !bytes.Equal(p.Raw, AppendECDHEParams(nil, p.Group, p.Public)) {
			t.Fatalf("Raw %x is not the encoded params", p.Raw)
		}
	})
}

func FuzzDHEParams(f *testing.F) {
	for _, b := range skeBodies(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseDHEParams(body)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			return
		}
		out, err := p.Marshal()
		if err != nil || !bytes.Equal(out, body) {
			t.Fatalf("Marshal = %x, %v; want %x", out, err, body)
		}
		if !bytes.Equal(p.Raw, AppendDHEParams(nil, p.P, p.G, p.Ys)) {
			t.Fatalf("Raw %x is not the encoded params", p.Raw)
		}
	})
}
