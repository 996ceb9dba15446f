package messages

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	"pgregory.net/rapid"
)

// clientHelloFixedOrder is the documented order of the ClientHello
// extension fields, used when ExtensionOrder is nil.
var clientHelloFixedOrder = []ExtensionType{
	ExtensionServerName, ExtensionStatusRequest, ExtensionSupportedGroups,
	ExtensionECPointFormats, ExtensionSignatureAlgorithms,
	ExtensionSignatureAlgorithmsCert, ExtensionALPN, ExtensionSCT,
	ExtensionEncryptThenMAC, ExtensionExtendedMasterSecret,
	ExtensionRecordSizeLimit, ExtensionSessionTicket,
	ExtensionSupportedVersions, ExtensionRenegotiationInfo, ExtensionPadding,
}

// genClientHello generates valid ClientHellos whose ExtensionOrder is a
// random wire order, as Unmarshal would report it.
func genClientHello() *rapid.Generator[ClientHello] {
	return rapid.Custom(func(t *rapid.T) ClientHello {
		var m ClientHello
		m.Version = rapid.Uint16().Draw(t, "version")
		copy(m.Random[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "random"))
		m.SessionID = genOpaque(0, 32).Draw(t, "session_id")
		m.CipherSuites = genU16s[uint16](1, 20).Draw(t, "cipher_suites")
		m.CompressionMethods = genOpaque(1, 3).Draw(t, "compression_methods")
		var present []ExtensionType
		has := func(t *rapid.T, typ ExtensionType) bool {
			if rapid.Bool().Draw(t, typ.String()) {
				present = append(present, typ)
				return true
			}
			return false
		}
		if has(t, ExtensionServerName) {
			m.ServerName = genHostName().Draw(t, "host_name")
		}
		if has(t, ExtensionStatusRequest) {
			m.StatusRequest = true
			ids := rapid.SliceOfN(genOpaque(1, 10), 0, 3).Draw(t, "responder_ids")
			if len(ids) > 0 {
				m.StatusRequestResponderIDs = ids
			}
			m.StatusRequestExtensions = genOpaque(0, 10).Draw(t, "request_extensions")
		}
		if has(t, ExtensionSupportedGroups) {
			m.SupportedGroups = genU16s[NamedGroup](1, 10).Draw(t, "groups")
		}
		if has(t, ExtensionECPointFormats) {
			m.SupportedPoints = genOpaque(1, 4).Draw(t, "points")
		}
		if has(t, ExtensionSignatureAlgorithms) {
			m.SignatureAlgorithms = genU16s[SignatureScheme](1, 10).Draw(t, "sigalgs")
		}
		if has(t, ExtensionSignatureAlgorithmsCert) {
			m.SignatureAlgorithmsCert = genU16s[SignatureScheme](1, 10).Draw(t, "sigalgs_cert")
		}
		if has(t, ExtensionALPN) {
			m.ALPNProtocols = genProtocolNames().Draw(t, "alpn")
		}
		m.SCT = has(t, ExtensionSCT)
		m.EncryptThenMAC = has(t, ExtensionEncryptThenMAC)
		m.ExtendedMasterSecret = has(t, ExtensionExtendedMasterSecret)
		if has(t, ExtensionRecordSizeLimit) {
			m.RecordSizeLimit = rapid.Uint16Min(64).Draw(t, "record_size_limit")
		}
		if has(t, ExtensionSessionTicket) {
			m.SessionTicketSupported = true
			m.SessionTicket = genOpaque(0, 40).Draw(t, "ticket")
		}
		if has(t, ExtensionSupportedVersions) {
			m.SupportedVersions = genU16s[uint16](1, 8).Draw(t, "versions")
		}
		if has(t, ExtensionRenegotiationInfo) {
			m.SecureRenegotiationSupported = true
			m.SecureRenegotiation = genOpaque(0, 24).Draw(t, "renegotiated_connection")
		}
		if has(t, ExtensionPadding) {
			m.HasPadding = true
			m.PaddingLen = rapid.IntRange(0, 100).Draw(t, "padding")
		}
		unknown := genUnknownExtensions(clientHelloKnown).Draw(t, "unknown")
		m.HasExtensions = len(present)+len(unknown) > 0 || rapid.Bool().Draw(t, "empty block")
		if m.HasExtensions {
			m.ExtensionOrder, m.Unknown = orderFor(t, present, unknown)
		}
		return m
	})
}

