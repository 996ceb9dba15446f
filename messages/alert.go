package messages

import (
	"strconv"

	"golang.org/x/crypto/cryptobyte"
)

// AlertLevel is the level of an alert. RFC 5246, Section 7.2.
//
//	enum { warning(1), fatal(2), (255) } AlertLevel;
type AlertLevel uint8

// AlertLevel values. RFC 5246, Section 7.2.
const (
	AlertLevelWarning AlertLevel = 1
	AlertLevelFatal   AlertLevel = 2
)

// String returns "warning", "fatal", or "AlertLevel(N)" for unknown values.
func (l AlertLevel) String() string {
	switch l {
	case AlertLevelWarning:
		return "warning"
	case AlertLevelFatal:
		return "fatal"
	}
	return "AlertLevel(" + strconv.Itoa(int(l)) + ")"
}

// AlertDescription is the description of an alert. RFC 5246, Section 7.2;
// RFC 8446, Section 6; RFC 6066, Section 9; RFC 7301, Section 3.2;
// RFC 7507, Section 2.
type AlertDescription uint8

// AlertDescription values: every description of RFC 5246 and RFC 8446,
// plus the RFC 6066 ones RFC 8446 reserves.
const (
	AlertCloseNotify                  AlertDescription = 0
	AlertUnexpectedMessage            AlertDescription = 10
	AlertBadRecordMAC                 AlertDescription = 20
	AlertDecryptionFailed             AlertDescription = 21 // RESERVED since TLS 1.1
	AlertRecordOverflow               AlertDescription = 22
	AlertDecompressionFailure         AlertDescription = 30
	AlertHandshakeFailure             AlertDescription = 40
	AlertNoCertificate                AlertDescription = 41 // RESERVED, SSLv3 only
	AlertBadCertificate               AlertDescription = 42
	AlertUnsupportedCertificate       AlertDescription = 43
	AlertCertificateRevoked           AlertDescription = 44
	AlertCertificateExpired           AlertDescription = 45
	AlertCertificateUnknown           AlertDescription = 46
	AlertIllegalParameter             AlertDescription = 47
	AlertUnknownCA                    AlertDescription = 48
	AlertAccessDenied                 AlertDescription = 49
	AlertDecodeError                  AlertDescription = 50
	AlertDecryptError                 AlertDescription = 51
	AlertExportRestriction            AlertDescription = 60 // RESERVED
	AlertProtocolVersion              AlertDescription = 70
	AlertInsufficientSecurity         AlertDescription = 71
	AlertInternalError                AlertDescription = 80
	AlertInappropriateFallback        AlertDescription = 86 // RFC 7507
	AlertUserCanceled                 AlertDescription = 90
	AlertNoRenegotiation              AlertDescription = 100
	AlertMissingExtension             AlertDescription = 109 // RFC 8446
	AlertUnsupportedExtension         AlertDescription = 110
	AlertCertificateUnobtainable      AlertDescription = 111 // RFC 6066
	AlertUnrecognizedName             AlertDescription = 112 // RFC 6066
	AlertBadCertificateStatusResponse AlertDescription = 113 // RFC 6066
	AlertBadCertificateHashValue      AlertDescription = 114 // RFC 6066
	AlertUnknownPSKIdentity           AlertDescription = 115 // RFC 4279
	AlertCertificateRequired          AlertDescription = 116 // RFC 8446
	AlertNoApplicationProtocol        AlertDescription = 120 // RFC 7301
)

