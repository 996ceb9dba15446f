package messages

import (
	"slices"
	"strconv"

	"golang.org/x/crypto/cryptobyte"
)

// Extension is a hello extension kept undecoded: one this package does not
// know, a GREASE value (RFC 8701), or a TLS 1.3-only extension. RFC 5246,
// Section 7.4.1.4.
//
//	struct {
//	    ExtensionType extension_type;
//	    opaque extension_data<0..2^16-1>;
//	} Extension;
//
// Empty extension_data decodes as a nil Data.
type Extension struct {
	Type ExtensionType
	Data []byte
}

// readExtensions reads the optional extensions block at the end of a hello
// body and calls visit for each extension in wire order. present reports
// whether the block was there at all (RFC 5246, Section 7.4.1.2: "the
// presence of extensions can be detected by determining whether there are
// bytes following the compression_methods"). It enforces RFC 5246,
// Section 7.4.1.4: "There MUST NOT be more than one extension of the same
// type." A duplicate is a decode_error, the alert BoGo's
// DuplicateExtensionClient/Server tests expect.
//
//	Extension extensions<0..2^16-1>;
func readExtensions(p *parser, body *cryptobyte.String, present *bool, visit func(t ExtensionType, data cryptobyte.String) bool) bool {
	if body.Empty() {
		*present = false
		return true
	}
	*present = true
	var block cryptobyte.String
	if !p.vec(body, &block, 0, 0xffff, "extensions") || !p.end(*body, "hello body") {
		return false
	}
	// Duplicates are found in a small array while there are few
	// extensions, in a map beyond that (a hello can hold thousands).
	var few [24]ExtensionType
	seenFew := few[:0]
	var seen map[ExtensionType]struct{}
	for !block.Empty() {
		var t uint16
		var data cryptobyte.String
		if !p.u16(&block, &t, "extension_type") ||
			!p.vec(&block, &data, 0, 0xffff, "extension_data") {
			return false
		}
		typ := ExtensionType(t)
		dup := slices.Contains(seenFew, typ)
		if seen != nil {
			_, dup = seen[typ]
		}
		if dup {
			return p.syntax("duplicate extension " + typ.String())
		}
		switch {
		case seen != nil:
			seen[typ] = struct{}{}
		case len(seenFew) < len(few):
			seenFew = append(seenFew, typ)
		default:
			seen = make(map[ExtensionType]struct{}, 2*len(few))
			for _, e := range seenFew {
				seen[e] = struct{}{}
			}
			seen[typ] = struct{}{}
		}
		if !visit(typ, data) {
			return false
		}
	}
	return true
}

// readEmptyExtension checks that an extension that carries no data (for
// example extended_master_secret, RFC 7627, Section 5.1: "The
// "extension_data" field of this extension SHALL be empty") is empty.
func readEmptyExtension(p *parser, t ExtensionType, data cryptobyte.String) bool {
	return p.end(data, t.String())
}

// readServerName decodes a ClientHello server_name extension. RFC 6066,
// Section 3.
//
//	struct {
//	    NameType name_type;
//	    select (name_type) {
//	        case host_name: HostName;
//	    } name;
//	} ServerName;
//
//	enum { host_name(0), (255) } NameType;
//
//	opaque HostName<1..2^16-1>;
//
//	struct {
//	    ServerName server_name_list<1..2^16-1>
//	} ServerNameList;
//
// Enforced: "The ServerNameList MUST NOT contain more than one name of the
// same name_type" (a second host_name is illegal_parameter, as tlsfuzzer's
// test-invalid-server-name-extension expects). Only host_name is defined;
// entries of other name types are skipped, as Section 3 provides (their data
// starts with a 16-bit length). The host name is "represented as a byte string
// using ASCII encoding", so bytes outside printable ASCII (NUL, control
// characters, space, UTF-8) are illegal_parameter; empty names and empty
// lists are decode_error.
func readServerName(p *parser, data cryptobyte.String, out *string) bool {
	var list cryptobyte.String
	if !p.vec(&data, &list, 1, 0xffff, "server_name_list") || !p.end(data, "server_name") {
		return false
	}
	name := ""
	for !list.Empty() {
		var nameType uint8
		var host cryptobyte.String
		if !p.u8(&list, &nameType, "server_name name_type") {
			return false
		}
		if nameType != 0 {
			// RFC 6066, Section 3: data of future name types begins
			// with a 16-bit length so that servers can skip it.
			var skipped cryptobyte.String
			if !p.vec(&list, &skipped, 0, 0xffff, "server_name data") {
				return false
			}
			continue
		}
		if !p.vec(&list, &host, 1, 0xffff, "HostName") {
			return false
		}
		if name != "" {
			return p.illegal("server_name: more than one host_name")
		}
		if !validHostName(host) {
			return p.illegal("server_name: HostName is not printable ASCII")
		}
		name = string(host)
	}
	*out = name
	return true
}

