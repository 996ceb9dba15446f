package messages

import (
	"strconv"

	"golang.org/x/crypto/cryptobyte"
)

// ClientHello opens a handshake. RFC 5246, Section 7.4.1.2.
//
//	struct {
//	    ProtocolVersion client_version;
//	    Random random;
//	    SessionID session_id;                      /* opaque <0..32> */
//	    CipherSuite cipher_suites<2..2^16-2>;
//	    CompressionMethod compression_methods<1..2^8-1>;
//	    select (extensions_present) {
//	        case false:
//	            struct {};
//	        case true:
//	            Extension extensions<0..2^16-1>;
//	    };
//	} ClientHello;
//
// The extensions this package knows are decoded into fields; an absent
// extension is the field's zero value unless noted. Everything else,
// including GREASE (RFC 8701) and TLS 1.3-only extensions, is kept raw in
// Unknown, in wire order. GREASE values inside cipher_suites,
// supported_groups, signature_algorithms and supported_versions are kept
// as-is. Whether values were offered, are acceptable or are consistent with
// each other (for example null compression being present, or the
// uncompressed point format, RFC 8422, Section 5.1.2) is the state
// machine's to check.
//
// Unmarshal keeps references into its input: byte slices alias it.
//
// Marshal writes the extensions in the order of ExtensionOrder when it is
// non-nil (Unmarshal records the wire order there, so a received
// ClientHello re-encodes byte for byte), otherwise in the order of the
// fields below, then Unknown. The transcript hash MUST use the bytes as
// received.
type ClientHello struct {
	Version            uint16 // client_version (legacy_version in TLS 1.3)
	Random             [32]byte
	SessionID          []byte   // <0..32>; nil when empty
	CipherSuites       []uint16 // <2..2^16-2> bytes
	CompressionMethods []uint8  // <1..2^8-1>

	// HasExtensions reports whether an extensions block was present, even
	// an empty one. Marshal writes the block if HasExtensions is set,
	// ExtensionOrder is non-nil, or any extension is set.
	HasExtensions bool

	// ServerName is the host_name of server_name (RFC 6066, Section 3);
	// "" means absent. It must be printable ASCII. A server_name holding
	// only other name types is ignored, as if absent, and left out of
	// ExtensionOrder.
	ServerName string
	// StatusRequest reports a status_request with status_type ocsp
	// (RFC 6066, Section 8). A status_request of another status_type is
	// ignored, as if absent, and left out of ExtensionOrder.
	StatusRequest bool
	// StatusRequestResponderIDs is the OCSPStatusRequest
	// responder_id_list<0..2^16-1>, each ResponderID <1..2^16-1>.
	StatusRequestResponderIDs [][]byte
	// StatusRequestExtensions is the DER request_extensions<0..2^16-1>,
	// not parsed.
	StatusRequestExtensions []byte
	// SupportedGroups is supported_groups (RFC 8422, Section 5.1.1;
	// RFC 7919); nil means absent. NamedGroupList <2..2^16-1> bytes.
	SupportedGroups []NamedGroup
	// SupportedPoints is ec_point_formats (RFC 8422, Section 5.1.2); nil
	// means absent. <1..2^8-1>.
	SupportedPoints []uint8
	// SignatureAlgorithms is signature_algorithms (RFC 5246,
	// Section 7.4.1.4.1); nil means absent. <2..2^16-2> bytes.
	SignatureAlgorithms []SignatureScheme
	// SignatureAlgorithmsCert is signature_algorithms_cert (RFC 8446,
	// Section 4.2.3); nil means absent. <2..2^16-2> bytes.
	SignatureAlgorithmsCert []SignatureScheme
	// ALPNProtocols is the ALPN ProtocolNameList (RFC 7301, Section 3.1);
	// nil means absent. Non-empty, and every name is 1 to 255 bytes.
	ALPNProtocols []string
	// SCT reports signed_certificate_timestamp (RFC 6962, Section 3.3.1),
	// which is empty in a ClientHello.
	SCT bool
	// EncryptThenMAC reports encrypt_then_mac (RFC 7366, Section 2), empty.
	EncryptThenMAC bool
	// ExtendedMasterSecret reports extended_master_secret (RFC 7627,
	// Section 5.1), empty.
	ExtendedMasterSecret bool
	// RecordSizeLimit is record_size_limit (RFC 8449, Section 4); 0 means
	// absent. A value below 64 is illegal_parameter.
	RecordSizeLimit uint16
	// SessionTicketSupported reports session_ticket (RFC 5077,
	// Section 3.2); SessionTicket holds its contents, nil when empty.
	SessionTicketSupported bool
	SessionTicket          []byte
	// SupportedVersions is supported_versions in its ClientHello form
	// (RFC 8446, Section 4.2.1, <2..254> bytes); nil means absent. A TLS 1.2
	// server ignores it for negotiation (RFC 8446, Appendix D).
	SupportedVersions []uint16
	// SecureRenegotiationSupported reports renegotiation_info (RFC 5746,
	// Section 3.2); SecureRenegotiation holds renegotiated_connection
	// <0..255>, nil when empty. The TLS_EMPTY_RENEGOTIATION_INFO_SCSV
	// cipher suite is in CipherSuites, not here.
	SecureRenegotiationSupported bool
	SecureRenegotiation          []byte
	// HasPadding reports padding (RFC 7685, Section 3); PaddingLen is its
	// length in bytes. "The client MUST fill the padding extension
	// completely with zero bytes": non-zero padding is illegal_parameter.
	// Without HasPadding, PaddingLen must be 0 or negative (both mean
	// absent).
	HasPadding bool
	PaddingLen int

	// Unknown holds every other extension, raw, in wire order.
	Unknown []Extension

	// ExtensionOrder is the order in which Unmarshal found the extensions
	// (nil without an extensions block). When non-nil, Marshal follows it:
	// it must then list every extension that is set exactly once, with
	// the Unknown ones in the order of Unknown.
	ExtensionOrder []ExtensionType
}

