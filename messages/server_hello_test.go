package messages

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	"pgregory.net/rapid"
)

// serverHelloFixedOrder is the documented order of the ServerHello
// extension fields, used when ExtensionOrder is nil.
var serverHelloFixedOrder = []ExtensionType{
	ExtensionServerName, ExtensionStatusRequest, ExtensionECPointFormats,
	ExtensionALPN, ExtensionSCT, ExtensionEncryptThenMAC,
	ExtensionExtendedMasterSecret, ExtensionRecordSizeLimit,
	ExtensionSessionTicket, ExtensionSupportedVersions,
	ExtensionRenegotiationInfo,
}

// genServerHello generates valid ServerHellos whose ExtensionOrder is a
// random wire order, as Unmarshal would report it.
func genServerHello() *rapid.Generator[ServerHello] {
	return rapid.Custom(func(t *rapid.T) ServerHello {
		var m ServerHello
		m.Version = rapid.Uint16().Draw(t, "version")
		copy(m.Random[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "random"))
		m.SessionID = genOpaque(0, 32).Draw(t, "session_id")
		m.CipherSuite = rapid.Uint16().Draw(t, "cipher_suite")
		m.CompressionMethod = rapid.Uint8().Draw(t, "compression_method")
		var present []ExtensionType
		has := func(t *rapid.T, typ ExtensionType) bool {
			if rapid.Bool().Draw(t, typ.String()) {
				present = append(present, typ)
				return true
			}
			return false
		}
		m.ServerNameAck = has(t, ExtensionServerName)
		m.StatusRequest = has(t, ExtensionStatusRequest)
		if has(t, ExtensionECPointFormats) {
			m.SupportedPoints = genOpaque(1, 4).Draw(t, "points")
		}
		if has(t, ExtensionALPN) {
			m.ALPNProtocol = string(genOpaque(1, 12).Draw(t, "alpn"))
		}
		if has(t, ExtensionSCT) {
			m.SCTs = rapid.SliceOfN(genOpaque(1, 20), 1, 3).Draw(t, "scts")
		}
		m.EncryptThenMAC = has(t, ExtensionEncryptThenMAC)
		m.ExtendedMasterSecret = has(t, ExtensionExtendedMasterSecret)
		if has(t, ExtensionRecordSizeLimit) {
			m.RecordSizeLimit = rapid.Uint16Min(64).Draw(t, "record_size_limit")
		}
		m.SessionTicketSupported = has(t, ExtensionSessionTicket)
		if has(t, ExtensionSupportedVersions) {
			m.SupportedVersion = rapid.Uint16Min(1).Draw(t, "selected_version")
		}
		if has(t, ExtensionRenegotiationInfo) {
			m.SecureRenegotiationSupported = true
			m.SecureRenegotiation = genOpaque(0, 24).Draw(t, "renegotiated_connection")
		}
		unknown := genUnknownExtensions(serverHelloKnown).Draw(t, "unknown")
		m.HasExtensions = len(present)+len(unknown) > 0 || rapid.Bool().Draw(t, "empty block")
		if m.HasExtensions {
			m.ExtensionOrder, m.Unknown = orderFor(t, present, unknown)
		}
		return m
	})
}

func TestServerHelloRoundTrip(t *testing.T) {
	checkRoundTrip[ServerHello](t, genServerHello())
}

// TestServerHelloFixedOrder checks that without ExtensionOrder, Marshal
// writes the extensions in the documented order, then Unknown.
func TestServerHelloFixedOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := genServerHello().Draw(t, "m")
		set := map[ExtensionType]bool{}
		for _, typ := range m.ExtensionOrder {
			set[typ] = true
		}
		var want []ExtensionType
		for _, typ := range serverHelloFixedOrder {
			if set[typ] {
				want = append(want, typ)
			}
		}
		want = append(want, typesOf(m.Unknown)...)

		m.ExtensionOrder = nil
		b, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		var got ServerHello
		if err := got.Unmarshal(b); err != nil {
			t.Fatal(err)
		}
		if len(want) > 0 && !slices.Equal(got.ExtensionOrder, want) || len(want) == 0 && len(got.ExtensionOrder) != 0 {
			t.Fatalf("wire order %v, want %v", got.ExtensionOrder, want)
		}
		got.ExtensionOrder = nil
		if !reflect.DeepEqual(got, m) {
			t.Fatalf("got %#v, want %#v", got, m)
		}
	})
}

