package messages

import (
	"strconv"

	"golang.org/x/crypto/cryptobyte"
)

// ServerHello answers a ClientHello. RFC 5246, Section 7.4.1.3.
//
//	struct {
//	    ProtocolVersion server_version;
//	    Random random;
//	    SessionID session_id;                      /* opaque <0..32> */
//	    CipherSuite cipher_suite;
//	    CompressionMethod compression_method;
//	    select (extensions_present) {
//	        case false:
//	            struct {};
//	        case true:
//	            Extension extensions<0..2^16-1>;
//	    };
//	} ServerHello;
//
// Known extensions are decoded into fields (an absent extension is the
// field's zero value); everything else is kept raw in Unknown, in wire
// order. Whether the server may send an extension at all (RFC 5246,
// Section 7.4.1.4: only ones the client offered) is the state machine's to
// check, as is the downgrade sentinel in Random (RFC 8446, Section 4.1.3).
//
// Unmarshal keeps references into its input: byte slices alias it.
// Marshal follows ExtensionOrder when it is non-nil, otherwise the order of
// the fields below, then Unknown.
type ServerHello struct {
	Version           uint16 // server_version
	Random            [32]byte
	SessionID         []byte // <0..32>; nil when empty
	CipherSuite       uint16
	CompressionMethod uint8

	// HasExtensions reports whether an extensions block was present, even
	// an empty one. Marshal writes the block if HasExtensions is set,
	// ExtensionOrder is non-nil, or any extension is set.
	HasExtensions bool

	// ServerNameAck reports an empty server_name (RFC 6066, Section 3).
	ServerNameAck bool
	// StatusRequest reports an empty status_request: the server will send
	// CertificateStatus (RFC 6066, Section 8).
	StatusRequest bool
	// SupportedPoints is ec_point_formats (RFC 8422, Section 5.2); nil
	// means absent. <1..2^8-1>.
	SupportedPoints []uint8
	// ALPNProtocol is the selected protocol (RFC 7301, Section 3.1); ""
	// means absent. The list "MUST contain exactly one "ProtocolName""; any
	// other count is a decode_error.
	ALPNProtocol string
	// SCTs is the SignedCertificateTimestampList (RFC 6962, Section 3.3);
	// nil means absent. SerializedSCT sct_list <1..2^16-1>, each
	// SerializedSCT <1..2^16-1>; the SCTs are not parsed.
	SCTs [][]byte
	// EncryptThenMAC reports encrypt_then_mac (RFC 7366, Section 2), empty.
	EncryptThenMAC bool
	// ExtendedMasterSecret reports extended_master_secret (RFC 7627,
	// Section 5.1), empty.
	ExtendedMasterSecret bool
	// RecordSizeLimit is record_size_limit (RFC 8449, Section 4); 0 means
	// absent. A value below 64 is illegal_parameter.
	RecordSizeLimit uint16
	// SessionTicketSupported reports an empty session_ticket: the server
	// will send NewSessionTicket (RFC 5077, Section 3.2).
	SessionTicketSupported bool
	// SupportedVersion is selected_version from supported_versions
	// (RFC 8446, Section 4.2.1); 0 means absent. It is decoded only so
	// that the state machine can reject it; a zero selected_version is
	// illegal_parameter ("a version prior to TLS 1.3").
	SupportedVersion uint16
	// SecureRenegotiationSupported reports renegotiation_info (RFC 5746,
	// Section 3.2); SecureRenegotiation is renegotiated_connection
	// (client_verify_data || server_verify_data when renegotiating, empty
	// otherwise, then nil).
	SecureRenegotiationSupported bool
	SecureRenegotiation          []byte

	// Unknown holds every other extension, raw, in wire order.
	Unknown []Extension

	// ExtensionOrder is the order in which Unmarshal found the extensions
	// (nil without an extensions block). When non-nil, Marshal follows it:
	// it must then list every extension that is set exactly once, with
	// the Unknown ones in the order of Unknown.
	ExtensionOrder []ExtensionType
}