// clientHelloKnown reports whether t is decoded into a ClientHello field.
func clientHelloKnown(t ExtensionType) bool {
	switch t {
	case ExtensionServerName, ExtensionStatusRequest, ExtensionSupportedGroups,
		ExtensionECPointFormats, ExtensionSignatureAlgorithms, ExtensionALPN,
		ExtensionSCT, ExtensionPadding, ExtensionEncryptThenMAC,
		ExtensionExtendedMasterSecret, ExtensionRecordSizeLimit,
		ExtensionSessionTicket, ExtensionSupportedVersions,
		ExtensionSignatureAlgorithmsCert, ExtensionRenegotiationInfo:
		return true
	}
	return false
}

// Type returns [HandshakeTypeClientHello].
func (*ClientHello) Type() HandshakeType { return HandshakeTypeClientHello }

// Marshal returns the complete message. It fails, with a [*DecodeError]
// carrying [AlertInternalError], for any value Unmarshal would reject or
// that does not fit its length prefix, and for inconsistent fields (for
// example SessionTicket set without SessionTicketSupported).
func (m *ClientHello) Marshal() ([]byte, error) {
	c := checker{typ: HandshakeTypeClientHello}
	c.length(len(m.SessionID), 0, 32, "session_id")
	c.length(2*len(m.CipherSuites), 2, 0xfffe, "cipher_suites")
	c.length(len(m.CompressionMethods), 1, 0xff, "compression_methods")
	exts := m.extensions(&c)
	if err := c.result(); err != nil {
		return nil, err
	}
	hasBlock := m.HasExtensions || m.ExtensionOrder != nil || len(exts) > 0
	return marshalHandshake(HandshakeTypeClientHello, func(b *builder) {
		b.AddUint16(m.Version)
		b.AddBytes(m.Random[:])
		addOpaque8(b, m.SessionID)
		addU16List(b, m.CipherSuites)
		addOpaque8(b, m.CompressionMethods)
		if hasBlock {
			addExtensions(b, exts)
		}
	})
}

