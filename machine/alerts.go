package machine

import "github.com/sanstls/sanstls/messages"

// Alert descriptions (RFC 5246, Section 7.2; RFC 8446, Section 6), re-exported
// so that adapters and callers can name them without importing messages.
const (
	AlertCloseNotify            Alert = messages.AlertCloseNotify
	AlertUnexpectedMessage      Alert = messages.AlertUnexpectedMessage
	AlertBadRecordMAC           Alert = messages.AlertBadRecordMAC
	AlertRecordOverflow         Alert = messages.AlertRecordOverflow
	AlertHandshakeFailure       Alert = messages.AlertHandshakeFailure
	AlertBadCertificate         Alert = messages.AlertBadCertificate
	AlertUnsupportedCertificate Alert = messages.AlertUnsupportedCertificate
	AlertCertificateRevoked     Alert = messages.AlertCertificateRevoked
	AlertCertificateExpired     Alert = messages.AlertCertificateExpired
	AlertCertificateUnknown     Alert = messages.AlertCertificateUnknown
	AlertIllegalParameter       Alert = messages.AlertIllegalParameter
	AlertUnknownCA              Alert = messages.AlertUnknownCA
	AlertAccessDenied           Alert = messages.AlertAccessDenied
	AlertDecodeError            Alert = messages.AlertDecodeError
	AlertDecryptError           Alert = messages.AlertDecryptError
	AlertProtocolVersion        Alert = messages.AlertProtocolVersion
	AlertInsufficientSecurity   Alert = messages.AlertInsufficientSecurity
	AlertInternalError          Alert = messages.AlertInternalError
	AlertInappropriateFallback  Alert = messages.AlertInappropriateFallback
	AlertUserCanceled           Alert = messages.AlertUserCanceled
	AlertNoRenegotiation        Alert = messages.AlertNoRenegotiation
	AlertMissingExtension       Alert = messages.AlertMissingExtension
	AlertUnsupportedExtension   Alert = messages.AlertUnsupportedExtension
	AlertUnrecognizedName       Alert = messages.AlertUnrecognizedName
	AlertNoApplicationProtocol  Alert = messages.AlertNoApplicationProtocol
)