func TestClientHelloRoundTrip(t *testing.T) {
	checkRoundTrip[ClientHello](t, genClientHello())
}

// TestClientHelloFixedOrder checks that without ExtensionOrder, Marshal
// writes the extensions in the documented order, then Unknown.
func TestClientHelloFixedOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := genClientHello().Draw(t, "m")
		set := map[ExtensionType]bool{}
		for _, typ := range m.ExtensionOrder {
			set[typ] = true
		}
		var want []ExtensionType
		for _, typ := range clientHelloFixedOrder {
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
		var got ClientHello
		if err := got.Unmarshal(b); err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 && got.ExtensionOrder != nil && len(got.ExtensionOrder) != 0 ||
			len(want) > 0 && !slices.Equal(got.ExtensionOrder, want) {
			t.Fatalf("wire order %v, want %v", got.ExtensionOrder, want)
		}
		got.ExtensionOrder = nil
		if !reflect.DeepEqual(got, m) {
			t.Fatalf("got %#v, want %#v", got, m)
		}
	})
}

func TestClientHelloCaptured(t *testing.T) {
	t.Run("openssl", func(t *testing.T) {
		var m ClientHello
		if err := m.Unmarshal(findCapture(t, "openssl-3.0.19-ecdhe-rsa-clientauth.txt", "c2s", "ClientHello", 0)); err != nil {
			t.Fatal(err)
		}
		if m.Version != VersionTLS12 || m.ServerName != "example.com" ||
			!slices.Equal(m.ALPNProtocols, []string{"h2", "http/1.1"}) ||
			!m.StatusRequest || !m.SessionTicketSupported || m.SessionTicket != nil ||
			!m.ExtendedMasterSecret || !m.EncryptThenMAC || m.SecureRenegotiationSupported ||
			!slices.Equal(m.CompressionMethods, []uint8{CompressionNull}) {
			t.Errorf("unexpected fields: %+v", m)
		}
		// -tls1_2 sends the renegotiation SCSV rather than the extension.
		for _, suite := range []uint16{0xc02f, 0x00ff} {
			if !slices.Contains(m.CipherSuites, suite) {
				t.Errorf("cipher_suites %x lack %#04x", m.CipherSuites, suite)
			}
		}
		if !slices.Contains(m.SupportedGroups, GroupX25519) || !slices.Contains(m.SupportedPoints, PointFormatUncompressed) ||
			!slices.Contains(m.SignatureAlgorithms, SignatureRSAPSSRSAESHA256) {
			t.Errorf("groups %v points %v sigalgs %v", m.SupportedGroups, m.SupportedPoints, m.SignatureAlgorithms)
		}
	})
	t.Run("go", func(t *testing.T) {
		file := "go-1.26.8-ecdsa-clientauth-resumption.txt"
		var m ClientHello
		if err := m.Unmarshal(findCapture(t, file, "c2s", "ClientHello", 0)); err != nil {
			t.Fatal(err)
		}
		// A TLS 1.3-capable client: supported_versions, and key_share
		// and psk_key_exchange_modes kept raw.
		if !slices.Equal(m.SupportedVersions, []uint16{VersionTLS13, VersionTLS12}) {
			t.Errorf("supported_versions %x", m.SupportedVersions)
		}
		for _, typ := range []ExtensionType{ExtensionKeyShare, ExtensionPSKKeyExchangeModes} {
			if !slices.Contains(typesOf(m.Unknown), typ) {
				t.Errorf("Unknown %v lacks %v", typesOf(m.Unknown), typ)
			}
		}
		if m.ServerName != "example.com" || !m.SCT || !m.StatusRequest || !m.ExtendedMasterSecret ||
			!m.SecureRenegotiationSupported || m.SecureRenegotiation != nil ||
			!slices.Equal(m.ALPNProtocols, []string{"h2", "http/1.1"}) {
			t.Errorf("unexpected fields: %+v", m)
		}
		// The resuming ClientHello carries the ticket the server issued.
		var nst NewSessionTicket
		if err := nst.Unmarshal(findCapture(t, file, "s2c", "NewSessionTicket", 0)); err != nil {
			t.Fatal(err)
		}
		var resume ClientHello
		if err := resume.Unmarshal(findCapture(t, file, "c2s", "ClientHello", 1)); err != nil {
			t.Fatal(err)
		}
		if !resume.SessionTicketSupported || !bytes.Equal(resume.SessionTicket, nst.Ticket) {
			t.Errorf("resumption ticket %x, want %x", resume.SessionTicket, nst.Ticket)
		}
		var sh ServerHello
		if err := sh.Unmarshal(findCapture(t, file, "s2c", "ServerHello", 1)); err != nil {
			t.Fatal(err)
		}
		if len(resume.SessionID) != 32 || !bytes.Equal(sh.SessionID, resume.SessionID) {
			t.Errorf("resumed session_id %x, offered %x", sh.SessionID, resume.SessionID)
		}
	})
	t.Run("renegotiation", func(t *testing.T) {
		// RFC 5746, Section 3.5: the renegotiating ClientHello carries
		// the client_verify_data of the previous handshake.
		file := "openssl-3.0.19-dhe-rsa-renegotiation.txt"
		var fin Finished
		if err := fin.Unmarshal(findCapture(t, file, "c2s", "Finished", 0)); err != nil {
			t.Fatal(err)
		}
		var m ClientHello
		if err := m.Unmarshal(findCapture(t, file, "c2s", "ClientHello", 1)); err != nil {
			t.Fatal(err)
		}
		if !m.SecureRenegotiationSupported || !bytes.Equal(m.SecureRenegotiation, fin.VerifyData) {
			t.Errorf("renegotiated_connection %x, want %x", m.SecureRenegotiation, fin.VerifyData)
		}
	})
	t.Run("all", func(t *testing.T) {
		for _, c := range capturesNamed(t, "ClientHello") {
			var m ClientHello
			if err := m.Unmarshal(c.Data); err != nil {
				t.Errorf("%s:%d: %v", c.File, c.Line, err)
				continue
			}
			if out, err := m.Marshal(); err != nil || !bytes.Equal(out, c.Data) {
				t.Errorf("%s:%d: re-encoding differs (%v)", c.File, c.Line, err)
			}
		}
	})
}