// extensions validates the extension fields and returns the extensions to
// encode, in order.
func (m *ClientHello) extensions(c *checker) []extWriter {
	w := make([]extWriter, 0, 16) // room for every extension we encode
	add := func(t ExtensionType, data func(b *builder)) {
		w = append(w, extWriter{typ: t, data: data})
	}
	// addCH takes a writer that captures nothing (it is handed m), so that
	// encoding a hello allocates no closure per extension.
	addCH := func(t ExtensionType, data func(m *ClientHello, b *builder)) {
		w = append(w, extWriter{typ: t, hello: data, ch: m})
	}
	empty := func(b *builder) {}

	if m.ServerName != "" {
		// RFC 6066, Section 3.
		if !validHostName(m.ServerName) {
			c.fail("server_name: HostName is not printable ASCII")
		}
		c.length(len(m.ServerName), 1, 0xffff-5, "HostName")
		addCH(ExtensionServerName, func(m *ClientHello, b *builder) { addServerName(b, m.ServerName) })
	}
	if m.StatusRequest {
		// RFC 6066, Section 8.
		total := 0
		for i, id := range m.StatusRequestResponderIDs {
			c.length(len(id), 1, 0xffff, "ResponderID "+strconv.Itoa(i))
			total += 2 + len(id)
		}
		c.length(total, 0, 0xffff, "responder_id_list")
		c.length(len(m.StatusRequestExtensions), 0, 0xffff, "request_extensions")
		addCH(ExtensionStatusRequest, func(m *ClientHello, b *builder) {
			b.AddUint8(CertStatusOCSP)
			b.AddUint16LengthPrefixed(func(b *builder) {
				for _, id := range m.StatusRequestResponderIDs {
					addOpaque16(b, id)
				}
			})
			addOpaque16(b, m.StatusRequestExtensions)
		})
	} else if m.StatusRequestResponderIDs != nil || m.StatusRequestExtensions != nil {
		c.fail("status_request fields set without StatusRequest")
	}
	if m.SupportedGroups != nil {
		// RFC 8422, Section 5.1.1.
		c.length(2*len(m.SupportedGroups), 2, 0xffff, "named_group_list")
		addCH(ExtensionSupportedGroups, func(m *ClientHello, b *builder) { addU16List(b, m.SupportedGroups) })
	}
	if m.SupportedPoints != nil {
		// RFC 8422, Section 5.1.2.
		c.length(len(m.SupportedPoints), 1, 0xff, "ec_point_format_list")
		w = append(w, extWriter{typ: ExtensionECPointFormats, raw: m.SupportedPoints, vec8: true})
	}
	if m.SignatureAlgorithms != nil {
		// RFC 5246, Section 7.4.1.4.1.
		c.length(2*len(m.SignatureAlgorithms), 2, 0xfffe, "supported_signature_algorithms")
		addCH(ExtensionSignatureAlgorithms, func(m *ClientHello, b *builder) { addU16List(b, m.SignatureAlgorithms) })
	}
	if m.SignatureAlgorithmsCert != nil {
		// RFC 8446, Section 4.2.3.
		c.length(2*len(m.SignatureAlgorithmsCert), 2, 0xfffe, "signature_algorithms_cert")
		addCH(ExtensionSignatureAlgorithmsCert, func(m *ClientHello, b *builder) { addU16List(b, m.SignatureAlgorithmsCert) })
	}
	if m.ALPNProtocols != nil {
		// RFC 7301, Section 3.1.
		checkALPN(c, m.ALPNProtocols)
		addCH(ExtensionALPN, func(m *ClientHello, b *builder) { addALPN(b, m.ALPNProtocols) })
	}
	if m.SCT {
		// RFC 6962, Section 3.3.1.
		add(ExtensionSCT, empty)
	}
	if m.EncryptThenMAC {
		// RFC 7366, Section 2.
		add(ExtensionEncryptThenMAC, empty)
	}
	if m.ExtendedMasterSecret {
		// RFC 7627, Section 5.1.
		add(ExtensionExtendedMasterSecret, empty)
	}
	if m.RecordSizeLimit != 0 {
		// RFC 8449, Section 4.
		checkRecordSizeLimit(c, m.RecordSizeLimit)
		addCH(ExtensionRecordSizeLimit, func(m *ClientHello, b *builder) { b.AddUint16(m.RecordSizeLimit) })
	}
	if m.SessionTicketSupported {
		// RFC 5077, Section 3.2.
		c.length(len(m.SessionTicket), 0, 0xffff, "session_ticket")
		w = append(w, extWriter{typ: ExtensionSessionTicket, raw: m.SessionTicket})
	} else if m.SessionTicket != nil {
		c.fail("SessionTicket set without SessionTicketSupported")
	}
	if m.SupportedVersions != nil {
		// RFC 8446, Section 4.2.1.
		c.length(2*len(m.SupportedVersions), 2, 254, "supported_versions")
		addCH(ExtensionSupportedVersions, func(m *ClientHello, b *builder) {
			b.AddUint8LengthPrefixed(func(b *builder) {
				for _, v := range m.SupportedVersions {
					b.AddUint16(v)
				}
			})
		})
	}
	if m.SecureRenegotiationSupported {
		// RFC 5746, Section 3.2.
		c.length(len(m.SecureRenegotiation), 0, 0xff, "renegotiated_connection")
		w = append(w, extWriter{typ: ExtensionRenegotiationInfo, raw: m.SecureRenegotiation, vec8: true})
	} else if m.SecureRenegotiation != nil {
		c.fail("SecureRenegotiation set without SecureRenegotiationSupported")
	}
	if m.HasPadding {
		// RFC 7685, Section 3.
		c.length(m.PaddingLen, 0, 0xffff, "padding")
		if m.PaddingLen >= 0 && m.PaddingLen <= 0xffff {
			n := m.PaddingLen
			add(ExtensionPadding, func(b *builder) { b.AddBytes(make([]byte, n)) })
		}
	} else if m.PaddingLen > 0 {
		c.fail("PaddingLen set without HasPadding")
	}
	return orderExtensions(c, w, m.Unknown, m.ExtensionOrder, clientHelloKnown)
}