func TestServerHelloCaptured(t *testing.T) {
	tests := []struct {
		file        string
		suite       uint16
		alpn        string
		status, ems bool
	}{
		{"openssl-3.0.19-ecdhe-rsa-clientauth.txt", 0xc02f, "h2", false, true},
		{"openssl-3.0.19-rsa-kex-ocsp.txt", 0x009c, "", true, true},
		{"openssl-3.0.19-ecdhe-ecdsa-p384.txt", 0xc02c, "", false, true},
		{"openssl-3.0.19-dhe-rsa-renegotiation.txt", 0x009e, "", false, true},
		{"go-1.26.8-ecdsa-clientauth-resumption.txt", 0xc02b, "h2", true, true},
		{"go-1.26.8-ecdhe-rsa.txt", 0xc02f, "", false, true},
		{"go-1.26.8-rsa-kex.txt", 0x009c, "", false, true},
	}
	for _, tt := range tests {
		data := findCapture(t, tt.file, "s2c", "ServerHello", 0)
		var m ServerHello
		if err := m.Unmarshal(data); err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if m.Version != VersionTLS12 || m.CipherSuite != tt.suite || m.CompressionMethod != CompressionNull ||
			m.ALPNProtocol != tt.alpn || m.StatusRequest != tt.status || m.ExtendedMasterSecret != tt.ems ||
			!m.SecureRenegotiationSupported || m.SecureRenegotiation != nil || m.SupportedVersion != 0 {
			t.Errorf("%s: unexpected fields %+v", tt.file, m)
		}
		// None of these servers supports TLS 1.3, so none writes the
		// downgrade sentinel of RFC 8446, Section 4.1.3, even to the
		// TLS 1.3-capable Go client.
		if bytes.Contains(m.Random[:], []byte("DOWNGRD")) {
			t.Errorf("%s: downgrade sentinel in %x", tt.file, m.Random)
		}
		if out, err := m.Marshal(); err != nil || !bytes.Equal(out, data) {
			t.Errorf("%s: re-encoding differs (%v)", tt.file, err)
		}
	}

	// Go's server sent the SCTs it was configured with.
	var m ServerHello
	if err := m.Unmarshal(findCapture(t, "go-1.26.8-ecdsa-clientauth-resumption.txt", "s2c", "ServerHello", 0)); err != nil {
		t.Fatal(err)
	}
	if want := [][]byte{[]byte("fake SCT one"), []byte("fake SCT two")}; !reflect.DeepEqual(m.SCTs, want) {
		t.Errorf("SCTs %q, want %q", m.SCTs, want)
	}

	// RFC 5746, Section 3.5: the renegotiating ServerHello carries
	// client_verify_data || server_verify_data of the previous handshake.
	file := "openssl-3.0.19-dhe-rsa-renegotiation.txt"
	var cf, sf Finished
	if err := cf.Unmarshal(findCapture(t, file, "c2s", "Finished", 0)); err != nil {
		t.Fatal(err)
	}
	if err := sf.Unmarshal(findCapture(t, file, "s2c", "Finished", 0)); err != nil {
		t.Fatal(err)
	}
	if err := m.Unmarshal(findCapture(t, file, "s2c", "ServerHello", 1)); err != nil {
		t.Fatal(err)
	}
	if want := append(append([]byte{}, cf.VerifyData...), sf.VerifyData...); !bytes.Equal(m.SecureRenegotiation, want) {
		t.Errorf("renegotiated_connection %x, want %x", m.SecureRenegotiation, want)
	}
}

// rawServerHello returns a ServerHello with fixed fields and the given raw
// extensions; with no arguments it has no extensions block.
func rawServerHello(exts ...[]byte) []byte {
	return handshake(HandshakeTypeServerHello, build(func(b *cryptobyte.Builder) {
		b.AddUint16(VersionTLS12)
		b.AddBytes(make([]byte, 32))
		b.AddUint8(0)
		b.AddUint16(0xc02f)
		b.AddUint8(0)
		if len(exts) > 0 {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, e := range exts {
					b.AddBytes(e)
				}
			})
		}
	}))
}