// serverHelloKnown reports whether t is decoded into a ServerHello field.
func serverHelloKnown(t ExtensionType) bool {
	switch t {
	case ExtensionServerName, ExtensionStatusRequest, ExtensionECPointFormats,
		ExtensionALPN, ExtensionSCT, ExtensionEncryptThenMAC,
		ExtensionExtendedMasterSecret, ExtensionRecordSizeLimit,
		ExtensionSessionTicket, ExtensionSupportedVersions,
		ExtensionRenegotiationInfo:
		return true
	}
	return false
}

// Type returns [HandshakeTypeServerHello].
func (*ServerHello) Type() HandshakeType { return HandshakeTypeServerHello }

// Marshal returns the complete message. It fails, with a [*DecodeError]
// carrying [AlertInternalError], for any value Unmarshal would reject or
// that does not fit its length prefix, and for inconsistent fields.
func (m *ServerHello) Marshal() ([]byte, error) {
	c := checker{typ: HandshakeTypeServerHello}
	c.length(len(m.SessionID), 0, 32, "session_id")
	exts := m.extensions(&c)
	if err := c.result(); err != nil {
		return nil, err
	}
	hasBlock := m.HasExtensions || m.ExtensionOrder != nil || len(exts) > 0
	return marshalHandshake(HandshakeTypeServerHello, func(b *builder) {
		b.AddUint16(m.Version)
		b.AddBytes(m.Random[:])
		addOpaque8(b, m.SessionID)
		b.AddUint16(m.CipherSuite)
		b.AddUint8(m.CompressionMethod)
		if hasBlock {
			addExtensions(b, exts)
		}
	})
}

// extensions validates the extension fields and returns the extensions to
// encode, in order.
func (m *ServerHello) extensions(c *checker) []extWriter {
	w := make([]extWriter, 0, 16) // room for every extension we encode
	add := func(t ExtensionType, data func(b *builder)) {
		w = append(w, extWriter{typ: t, data: data})
	}
	empty := func(b *builder) {}

	if m.ServerNameAck {
		// RFC 6066, Section 3: "the "extension_data" field of this
		// extension SHALL be empty".
		add(ExtensionServerName, empty)
	}
	if m.StatusRequest {
		// RFC 6066, Section 8.
		add(ExtensionStatusRequest, empty)
	}
	if m.SupportedPoints != nil {
		// RFC 8422, Section 5.2.
		c.length(len(m.SupportedPoints), 1, 0xff, "ec_point_format_list")
		w = append(w, extWriter{typ: ExtensionECPointFormats, raw: m.SupportedPoints, vec8: true})
	}
	if m.ALPNProtocol != "" {
		// RFC 7301, Section 3.1.
		c.length(len(m.ALPNProtocol), 1, 0xff, "ProtocolName")
		names := []string{m.ALPNProtocol}
		add(ExtensionALPN, func(b *builder) { addALPN(b, names) })
	}
	if m.SCTs != nil {
		// RFC 6962, Section 3.3.
		total := 0
		for i, sct := range m.SCTs {
			c.length(len(sct), 1, 0xffff, "SerializedSCT "+strconv.Itoa(i))
			total += 2 + len(sct)
		}
		c.length(total, 1, 0xffff, "sct_list")
		add(ExtensionSCT, func(b *builder) {
			b.AddUint16LengthPrefixed(func(b *builder) {
				for _, sct := range m.SCTs {
					addOpaque16(b, sct)
				}
			})
		})
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
		add(ExtensionRecordSizeLimit, func(b *builder) { b.AddUint16(m.RecordSizeLimit) })
	}
	if m.SessionTicketSupported {
		// RFC 5077, Section 3.2.
		add(ExtensionSessionTicket, empty)
	}
	if m.SupportedVersion != 0 {
		// RFC 8446, Section 4.2.1.
		add(ExtensionSupportedVersions, func(b *builder) { b.AddUint16(m.SupportedVersion) })
	}
	if m.SecureRenegotiationSupported {
		// RFC 5746, Section 3.2.
		c.length(len(m.SecureRenegotiation), 0, 0xff, "renegotiated_connection")
		w = append(w, extWriter{typ: ExtensionRenegotiationInfo, raw: m.SecureRenegotiation, vec8: true})
	} else if m.SecureRenegotiation != nil {
		c.fail("SecureRenegotiation set without SecureRenegotiationSupported")
	}
	return orderExtensions(c, w, m.Unknown, m.ExtensionOrder, serverHelloKnown)
}