// String returns the RFC name of d ("close_notify", "decode_error", ...),
// or "alert(N)" for unknown values.
func (d AlertDescription) String() string {
	switch d {
	case AlertCloseNotify:
		return "close_notify"
	case AlertUnexpectedMessage:
		return "unexpected_message"
	case AlertBadRecordMAC:
		return "bad_record_mac"
	case AlertDecryptionFailed:
		return "decryption_failed_RESERVED"
	case AlertRecordOverflow:
		return "record_overflow"
	case AlertDecompressionFailure:
		return "decompression_failure"
	case AlertHandshakeFailure:
		return "handshake_failure"
	case AlertNoCertificate:
		return "no_certificate_RESERVED"
	case AlertBadCertificate:
		return "bad_certificate"
	case AlertUnsupportedCertificate:
		return "unsupported_certificate"
	case AlertCertificateRevoked:
		return "certificate_revoked"
	case AlertCertificateExpired:
		return "certificate_expired"
	case AlertCertificateUnknown:
		return "certificate_unknown"
	case AlertIllegalParameter:
		return "illegal_parameter"
	case AlertUnknownCA:
		return "unknown_ca"
	case AlertAccessDenied:
		return "access_denied"
	case AlertDecodeError:
		return "decode_error"
	case AlertDecryptError:
		return "decrypt_error"
	case AlertExportRestriction:
		return "export_restriction_RESERVED"
	case AlertProtocolVersion:
		return "protocol_version"
	case AlertInsufficientSecurity:
		return "insufficient_security"
	case AlertInternalError:
		return "internal_error"
	case AlertInappropriateFallback:
		return "inappropriate_fallback"
	case AlertUserCanceled:
		return "user_canceled"
	case AlertNoRenegotiation:
		return "no_renegotiation"
	case AlertMissingExtension:
		return "missing_extension"
	case AlertUnsupportedExtension:
		return "unsupported_extension"
	case AlertCertificateUnobtainable:
		return "certificate_unobtainable"
	case AlertUnrecognizedName:
		return "unrecognized_name"
	case AlertBadCertificateStatusResponse:
		return "bad_certificate_status_response"
	case AlertBadCertificateHashValue:
		return "bad_certificate_hash_value"
	case AlertUnknownPSKIdentity:
		return "unknown_psk_identity"
	case AlertCertificateRequired:
		return "certificate_required"
	case AlertNoApplicationProtocol:
		return "no_application_protocol"
	}
	return "alert(" + strconv.Itoa(int(d)) + ")"
}

// Alert is the body of an alert record. RFC 5246, Section 7.2.
//
//	struct {
//	    AlertLevel level;
//	    AlertDescription description;
//	} Alert;
type Alert struct {
	Level       AlertLevel
	Description AlertDescription
}

// AlertLen is the length of an alert record body.
const AlertLen = 2

// Append appends the 2-byte alert body to b and returns the extended slice.
// It does not check Level: the caller decides what it sends.
func (a Alert) Append(b []byte) []byte {
	return appendFixed(b, func(bld *builder) {
		bld.AddUint8(uint8(a.Level))
		bld.AddUint8(uint8(a.Description))
	})
}

// ParseAlert parses the body of an alert record. The body MUST be exactly
// two bytes; anything else is a [*DecodeError] with [AlertDecodeError]
// (an alert split across records, or two alerts in one record, is
// rejected the same way). A level other than warning or fatal is a
// [*DecodeError] with [AlertIllegalParameter]. Unknown descriptions are
// returned as-is: RFC 5246, Section 7.2 leaves their handling to the
// receiver. The returned error's Type is [HandshakeTypeNone].
func ParseAlert(body []byte) (Alert, error) {
	s := cryptobyte.String(body)
	var level, desc uint8
	if !s.ReadUint8(&level) || !s.ReadUint8(&desc) {
		return Alert{}, &DecodeError{Type: HandshakeTypeNone, What: "alert: truncated (" + strconv.Itoa(len(body)) + " bytes)", Alert: AlertDecodeError}
	}
	if !s.Empty() {
		return Alert{}, &DecodeError{Type: HandshakeTypeNone, What: "alert: trailing bytes (" + strconv.Itoa(len(body)) + " bytes)", Alert: AlertDecodeError}
	}
	a := Alert{Level: AlertLevel(level), Description: AlertDescription(desc)}
	if a.Level != AlertLevelWarning && a.Level != AlertLevelFatal {
		return Alert{}, &DecodeError{Type: HandshakeTypeNone, What: "alert: unknown level " + strconv.Itoa(int(level)), Alert: AlertIllegalParameter}
	}
	return a, nil
}