func TestServerHelloErrors(t *testing.T) {
	tests := []struct {
		name  string
		data  []byte
		alert AlertDescription
		what  string
	}{
		{"duplicate extension", rawServerHello(ext(t, 0xff01, "00"), ext(t, 0xff01, "00")), AlertDecodeError, "duplicate extension renegotiation_info"},
		{"non-empty server_name", rawServerHello(ext(t, 0, "0000")), AlertDecodeError, "server_name: 2 trailing bytes"},
		{"non-empty status_request", rawServerHello(ext(t, 5, "01")), AlertDecodeError, "status_request: 1 trailing bytes"},
		{"non-empty session_ticket", rawServerHello(ext(t, 35, "00")), AlertDecodeError, "session_ticket: 1 trailing bytes"},
		{"two ALPN protocols", rawServerHello(ext(t, 16, "0006 02 6832 02 6833")), AlertDecodeError, "holds 2 names, not exactly one"},
		{"empty ALPN list", rawServerHello(ext(t, 16, "0000")), AlertDecodeError, "protocol_name_list: length 0"},
		{"empty SCT list", rawServerHello(ext(t, 18, "0000")), AlertDecodeError, "sct_list: length 0"},
		{"empty SCT", rawServerHello(ext(t, 18, "0002 0000")), AlertDecodeError, "SerializedSCT: length 0"},
		{"SCT trailing", rawServerHello(ext(t, 18, "0003 0001 aa 00")), AlertDecodeError, "signed_certificate_timestamp: 1 trailing bytes"},
		{"empty ec_point_formats", rawServerHello(ext(t, 11, "00")), AlertDecodeError, "ec_point_format_list: length 0"},
		{"record_size_limit 63", rawServerHello(ext(t, 28, "003f")), AlertIllegalParameter, "record_size_limit 63 below 64"},
		{"selected_version 0", rawServerHello(ext(t, 43, "0000")), AlertIllegalParameter, "selected_version 0"},
		{"selected_version truncated", rawServerHello(ext(t, 43, "03")), AlertDecodeError, "selected_version: truncated"},
		{"selected_version as a list", rawServerHello(ext(t, 43, "02 0304")), AlertDecodeError, "supported_versions: 1 trailing bytes"},
		{"long session_id", handshake(HandshakeTypeServerHello, mustHex(t, "0303"+strings.Repeat("00", 32)+"21"+strings.Repeat("00", 33)+"c02f00")), AlertDecodeError, "session_id: length 33"},
		{"missing compression_method", handshake(HandshakeTypeServerHello, mustHex(t, "0303"+strings.Repeat("00", 32)+"00c02f")), AlertDecodeError, "compression_method: truncated"},
		{"trailing after block", handshake(HandshakeTypeServerHello, mustHex(t, "0303"+strings.Repeat("00", 32)+"00c02f00 0000 00")), AlertDecodeError, "hello body: 1 trailing bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantDecodeError(t, new(ServerHello).Unmarshal(tt.data), tt.alert, tt.what)
		})
	}
}

func TestServerHelloUnknownExtensions(t *testing.T) {
	// Extensions a ServerHello has no field for, including ones a
	// ClientHello decodes, stay raw for the state machine to reject.
	data := rawServerHello(ext(t, ExtensionSupportedGroups, "0002001d"), ext(t, 0x1a1a, ""), ext(t, 23, ""))
	var m ServerHello
	if err := m.Unmarshal(data); err != nil {
		t.Fatal(err)
	}
	want := []Extension{{Type: ExtensionSupportedGroups, Data: []byte{0, 2, 0, 0x1d}}, {Type: 0x1a1a}}
	if !reflect.DeepEqual(m.Unknown, want) || !m.ExtendedMasterSecret ||
		!slices.Equal(m.ExtensionOrder, []ExtensionType{ExtensionSupportedGroups, 0x1a1a, ExtensionExtendedMasterSecret}) {
		t.Errorf("got %+v", m)
	}
	if out, err := m.Marshal(); err != nil || !bytes.Equal(out, data) {
		t.Errorf("re-encoding differs (%v)", err)
	}
}