// Unmarshal parses a complete ServerHello, header included. Byte slices in
// m alias data.
func (m *ServerHello) Unmarshal(data []byte) error {
	p := parser{typ: HandshakeTypeServerHello}
	var body cryptobyte.String
	var n ServerHello
	if !p.openHandshake(data, &body) ||
		!p.u16(&body, &n.Version, "server_version") ||
		!p.fixed(&body, n.Random[:], "random") ||
		!p.opaque(&body, &n.SessionID, 0, 32, "session_id") ||
		!p.u16(&body, &n.CipherSuite, "cipher_suite") ||
		!p.u8(&body, &n.CompressionMethod, "compression_method") ||
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
func (m *ServerHello) visitExtension(p *parser) func(t ExtensionType, data cryptobyte.String) bool {
	return func(t ExtensionType, data cryptobyte.String) bool {
		ok := true
		switch t {
		case ExtensionServerName:
			m.ServerNameAck = true
			ok = readEmptyExtension(p, t, data)
		case ExtensionStatusRequest:
			m.StatusRequest = true
			ok = readEmptyExtension(p, t, data)
		case ExtensionECPointFormats:
			ok = list8(p, &data, &m.SupportedPoints, 1, 0xff, "ec_point_format_list") &&
				p.end(data, t.String())
		case ExtensionALPN:
			var names []string
			ok = readALPN(p, data, &names)
			if ok && len(names) != 1 {
				ok = p.syntax("ProtocolNameList holds " + strconv.Itoa(len(names)) + " names, not exactly one")
			}
			if ok {
				m.ALPNProtocol = names[0]
			}
		case ExtensionSCT:
			ok = m.readSCTs(p, data)
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
			ok = readEmptyExtension(p, t, data)
		case ExtensionSupportedVersions:
			// RFC 8446, Section 4.2.1: "If the "supported_versions"
			// extension in the ServerHello contains a version not offered
			// by the client or contains a version prior to TLS 1.3, the
			// client MUST abort the handshake with an "illegal_parameter"
			// alert." Zero is rejected here so that 0 can mean absent;
			// the rest is the state machine's to check.
			ok = p.u16(&data, &m.SupportedVersion, "selected_version") &&
				p.end(data, t.String())
			if ok && m.SupportedVersion == 0 {
				ok = p.illegal("selected_version 0")
			}
		case ExtensionRenegotiationInfo:
			m.SecureRenegotiationSupported = true
			ok = readRenegotiationInfo(p, data, &m.SecureRenegotiation)
		default:
			m.Unknown = append(m.Unknown, Extension{Type: t, Data: nilIfEmpty(data)})
		}
		m.ExtensionOrder = append(m.ExtensionOrder, t)
		return ok
	}
}

// readSCTs decodes a SignedCertificateTimestampList. RFC 6962, Section 3.3.
//
//	opaque SerializedSCT<1..2^16-1>;
//
//	struct {
//	    SerializedSCT sct_list <1..2^16-1>;
//	} SignedCertificateTimestampList;
func (m *ServerHello) readSCTs(p *parser, data cryptobyte.String) bool {
	var list cryptobyte.String
	if !p.vec(&data, &list, 1, 0xffff, "sct_list") || !p.end(data, "signed_certificate_timestamp") {
		return false
	}
	var scts [][]byte
	for !list.Empty() {
		var sct []byte
		if !p.opaque(&list, &sct, 1, 0xffff, "SerializedSCT") {
			return false
		}
		scts = append(scts, sct)
	}
	m.SCTs = scts
	return true
}