// rawClientHello returns a ClientHello with fixed fields (TLS 1.2, zero
// random, empty session_id, one suite, null compression) and the given
// raw extensions; with no arguments it has no extensions block.
func rawClientHello(exts ...[]byte) []byte {
	return handshake(HandshakeTypeClientHello, build(func(b *cryptobyte.Builder) {
		b.AddUint16(VersionTLS12)
		b.AddBytes(make([]byte, 32))
		b.AddUint8(0)
		b.AddBytes([]byte{0, 2, 0xc0, 0x2f})
		b.AddBytes([]byte{1, 0})
		if len(exts) > 0 {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, e := range exts {
					b.AddBytes(e)
				}
			})
		}
	}))
}

// ext encodes one extension with the given hex extension_data.
func ext(t testing.TB, typ ExtensionType, data string) []byte {
	d := mustHex(t, data)
	return build(func(b *cryptobyte.Builder) {
		b.AddUint16(uint16(typ))
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(d) })
	})
}

func TestClientHelloExtensionErrors(t *testing.T) {
	// Many distinct unknown extensions, so duplicate detection passes from
	// its small array to its map.
	many := func(extra ...[]byte) [][]byte {
		var out [][]byte
		for i := range 40 {
			out = append(out, ext(t, ExtensionType(0x2000+i), ""))
		}
		return append(out, extra...)
	}
	sni := func(name string) string { // a one-entry server_name_list
		n := len(name)
		return hex.EncodeToString(append([]byte{0, byte(n + 3), 0, 0, byte(n)}, name...))
	}
	tests := []struct {
		name  string
		exts  [][]byte
		alert AlertDescription
		what  string
	}{
		// RFC 5246, Section 7.4.1.4 and BoGo DuplicateExtensionServer.
		{"duplicate extension", [][]byte{ext(t, 23, ""), ext(t, 23, "")}, AlertDecodeError, "duplicate extension extended_master_secret"},
		{"duplicate unknown extension", [][]byte{ext(t, 0x1234, "aa"), ext(t, 0x1234, "")}, AlertDecodeError, "duplicate extension ExtensionType(0x1234)"},
		{"duplicate of an early extension after many", many(ext(t, 0x2000, "")), AlertDecodeError, "duplicate extension ExtensionType(0x2000)"},
		{"duplicate of a late extension after many", many(ext(t, 0x2027, "")), AlertDecodeError, "duplicate extension ExtensionType(0x2027)"},
		// tlsfuzzer test-invalid-server-name-extension.
		{"empty SNI extension", [][]byte{ext(t, 0, "")}, AlertDecodeError, "server_name_list: truncated"},
		{"empty host list", [][]byte{ext(t, 0, "0000")}, AlertDecodeError, "server_name_list: length 0"},
		{"empty host name", [][]byte{ext(t, 0, "0003 00 0000")}, AlertDecodeError, "HostName: length 0"},
		{"SNI trailing data", [][]byte{ext(t, 0, "0004 00 0001 65 78")}, AlertDecodeError, "server_name: 1 trailing bytes"},
		{"SNI list overruns", [][]byte{ext(t, 0, "ffff ffff")}, AlertDecodeError, "server_name_list: truncated"},
		{"SNI with NUL", [][]byte{ext(t, 0, sni("exa\x00mple.com"))}, AlertIllegalParameter, "not printable ASCII"},
		{"SNI with BEL", [][]byte{ext(t, 0, sni("exa\x07mple.com"))}, AlertIllegalParameter, "not printable ASCII"},
		{"SNI with UTF-8", [][]byte{ext(t, 0, sni("exa\xc4\x85mple.com"))}, AlertIllegalParameter, "not printable ASCII"},
		{"SNI with escape codes", [][]byte{ext(t, 0, sni("example.com\x1b[31mBAD\x1b[0;37m"))}, AlertIllegalParameter, "not printable ASCII"},
		{"two host names", [][]byte{ext(t, 0, "000c 00 0001 61 00 0001 62 00 0001 63")}, AlertIllegalParameter, "more than one host_name"},
		// RFC 6066, Section 3: an unknown name type is skipped by its
		// 16-bit length, which must fit.
		{"unknown name type truncated", [][]byte{ext(t, 0, "0004 01 0002 61")}, AlertDecodeError, "server_name data"},
		// tlsfuzzer test-alpn-negotiation.
		{"ALPN empty element", [][]byte{ext(t, 16, "0001 00")}, AlertDecodeError, "protocol_name_list: length 1"},
		{"ALPN empty element after a name", [][]byte{ext(t, 16, "0004 02 6832 00")}, AlertDecodeError, "ProtocolName: length 0"},
		{"ALPN empty list", [][]byte{ext(t, 16, "0000")}, AlertDecodeError, "protocol_name_list: length 0"},
		{"ALPN empty extension", [][]byte{ext(t, 16, "")}, AlertDecodeError, "protocol_name_list: truncated"},
		{"ALPN list underflow", [][]byte{ext(t, 16, "0002 02 6832")}, AlertDecodeError, "application_layer_protocol_negotiation: 1 trailing bytes"},
		{"ALPN list overflow", [][]byte{ext(t, 16, "0004 02 6832")}, AlertDecodeError, "protocol_name_list: truncated"},
		{"ALPN last item overflow", [][]byte{ext(t, 16, "0003 03 6832")}, AlertDecodeError, "ProtocolName: truncated"},
		// RFC 8422, Section 5.1 and tlsfuzzer test-point-extension.
		{"empty supported_groups", [][]byte{ext(t, 10, "0000")}, AlertDecodeError, "named_group_list: length 0"},
		{"odd supported_groups", [][]byte{ext(t, 10, "0003 001d00")}, AlertDecodeError, "named_group_list: odd length 3"},
		{"supported_groups trailing", [][]byte{ext(t, 10, "0002 001d 00")}, AlertDecodeError, "supported_groups: 1 trailing bytes"},
		{"empty ec_point_formats", [][]byte{ext(t, 11, "00")}, AlertDecodeError, "ec_point_format_list: length 0"},
		{"empty signature_algorithms", [][]byte{ext(t, 13, "0000")}, AlertDecodeError, "supported_signature_algorithms: length 0"},
		{"odd signature_algorithms", [][]byte{ext(t, 13, "0003 040304")}, AlertDecodeError, "supported_signature_algorithms: odd length 3"},
		{"odd signature_algorithms_cert", [][]byte{ext(t, 50, "0003 040304")}, AlertDecodeError, "signature_algorithms_cert: odd length 3"},
		{"empty supported_versions", [][]byte{ext(t, 43, "00")}, AlertDecodeError, "supported_versions: length 0"},
		{"odd supported_versions", [][]byte{ext(t, 43, "03 030303")}, AlertDecodeError, "supported_versions: odd length 3"},
		// RFC 8449, Section 4 and tlsfuzzer test-record-size-limit.
		{"record_size_limit 63", [][]byte{ext(t, 28, "003f")}, AlertIllegalParameter, "record_size_limit 63 below 64"},
		{"record_size_limit 0", [][]byte{ext(t, 28, "0000")}, AlertIllegalParameter, "record_size_limit 0 below 64"},
		{"empty record_size_limit", [][]byte{ext(t, 28, "")}, AlertDecodeError, "record_size_limit: truncated"},
		{"padded record_size_limit", [][]byte{ext(t, 28, "004000")}, AlertDecodeError, "record_size_limit: 1 trailing bytes"},
		// Empty-only extensions.
		{"non-empty EMS", [][]byte{ext(t, 23, "00")}, AlertDecodeError, "extended_master_secret: 1 trailing bytes"},
		{"non-empty EtM", [][]byte{ext(t, 22, "00")}, AlertDecodeError, "encrypt_then_mac: 1 trailing bytes"},
		{"non-empty SCT", [][]byte{ext(t, 18, "0000")}, AlertDecodeError, "signed_certificate_timestamp: 2 trailing bytes"},
		// RFC 7685, Section 3.
		{"non-zero padding", [][]byte{ext(t, 21, "000001")}, AlertIllegalParameter, "padding: non-zero byte"},
		// RFC 5746, Section 3.2.
		{"renegotiation_info overrun", [][]byte{ext(t, 0xff01, "02 aa")}, AlertDecodeError, "renegotiated_connection: truncated"},
		{"renegotiation_info trailing", [][]byte{ext(t, 0xff01, "00 00")}, AlertDecodeError, "renegotiation_info: 1 trailing bytes"},
		// RFC 6066, Section 8.
		{"status_request empty", [][]byte{ext(t, 5, "")}, AlertDecodeError, "status_type: truncated"},
		{"status_request truncated", [][]byte{ext(t, 5, "01 0000")}, AlertDecodeError, "request_extensions: truncated"},
		{"empty ResponderID", [][]byte{ext(t, 5, "01 0002 0000 0000")}, AlertDecodeError, "ResponderID: length 0"},
		{"status_request trailing", [][]byte{ext(t, 5, "01 0000 0000 00")}, AlertDecodeError, "status_request: 1 trailing bytes"},
		// The extensions framing itself (tlsfuzzer test-extensions).
		{"extension overruns block", [][]byte{mustHex(t, "0017 0001")}, AlertDecodeError, "extension_data: truncated"},
		{"half an extension type", [][]byte{mustHex(t, "00")}, AlertDecodeError, "extension_type: truncated"},
	}
	for _, tt := range tests {
		err := new(ClientHello).Unmarshal(rawClientHello(tt.exts...))
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		t.Run(tt.name, func(t *testing.T) { wantDecodeError(t, err, tt.alert, tt.what) })
	}
}