func TestServerHelloExtensionsPresence(t *testing.T) {
	var m ServerHello
	if err := m.Unmarshal(rawServerHello()); err != nil {
		t.Fatal(err)
	}
	if m.HasExtensions || m.ExtensionOrder != nil {
		t.Errorf("no block: HasExtensions=%v ExtensionOrder=%v", m.HasExtensions, m.ExtensionOrder)
	}
	data := rawServerHello([]byte{})
	if err := m.Unmarshal(data); err != nil {
		t.Fatal(err)
	}
	if !m.HasExtensions || m.ExtensionOrder == nil || len(m.ExtensionOrder) != 0 {
		t.Errorf("empty block: HasExtensions=%v ExtensionOrder=%#v", m.HasExtensions, m.ExtensionOrder)
	}
	if out, err := m.Marshal(); err != nil || !bytes.Equal(out, data) {
		t.Errorf("empty block re-encodes as %x, %v", out, err)
	}
}

func TestServerHelloMarshalErrors(t *testing.T) {
	tests := []struct {
		name string
		mod  func(m *ServerHello)
		what string
	}{
		{"long session_id", func(m *ServerHello) { m.SessionID = make([]byte, 33) }, "session_id: length 33"},
		{"empty point list", func(m *ServerHello) { m.SupportedPoints = []uint8{} }, "ec_point_format_list: length 0"},
		{"long ALPN", func(m *ServerHello) { m.ALPNProtocol = strings.Repeat("x", 256) }, "ProtocolName: length 256"},
		{"empty SCT list", func(m *ServerHello) { m.SCTs = [][]byte{} }, "sct_list: length 0"},
		{"empty SCT", func(m *ServerHello) { m.SCTs = [][]byte{{1}, {}} }, "SerializedSCT 1: length 0"},
		{"record_size_limit 1", func(m *ServerHello) { m.RecordSizeLimit = 1 }, "record_size_limit 1 below 64"},
		{"renegotiation without flag", func(m *ServerHello) { m.SecureRenegotiation = []byte{1} }, "without SecureRenegotiationSupported"},
		{"long renegotiated_connection", func(m *ServerHello) {
			m.SecureRenegotiationSupported, m.SecureRenegotiation = true, make([]byte, 256)
		}, "renegotiated_connection: length 256"},
		{"known type in Unknown", func(m *ServerHello) { m.Unknown = []Extension{{Type: ExtensionRenegotiationInfo}} }, "Unknown holds decoded extension renegotiation_info"},
		{"order omits", func(m *ServerHello) { m.ServerNameAck, m.ExtensionOrder = true, []ExtensionType{} }, "ExtensionOrder omits server_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ServerHello{Version: VersionTLS12, CipherSuite: 0xc02f}
			tt.mod(&m)
			_, err := m.Marshal()
			wantDecodeError(t, err, AlertInternalError, tt.what)
		})
	}
}

// FuzzServerHello checks that parsing never panics and fails only with a
// *DecodeError, and that Marshal is idempotent on anything that parses
// (Unmarshal(Marshal(m)) == m, re-marshalled identically). ExtensionOrder
// preserves the wire order, and no ServerHello extension is lossy, so it
// also checks that the re-encoding equals the input.
func FuzzServerHello(f *testing.F) {
	for _, c := range capturesNamed(f, "ServerHello") {
		f.Add(c.Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m ServerHello
		if err := m.Unmarshal(data); err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			return
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed ServerHello: %v", err)
		}
		var m2 ServerHello
		if err := m2.Unmarshal(out); err != nil {
			t.Fatalf("Unmarshal(Marshal(m)): %v", err)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("Unmarshal(Marshal(m)) != m\n got %#v\nwant %#v", m2, m)
		}
		if out2, err := m2.Marshal(); err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("Marshal is not idempotent (%v)", err)
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("re-encoding differs\n got %x\nwant %x", out, data)
		}
	})
}