// Unmarshal parses a complete ClientHello, header included. Byte slices in
// m alias data.
func (m *ClientHello) Unmarshal(data []byte) error {
	p := parser{typ: HandshakeTypeClientHello}
	var body cryptobyte.String
	var n ClientHello
	if !p.openHandshake(data, &body) ||
		!p.u16(&body, &n.Version, "client_version") ||
		!p.fixed(&body, n.Random[:], "random") ||
		!p.opaque(&body, &n.SessionID, 0, 32, "session_id") ||
		!list16(&p, &body, &n.CipherSuites, 2, 0xfffe, "cipher_suites") ||
		!list8(&p, &body, &n.CompressionMethods, 1, 0xff, "compression_methods") ||
		!readExtensions(&p, &body, &n.HasExtensions, n.visitExtension(&p)) {
		return p.err
	}
	if n.HasExtensions && n.ExtensionOrder == nil {
		n.ExtensionOrder = []ExtensionType{}
	}
	*m = n
	return nil
}

// visitExtension returns the callback that decodes one extension into m.
func (m *ClientHello) visitExtension(p *parser) func(t ExtensionType, data cryptobyte.String) bool {
	return func(t ExtensionType, data cryptobyte.String) bool {
		ok := true
		switch t {
		case ExtensionServerName:
			if ok = readServerName(p, data, &m.ServerName); ok && m.ServerName == "" {
				// Only name types other than host_name, which RFC 6066,
				// Section 3 lets a server skip: as absent, like an
				// ignored status_request, and left out of
				// ExtensionOrder.
				return true
			}
		case ExtensionStatusRequest:
			var statusType uint8
			if !p.u8(&data, &statusType, "status_type") {
				return false
			}
			if statusType != CertStatusOCSP {
				// RFC 6066, Section 8 defines only ocsp, and the
				// body of another type cannot be decoded. Treat the
				// extension as absent, as BoringSSL does; it is left
				// out of ExtensionOrder and not re-encoded.
				return true
			}
			m.StatusRequest = true
			ok = m.readOCSPStatusRequest(p, data)
		case ExtensionSupportedGroups:
			ok = list16(p, &data, &m.SupportedGroups, 2, 0xffff, "named_group_list") &&
				p.end(data, t.String())
		case ExtensionECPointFormats:
			ok = list8(p, &data, &m.SupportedPoints, 1, 0xff, "ec_point_format_list") &&
				p.end(data, t.String())
		case ExtensionSignatureAlgorithms:
			ok = list16(p, &data, &m.SignatureAlgorithms, 2, 0xfffe, "supported_signature_algorithms") &&
				p.end(data, t.String())
		case ExtensionSignatureAlgorithmsCert:
			ok = list16(p, &data, &m.SignatureAlgorithmsCert, 2, 0xfffe, "signature_algorithms_cert") &&
				p.end(data, t.String())
		case ExtensionALPN:
			ok = readALPN(p, data, &m.ALPNProtocols)
		case ExtensionSCT:
			m.SCT = true
			ok = readEmptyExtension(p, t, data)
		case ExtensionEncryptThenMAC:
			m.EncryptThenMAC = true
			ok = readEmptyExtension(p, t, data)
		case ExtensionExtendedMasterSecret:
			m.ExtendedMasterSecret = true
			ok = readEmptyExtension(p, t, data)
		case ExtensionRecordSizeLimit:
			ok = readRecordSizeLimit(p, data, &m.RecordSizeLimit)
		case ExtensionSessionTicket:
			m.SessionTicketSupported = true
			m.SessionTicket = nilIfEmpty(data)
		case ExtensionSupportedVersions:
			ok = list16(p, &data, &m.SupportedVersions, 2, 254, "supported_versions") &&
				p.end(data, t.String())
		case ExtensionRenegotiationInfo:
			m.SecureRenegotiationSupported = true
			ok = readRenegotiationInfo(p, data, &m.SecureRenegotiation)
		case ExtensionPadding:
			m.HasPadding = true
			m.PaddingLen = len(data)
			ok = readPadding(p, data)
		default:
			m.Unknown = append(m.Unknown, Extension{Type: t, Data: nilIfEmpty(data)})
		}
		m.ExtensionOrder = append(m.ExtensionOrder, t)
		return ok
	}
}