func TestClientHelloBodyErrors(t *testing.T) {
	body := func(sid, suites, comp, rest string) []byte {
		return handshake(HandshakeTypeClientHello, mustHex(t, "0303"+strings.Repeat("00", 32)+sid+suites+comp+rest))
	}
	tests := []struct {
		name string
		data []byte
		what string
	}{
		{"truncated random", handshake(HandshakeTypeClientHello, mustHex(t, "0303 0000")), "random: truncated"},
		{"33-byte session_id", body("21"+strings.Repeat("00", 33), "0002c02f", "0100", ""), "session_id: length 33 outside <0..32>"},
		{"empty cipher_suites", body("00", "0000", "0100", ""), "cipher_suites: length 0"},
		{"odd cipher_suites", body("00", "0003c02f00", "0100", ""), "cipher_suites: odd length 3"},
		{"empty compression_methods", body("00", "0002c02f", "00", ""), "compression_methods: length 0"},
		{"one byte after compression", body("00", "0002c02f", "0100", "00"), "extensions: truncated"},
		{"block overruns body", body("00", "0002c02f", "0100", "0004 0017"), "extensions: truncated"},
		{"trailing after block", body("00", "0002c02f", "0100", "0000 00"), "hello body: 1 trailing bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantDecodeError(t, new(ClientHello).Unmarshal(tt.data), AlertDecodeError, tt.what)
		})
	}
}

