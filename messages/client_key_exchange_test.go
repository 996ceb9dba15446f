package messages

import (
	"bytes"
	"errors"
	"testing"

	"pgregory.net/rapid"
)

func genClientKeyExchange() *rapid.Generator[ClientKeyExchange] {
	return rapid.Custom(func(t *rapid.T) ClientKeyExchange {
		return ClientKeyExchange{Body: genOpaque(0, 80).Draw(t, "body")}
	})
}

func TestClientKeyExchangeRoundTrip(t *testing.T) {
	checkRoundTrip[ClientKeyExchange](t, genClientKeyExchange())
}

// TestClientKeyExchangeConstructors checks that each constructor's body
// decodes with its accessor, and only lengths the RFC allows are accepted.
func TestClientKeyExchangeConstructors(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := genOpaque(0, 300).Draw(t, "v")
		for _, c := range []struct {
			name     string
			new      func([]byte) *ClientKeyExchange
			get      func(*ClientKeyExchange) ([]byte, error)
			min, max int
			prefix   int
		}{
			{"ECDHE", NewECDHEClientKeyExchange, (*ClientKeyExchange).ECDHEPublic, 1, 255, 1},
			{"DHE", NewDHEClientKeyExchange, (*ClientKeyExchange).DHEPublic, 1, 65535, 2},
			{"RSA", NewRSAClientKeyExchange, (*ClientKeyExchange).RSAEncryptedPremaster, 0, 65535, 2},
		} {
			m := c.new(v)
			if len(v) < c.min || len(v) > c.max {
				if m != nil {
					t.Fatalf("%s: a %d-byte value was accepted", c.name, len(v))
				}
				continue
			}
			if m == nil || len(m.Body) != c.prefix+len(v) {
				t.Fatalf("%s: constructor returned %+v", c.name, m)
			}
			got, err := c.get(m)
			if err != nil || !bytes.Equal(got, v) {
				t.Fatalf("%s: accessor = %x, %v; want %x", c.name, got, err, v)
			}
		}
	})
}

func TestClientKeyExchangeCaptured(t *testing.T) {
	tests := []struct {
		file string
		get  func(*ClientKeyExchange) ([]byte, error)
		n    int
	}{
		{"openssl-3.0.19-ecdhe-rsa-clientauth.txt", (*ClientKeyExchange).ECDHEPublic, 32},
		{"openssl-3.0.19-ecdhe-ecdsa-p384.txt", (*ClientKeyExchange).ECDHEPublic, 97},
		{"go-1.26.8-ecdhe-rsa.txt", (*ClientKeyExchange).ECDHEPublic, 32},
		{"openssl-3.0.19-dhe-rsa-renegotiation.txt", (*ClientKeyExchange).DHEPublic, 256},
		{"openssl-3.0.19-rsa-kex-ocsp.txt", (*ClientKeyExchange).RSAEncryptedPremaster, 256},
		{"go-1.26.8-rsa-kex.txt", (*ClientKeyExchange).RSAEncryptedPremaster, 256},
	}
	for _, tt := range tests {
		data := findCapture(t, tt.file, "c2s", "ClientKeyExchange", 0)
		var m ClientKeyExchange
		if err := m.Unmarshal(data); err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		v, err := tt.get(&m)
		if err != nil || len(v) != tt.n {
			t.Errorf("%s: accessor = %d bytes, %v; want %d bytes", tt.file, len(v), err, tt.n)
		}
		if out, err := m.Marshal(); err != nil || !bytes.Equal(out, data) {
			t.Errorf("%s: re-encoding differs (%v)", tt.file, err)
		}
	}
}