// readOCSPStatusRequest decodes the body of a status_request of type ocsp.
// RFC 6066, Section 8.
//
//	struct {
//	    ResponderID responder_id_list<0..2^16-1>;
//	    Extensions  request_extensions;
//	} OCSPStatusRequest;
//
//	opaque ResponderID<1..2^16-1>;
//	opaque Extensions<0..2^16-1>;
func (m *ClientHello) readOCSPStatusRequest(p *parser, data cryptobyte.String) bool {
	var ids cryptobyte.String
	if !p.vec(&data, &ids, 0, 0xffff, "responder_id_list") ||
		!p.opaque(&data, &m.StatusRequestExtensions, 0, 0xffff, "request_extensions") ||
		!p.end(data, "status_request") {
		return false
	}
	for !ids.Empty() {
		var id []byte
		if !p.opaque(&ids, &id, 1, 0xffff, "ResponderID") {
			return false
		}
		m.StatusRequestResponderIDs = append(m.StatusRequestResponderIDs, id)
	}
	return true
}

// readPadding checks that padding is all zero bytes. RFC 7685, Section 3.
func readPadding(p *parser, data cryptobyte.String) bool {
	for !data.Empty() {
		var v uint8
		if !data.ReadUint8(&v) || v != 0 {
			return p.illegal("padding: non-zero byte")
		}
	}
	return true
}