func TestClientHelloExtensionsPresence(t *testing.T) {
	var m ClientHello
	if err := m.Unmarshal(rawClientHello()); err != nil {
		t.Fatal(err)
	}
	if m.HasExtensions || m.ExtensionOrder != nil {
		t.Errorf("no block: HasExtensions=%v ExtensionOrder=%v", m.HasExtensions, m.ExtensionOrder)
	}
	// tlsfuzzer test-empty-extensions: an empty block is legal.
	data := rawClientHello([]byte{})
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

func TestClientHelloGREASE(t *testing.T) {
	// GREASE (RFC 8701) in suites, groups, sigalgs, versions and extension
	// types is tolerated and kept as-is.
	data := rawClientHello(
		ext(t, 0x0a0a, ""),
		ext(t, 10, "0004 2a2a 001d"),
		ext(t, 13, "0004 3a3a 0403"),
		ext(t, 43, "04 4a4a 0303"),
		ext(t, 0xfafa, "00"),
	)
	var m ClientHello
	if err := m.Unmarshal(data); err != nil {
		t.Fatal(err)
	}
	want := []Extension{{Type: 0x0a0a}, {Type: 0xfafa, Data: []byte{0}}}
	if !reflect.DeepEqual(m.Unknown, want) ||
		!slices.Equal(m.SupportedGroups, []NamedGroup{0x2a2a, GroupX25519}) ||
		!slices.Equal(m.SignatureAlgorithms, []SignatureScheme{0x3a3a, SignatureECDSAP256SHA256}) ||
		!slices.Equal(m.SupportedVersions, []uint16{0x4a4a, VersionTLS12}) {
		t.Errorf("got %+v", m)
	}
	if out, err := m.Marshal(); err != nil || !bytes.Equal(out, data) {
		t.Errorf("re-encoding differs (%v)", err)
	}
}

func TestClientHelloStatusRequestOtherType(t *testing.T) {
	// A status_request of an undefined status_type is ignored, like
	// BoringSSL does; it is the one extension that does not re-encode.
	var m ClientHello
	if err := m.Unmarshal(rawClientHello(ext(t, 5, "02 ffff"), ext(t, 23, ""))); err != nil {
		t.Fatal(err)
	}
	if m.StatusRequest || !slices.Equal(m.ExtensionOrder, []ExtensionType{ExtensionExtendedMasterSecret}) {
		t.Errorf("StatusRequest=%v ExtensionOrder=%v", m.StatusRequest, m.ExtensionOrder)
	}
	out, err := m.Marshal()
	if err != nil || !bytes.Equal(out, rawClientHello(ext(t, 23, ""))) {
		t.Errorf("Marshal = %x, %v", out, err)
	}
}

func TestClientHelloUnmarshalLeavesReceiverOnError(t *testing.T) {
	m := ClientHello{ServerName: "keep.example"}
	if err := m.Unmarshal(rawClientHello(ext(t, 0, "0000"))); err == nil {
		t.Fatal("no error")
	}
	if !reflect.DeepEqual(m, ClientHello{ServerName: "keep.example"}) {
		t.Errorf("failed Unmarshal modified the receiver: %+v", m)
	}
}

func TestClientHelloMarshalErrors(t *testing.T) {
	base := func() ClientHello {
		return ClientHello{Version: VersionTLS12, CipherSuites: []uint16{0xc02f}, CompressionMethods: []uint8{0}}
	}
	tests := []struct {
		name string
		mod  func(m *ClientHello)
		what string
	}{
		{"long session_id", func(m *ClientHello) { m.SessionID = make([]byte, 33) }, "session_id: length 33"},
		{"no suites", func(m *ClientHello) { m.CipherSuites = nil }, "cipher_suites: length 0"},
		{"too many suites", func(m *ClientHello) { m.CipherSuites = make([]uint16, 32768) }, "cipher_suites: length 65536"},
		{"no compression", func(m *ClientHello) { m.CompressionMethods = nil }, "compression_methods: length 0"},
		{"SNI with NUL", func(m *ClientHello) { m.ServerName = "a\x00b" }, "not printable ASCII"},
		{"SNI too long", func(m *ClientHello) { m.ServerName = strings.Repeat("a", 0xfffb) }, "HostName: length 65531"},
		{"empty group list", func(m *ClientHello) { m.SupportedGroups = []NamedGroup{} }, "named_group_list: length 0"},
		{"empty point list", func(m *ClientHello) { m.SupportedPoints = []uint8{} }, "ec_point_format_list: length 0"},
		{"empty sigalgs", func(m *ClientHello) { m.SignatureAlgorithms = []SignatureScheme{} }, "supported_signature_algorithms: length 0"},
		{"empty sigalgs_cert", func(m *ClientHello) { m.SignatureAlgorithmsCert = []SignatureScheme{} }, "signature_algorithms_cert: length 0"},
		{"empty ALPN list", func(m *ClientHello) { m.ALPNProtocols = []string{} }, "protocol_name_list: length 0"},
		{"empty ALPN name", func(m *ClientHello) { m.ALPNProtocols = []string{"h2", ""} }, "ProtocolName 1: length 0"},
		{"long ALPN name", func(m *ClientHello) { m.ALPNProtocols = []string{strings.Repeat("x", 256)} }, "ProtocolName 0: length 256"},
		{"record_size_limit 63", func(m *ClientHello) { m.RecordSizeLimit = 63 }, "record_size_limit 63 below 64"},
		{"too many versions", func(m *ClientHello) { m.SupportedVersions = make([]uint16, 128) }, "supported_versions: length 256"},
		{"empty versions", func(m *ClientHello) { m.SupportedVersions = []uint16{} }, "supported_versions: length 0"},
		{"long renegotiated_connection", func(m *ClientHello) {
			m.SecureRenegotiationSupported, m.SecureRenegotiation = true, make([]byte, 256)
		}, "renegotiated_connection: length 256"},
		{"renegotiation without flag", func(m *ClientHello) { m.SecureRenegotiation = []byte{1} }, "without SecureRenegotiationSupported"},
		{"ticket without flag", func(m *ClientHello) { m.SessionTicket = []byte{1} }, "without SessionTicketSupported"},
		{"responder IDs without flag", func(m *ClientHello) { m.StatusRequestResponderIDs = [][]byte{{1}} }, "without StatusRequest"},
		{"empty responder ID", func(m *ClientHello) { m.StatusRequest, m.StatusRequestResponderIDs = true, [][]byte{nil} }, "ResponderID 0: length 0"},
		{"padding without flag", func(m *ClientHello) { m.PaddingLen = 5 }, "PaddingLen set without HasPadding"},
		{"negative padding", func(m *ClientHello) { m.HasPadding, m.PaddingLen = true, -1 }, "padding: length -1"},
		{"huge padding", func(m *ClientHello) { m.HasPadding, m.PaddingLen = true, 0x10000 }, "padding: length 65536"},
		{"padding overflows block", func(m *ClientHello) { m.HasPadding, m.PaddingLen = true, 0xffff }, "encoding"},
		{"known type in Unknown", func(m *ClientHello) { m.Unknown = []Extension{{Type: ExtensionALPN}} }, "Unknown holds decoded extension application_layer_protocol_negotiation"},
		{"duplicate Unknown", func(m *ClientHello) { m.Unknown = []Extension{{Type: 99}, {Type: 99}} }, "Unknown holds duplicate extension"},
		{"order lists absent", func(m *ClientHello) { m.ExtensionOrder = []ExtensionType{ExtensionSCT} }, "ExtensionOrder lists signed_certificate_timestamp, which is not set"},
		{"order lists twice", func(m *ClientHello) {
			m.SCT, m.ExtensionOrder = true, []ExtensionType{ExtensionSCT, ExtensionSCT}
		}, "ExtensionOrder lists signed_certificate_timestamp twice"},
		{"order omits known", func(m *ClientHello) {
			m.SCT, m.ExtensionOrder = true, []ExtensionType{}
		}, "ExtensionOrder omits signed_certificate_timestamp"},
		{"order omits unknown", func(m *ClientHello) {
			m.Unknown, m.ExtensionOrder = []Extension{{Type: 99}}, []ExtensionType{}
		}, "ExtensionOrder omits ExtensionType(0x0063)"},
		{"order out of step with Unknown", func(m *ClientHello) {
			m.Unknown = []Extension{{Type: 99}, {Type: 98}}
			m.ExtensionOrder = []ExtensionType{98, 99}
		}, "out of step with Unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := base()
			tt.mod(&m)
			out, err := m.Marshal()
			if out != nil {
				t.Errorf("Marshal returned %d bytes with the error", len(out))
			}
			wantDecodeError(t, err, AlertInternalError, tt.what)
		})
	}
}

