package messages

import (
	"strconv"

	"golang.org/x/crypto/cryptobyte"
)

// CertificateStatus carries a stapled OCSP response. RFC 6066, Section 8.
//
//	struct {
//	    CertificateStatusType status_type;
//	    select (status_type) {
//	        case ocsp: OCSPResponse response;
//	    } response;
//	} CertificateStatus;
//
//	opaque OCSPResponse<1..2^24-1>;
//
// Only status_type ocsp ([CertStatusOCSP]) is defined for this message.
// Any other status_type is a decode_error, because its body cannot be
// decoded (BoringSSL answers it the same way). The DER response is not
// parsed here.
type CertificateStatus struct {
	StatusType uint8 // always CertStatusOCSP after a successful Unmarshal
	Response   []byte
}

// Type returns [HandshakeTypeCertificateStatus].
func (*CertificateStatus) Type() HandshakeType { return HandshakeTypeCertificateStatus }

// Marshal returns the complete message. It fails unless StatusType is
// [CertStatusOCSP] and Response is 1 to 2^24-1 bytes long.
func (m *CertificateStatus) Marshal() ([]byte, error) {
	c := checker{typ: HandshakeTypeCertificateStatus}
	if m.StatusType != CertStatusOCSP {
		c.fail("unsupported status_type " + strconv.Itoa(int(m.StatusType)))
	}
	c.length(len(m.Response), 1, maxUint24, "OCSPResponse")
	if err := c.result(); err != nil {
		return nil, err
	}
	return marshalHandshake(HandshakeTypeCertificateStatus, func(b *builder) {
		b.AddUint8(m.StatusType)
		b.AddUint24LengthPrefixed(func(b *builder) {
			b.AddBytes(m.Response)
		})
	})
}

// Unmarshal parses a complete CertificateStatus, header included. Response
// aliases data.
func (m *CertificateStatus) Unmarshal(data []byte) error {
	p := parser{typ: HandshakeTypeCertificateStatus}
	var body cryptobyte.String
	var n CertificateStatus
	if !p.openHandshake(data, &body) || !p.u8(&body, &n.StatusType, "status_type") {
		return p.err
	}
	if n.StatusType != CertStatusOCSP {
		p.syntax("unsupported status_type " + strconv.Itoa(int(n.StatusType)))
		return p.err
	}
	if !p.opaque(&body, &n.Response, 1, maxUint24, "OCSPResponse") ||
		!p.end(body, "CertificateStatus body") {
		return p.err
	}
	*m = n
	return nil
}