// validHostName reports whether name is non-empty printable ASCII without
// spaces.
func validHostName[S ~string | ~[]byte](name S) bool {
	if len(name) == 0 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if name[i] < 0x21 || name[i] > 0x7e {
			return false
		}
	}
	return true
}

// addServerName writes a server_name extension_data with one host_name.
func addServerName(b *builder, name string) {
	b.AddUint16LengthPrefixed(func(b *builder) {
		b.AddUint8(0) // name_type = host_name
		b.AddUint16LengthPrefixed(func(b *builder) {
			b.AddBytes([]byte(name))
		})
	})
}

// readALPN decodes an ALPN extension_data. RFC 7301, Section 3.1.
//
//	opaque ProtocolName<1..2^8-1>;
//
//	struct {
//	    ProtocolName protocol_name_list<2..2^16-1>
//	} ProtocolNameList;
//
// Empty lists and empty names are decode_error (RFC 7301: "Empty strings
// MUST NOT be included"), as tlsfuzzer's test-alpn-negotiation expects.
func readALPN(p *parser, data cryptobyte.String, out *[]string) bool {
	var list cryptobyte.String
	if !p.vec(&data, &list, 2, 0xffff, "protocol_name_list") ||
		!p.end(data, "application_layer_protocol_negotiation") {
		return false
	}
	var names []string
	for !list.Empty() {
		var name cryptobyte.String
		if !p.vec(&list, &name, 1, 0xff, "ProtocolName") {
			return false
		}
		names = append(names, string(name))
	}
	*out = names
	return true
}

// checkALPN validates protocol names for encoding.
func checkALPN(c *checker, names []string) {
	total := 0
	for i, name := range names {
		c.length(len(name), 1, 0xff, "ProtocolName "+strconv.Itoa(i))
		total += 1 + len(name)
	}
	c.length(total, 2, 0xffff, "protocol_name_list")
}

// addALPN writes an ALPN extension_data.
func addALPN(b *builder, names []string) {
	b.AddUint16LengthPrefixed(func(b *builder) {
		for _, name := range names {
			b.AddUint8LengthPrefixed(func(b *builder) {
				b.AddBytes([]byte(name))
			})
		}
	})
}

// readRecordSizeLimit decodes a record_size_limit extension_data.
// RFC 8449, Section 4:
//
//	uint16 RecordSizeLimit;
//
// "Endpoints MUST NOT send a "record_size_limit" extension with a value
// smaller than 64. An endpoint MUST treat receipt of a smaller value as a
// fatal error and generate an "illegal_parameter" alert." The upper limit
// depends on the negotiated version and is the state machine's to check.
func readRecordSizeLimit(p *parser, data cryptobyte.String, out *uint16) bool {
	var v uint16
	if !p.u16(&data, &v, "record_size_limit") || !p.end(data, "record_size_limit") {
		return false
	}
	if v < 64 {
		return p.illegal("record_size_limit " + strconv.Itoa(int(v)) + " below 64")
	}
	*out = v
	return true
}

// checkRecordSizeLimit validates a record_size_limit for encoding (0 means
// absent).
func checkRecordSizeLimit(c *checker, v uint16) {
	if v != 0 && v < 64 {
		c.fail("record_size_limit " + strconv.Itoa(int(v)) + " below 64")
	}
}

// readRenegotiationInfo decodes a renegotiation_info extension_data.
// RFC 5746, Section 3.2.
//
//	struct {
//	    opaque renegotiated_connection<0..255>;
//	} RenegotiationInfo;
func readRenegotiationInfo(p *parser, data cryptobyte.String, out *[]byte) bool {
	return p.opaque(&data, out, 0, 0xff, "renegotiated_connection") &&
		p.end(data, "renegotiation_info")
}