// hasHostName reports whether a server_name extension_data lists a
// host_name (type 0) entry.
func hasHostName(ext cryptobyte.String) bool {
	var list cryptobyte.String
	if !ext.ReadUint16LengthPrefixed(&list) {
		return false
	}
	for !list.Empty() {
		var typ uint8
		var name cryptobyte.String
		if !list.ReadUint8(&typ) || !list.ReadUint16LengthPrefixed(&name) {
			return false
		}
		if typ == 0 {
			return true
		}
	}
	return false
}

// hasIgnoredStatusRequest reports whether a syntactically valid
// ClientHello carries an extension that Unmarshal ignores: a status_request
// whose status_type is not ocsp, or a server_name without a host_name. Those
// are the cases whose re-encoding legitimately differs from the input.
func hasIgnoredStatusRequest(data []byte) bool {
	s := cryptobyte.String(data)
	var body, sid, suites, comp, block cryptobyte.String
	if !s.Skip(1) || !s.ReadUint24LengthPrefixed(&body) || !body.Skip(2+32) ||
		!body.ReadUint8LengthPrefixed(&sid) || !body.ReadUint16LengthPrefixed(&suites) ||
		!body.ReadUint8LengthPrefixed(&comp) || !body.ReadUint16LengthPrefixed(&block) {
		return false
	}
	for !block.Empty() {
		var typ uint16
		var extData cryptobyte.String
		var statusType uint8
		if !block.ReadUint16(&typ) || !block.ReadUint16LengthPrefixed(&extData) {
			return false
		}
		if ExtensionType(typ) == ExtensionStatusRequest && extData.ReadUint8(&statusType) && statusType != CertStatusOCSP {
			return true
		}
		if ExtensionType(typ) == ExtensionServerName && !hasHostName(extData) {
			return true
		}
	}
	return false
}