func TestClientKeyExchangeErrors(t *testing.T) {
	tests := []struct {
		body string
		get  func(*ClientKeyExchange) ([]byte, error)
		what string
	}{
		{"", (*ClientKeyExchange).ECDHEPublic, "ecdh_Yc: truncated"},
		{"00", (*ClientKeyExchange).ECDHEPublic, "ecdh_Yc: length 0 outside <1..255>"},
		{"02 aa", (*ClientKeyExchange).ECDHEPublic, "ecdh_Yc: truncated"},
		{"01 aa bb", (*ClientKeyExchange).ECDHEPublic, "ClientKeyExchange body: 1 trailing bytes"},
		{"0000", (*ClientKeyExchange).DHEPublic, "dh_Yc: length 0 outside <1..65535>"},
		{"0001", (*ClientKeyExchange).DHEPublic, "dh_Yc: truncated"},
		{"0001 aa bb", (*ClientKeyExchange).DHEPublic, "ClientKeyExchange body: 1 trailing bytes"},
		{"00", (*ClientKeyExchange).RSAEncryptedPremaster, "EncryptedPreMasterSecret: truncated"},
		{"0100 aa", (*ClientKeyExchange).RSAEncryptedPremaster, "EncryptedPreMasterSecret: truncated"},
		{"0001 aa bb", (*ClientKeyExchange).RSAEncryptedPremaster, "ClientKeyExchange body: 1 trailing bytes"},
	}
	for _, tt := range tests {
		m := &ClientKeyExchange{Body: mustHex(t, tt.body)}
		_, err := tt.get(m)
		wantDecodeError(t, err, AlertDecodeError, tt.what)
		var de *DecodeError
		if errors.As(err, &de) && de.Type != HandshakeTypeClientKeyExchange {
			t.Errorf("%s: Type %v", tt.body, de.Type)
		}
	}
	// SSLv3-style RSA ciphertext without a length prefix is rejected.
	m := &ClientKeyExchange{Body: bytes.Repeat([]byte{0x5a}, 256)}
	_, err := m.RSAEncryptedPremaster()
	wantDecodeError(t, err, AlertDecodeError, "EncryptedPreMasterSecret")
	// An empty RSA ciphertext is well-formed; decryption will fail.
	m = &ClientKeyExchange{Body: []byte{0, 0}}
	if v, err := m.RSAEncryptedPremaster(); err != nil || v != nil {
		t.Errorf("empty EncryptedPreMasterSecret = %x, %v", v, err)
	}
	// Unencodable input: nil constructors, and Marshal on nil.
	nilCKE := NewECDHEClientKeyExchange(make([]byte, 256))
	if nilCKE != nil {
		t.Fatalf("NewECDHEClientKeyExchange accepted 256 bytes")
	}
	_, err = nilCKE.Marshal()
	wantDecodeError(t, err, AlertInternalError, "nil message")
	_, err = nilCKE.ECDHEPublic()
	wantDecodeError(t, err, AlertDecodeError, "nil message")
}

func FuzzClientKeyExchange(f *testing.F) {
	for _, c := range capturesNamed(f, "ClientKeyExchange") {
		f.Add(c.Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m ClientKeyExchange
		if err := m.Unmarshal(data); err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			return
		}
		if out, err := m.Marshal(); err != nil || !bytes.Equal(out, data) {
			t.Fatalf("Marshal = %x, %v; want %x", out, err, data)
		}
		// Whatever an accessor accepts, the matching constructor
		// re-encodes to the same body.
		for _, c := range []struct {
			get func(*ClientKeyExchange) ([]byte, error)
			new func([]byte) *ClientKeyExchange
		}{
			{(*ClientKeyExchange).ECDHEPublic, NewECDHEClientKeyExchange},
			{(*ClientKeyExchange).DHEPublic, NewDHEClientKeyExchange},
			{(*ClientKeyExchange).RSAEncryptedPremaster, NewRSAClientKeyExchange},
		} {
			v, err := c.get(&m)
			if err != nil {
				var de *DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("error %v is not a *DecodeError", err)
				}
				continue
			}
			if n := c.new(v); n == nil || !bytes.Equal(n.Body, m.Body) {
				t.Fatalf("constructor(accessor(%x)) = %+v", m.Body, n)
			}
		}
	})
}