// addOpaque8 writes an 8-bit-length-prefixed opaque vector.
func addOpaque8(b *builder, v []byte) {
	b.AddUint8LengthPrefixed(func(b *builder) {
		b.AddBytes(v)
	})
}

// addOpaque16 writes a 16-bit-length-prefixed opaque vector.
func addOpaque16(b *builder, v []byte) {
	b.AddUint16LengthPrefixed(func(b *builder) {
		b.AddBytes(v)
	})
}

// extWriter is one extension ready to be encoded: its type and a function
// that writes its extension_data (without the length prefix), or for the
// common byte-string cases the bytes themselves, which costs no closure.
type extWriter struct {
	typ  ExtensionType
	data func(b *builder) // nil: hello or raw writes the extension_data
	// hello writes a ClientHello extension from ch (a writer that captures
	// nothing costs no allocation).
	hello func(m *ClientHello, b *builder)
	ch    *ClientHello
	raw   []byte // the extension_data, or with vec8 its content
	vec8  bool   // raw is written as an opaque <0..255> vector
}

// orderExtensions returns the extensions to encode, in order. present holds
// the decoded extensions that are set, in the fixed order; unknown holds
// the raw ones. With a nil order the result is present followed by unknown.
// With a non-nil order (as recorded by Unmarshal) the result follows it, and
// order must list every extension exactly once, with the unknown ones in
// the order of unknown. known reports which types have decoded fields: such
// types may not appear in unknown, where Unmarshal would never put them.
func orderExtensions(c *checker, present []extWriter, unknown []Extension, order []ExtensionType, known func(ExtensionType) bool) []extWriter {
	seen := make(map[ExtensionType]bool, len(unknown))
	for _, e := range unknown {
		switch {
		case known(e.Type):
			c.fail("Unknown holds decoded extension " + e.Type.String())
		case seen[e.Type]:
			c.fail("Unknown holds duplicate extension " + e.Type.String())
		}
		seen[e.Type] = true
		c.length(len(e.Data), 0, 0xffff, "extension_data of "+e.Type.String())
	}
	raw := func(e Extension) extWriter {
		return extWriter{typ: e.Type, raw: e.Data}
	}
	if order == nil && len(unknown) == 0 {
		return present
	}
	if order == nil {
		out := append([]extWriter(nil), present...)
		for _, e := range unknown {
			out = append(out, raw(e))
		}
		return out
	}
	byType := make(map[ExtensionType]int, len(present))
	for i, w := range present {
		byType[w.typ] = i
	}
	used := make([]bool, len(present))
	out := make([]extWriter, 0, len(order))
	next := 0
	for _, t := range order {
		if known(t) {
			i, ok := byType[t]
			switch {
			case !ok:
				c.fail("ExtensionOrder lists " + t.String() + ", which is not set")
			case used[i]:
				c.fail("ExtensionOrder lists " + t.String() + " twice")
			default:
				used[i] = true
				out = append(out, present[i])
			}
			continue
		}
		if next >= len(unknown) || unknown[next].Type != t {
			c.fail("ExtensionOrder lists " + t.String() + " out of step with Unknown")
			continue
		}
		out = append(out, raw(unknown[next]))
		next++
	}
	for i, w := range present {
		if !used[i] {
			c.fail("ExtensionOrder omits " + w.typ.String())
		}
	}
	if next < len(unknown) {
		c.fail("ExtensionOrder omits " + unknown[next].Type.String())
	}
	return out
}

// addExtensions writes an extensions block holding exts.
func addExtensions(b *builder, exts []extWriter) {
	b.AddUint16LengthPrefixed(func(b *builder) {
		for _, e := range exts {
			b.AddUint16(uint16(e.typ))
			switch {
			case e.data != nil:
				b.AddUint16LengthPrefixed(e.data)
			case e.hello != nil:
				b.AddUint16LengthPrefixed(func(b *builder) { e.hello(e.ch, b) })
			case e.vec8:
				b.AddUint16LengthPrefixed(func(b *builder) { addOpaque8(b, e.raw) })
			default:
				addOpaque16(b, e.raw)
			}
		}
	})
}