// FuzzClientHello checks that parsing never panics and fails only with a
// *DecodeError, and that Marshal is idempotent on anything that parses:
// Unmarshal(Marshal(m)) == m and re-marshals to the same bytes. Because
// ExtensionOrder preserves the wire order, it also checks the stronger
// property that the re-encoding equals the input, except for an ignored
// non-ocsp status_request.
func FuzzClientHello(f *testing.F) {
	for _, c := range capturesNamed(f, "ClientHello") {
		f.Add(c.Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m ClientHello
		if err := m.Unmarshal(data); err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			return
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed ClientHello: %v", err)
		}
		var m2 ClientHello
		if err := m2.Unmarshal(out); err != nil {
			t.Fatalf("Unmarshal(Marshal(m)): %v", err)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("Unmarshal(Marshal(m)) != m\n got %#v\nwant %#v", m2, m)
		}
		if out2, err := m2.Marshal(); err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("Marshal is not idempotent (%v)", err)
		}
		if !bytes.Equal(out, data) && !hasIgnoredStatusRequest(data) {
			t.Fatalf("re-encoding differs\n got %x\nwant %x", out, data)
		}
	})
}

func BenchmarkClientHelloUnmarshal(b *testing.B) {
	data := findCapture(b, "go-1.26.8-ecdsa-clientauth-resumption.txt", "c2s", "ClientHello", 0)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var m ClientHello
		if err := m.Unmarshal(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClientHelloMarshal(b *testing.B) {
	data := findCapture(b, "go-1.26.8-ecdsa-clientauth-resumption.txt", "c2s", "ClientHello", 0)
	var m ClientHello
	if err := m.Unmarshal(data); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}
