package messages

import (
	"fmt"
	"strconv"
)

// ContentType is the type of a TLS record. RFC 5246, Section 6.2.1.
//
//	enum {
//	    change_cipher_spec(20), alert(21), handshake(22),
//	    application_data(23), (255)
//	} ContentType;
type ContentType uint8

// ContentType values. RFC 5246, Section 6.2.1.
const (
	ContentTypeChangeCipherSpec ContentType = 20
	ContentTypeAlert            ContentType = 21
	ContentTypeHandshake        ContentType = 22
	ContentTypeApplicationData  ContentType = 23
)

// String returns the RFC name of t, or "ContentType(N)" for unknown values.
func (t ContentType) String() string {
	switch t {
	case ContentTypeChangeCipherSpec:
		return "change_cipher_spec"
	case ContentTypeAlert:
		return "alert"
	case ContentTypeHandshake:
		return "handshake"
	case ContentTypeApplicationData:
		return "application_data"
	}
	return "ContentType(" + strconv.Itoa(int(t)) + ")"
}

// HandshakeType is the msg_type of a handshake message. RFC 5246,
// Section 7.4; RFC 5077, Section 3.3; RFC 6066, Section 8.
//
//	enum {
//	    hello_request(0), client_hello(1), server_hello(2),
//	    certificate(11), server_key_exchange (12),
//	    certificate_request(13), server_hello_done(14),
//	    certificate_verify(15), client_key_exchange(16),
//	    finished(20), (255)
//	} HandshakeType;
type HandshakeType uint8

// HandshakeType values used in TLS 1.2.
const (
	HandshakeTypeHelloRequest       HandshakeType = 0
	HandshakeTypeClientHello        HandshakeType = 1
	HandshakeTypeServerHello        HandshakeType = 2
	HandshakeTypeNewSessionTicket   HandshakeType = 4 // RFC 5077, Section 3.3
	HandshakeTypeCertificate        HandshakeType = 11
	HandshakeTypeServerKeyExchange  HandshakeType = 12
	HandshakeTypeCertificateRequest HandshakeType = 13
	HandshakeTypeServerHelloDone    HandshakeType = 14
	HandshakeTypeCertificateVerify  HandshakeType = 15
	HandshakeTypeClientKeyExchange  HandshakeType = 16
	HandshakeTypeFinished           HandshakeType = 20
	HandshakeTypeCertificateStatus  HandshakeType = 22 // RFC 6066, Section 8
)

// HandshakeTypeNone is not a handshake type. It marks a [DecodeError] about
// something other than a handshake message: an alert, a record header or a
// ChangeCipherSpec body. The value 255 is reserved in the IANA registry.
const HandshakeTypeNone HandshakeType = 0xff

// String returns the message name of t ("ClientHello", ...), or
// "HandshakeType(N)" for unknown values.
func (t HandshakeType) String() string {
	switch t {
	case HandshakeTypeHelloRequest:
		return "HelloRequest"
	case HandshakeTypeClientHello:
		return "ClientHello"
	case HandshakeTypeServerHello:
		return "ServerHello"
	case HandshakeTypeNewSessionTicket:
		return "NewSessionTicket"
	case HandshakeTypeCertificate:
		return "Certificate"
	case HandshakeTypeServerKeyExchange:
		return "ServerKeyExchange"
	case HandshakeTypeCertificateRequest:
		return "CertificateRequest"
	case HandshakeTypeServerHelloDone:
		return "ServerHelloDone"
	case HandshakeTypeCertificateVerify:
		return "CertificateVerify"
	case HandshakeTypeClientKeyExchange:
		return "ClientKeyExchange"
	case HandshakeTypeFinished:
		return "Finished"
	case HandshakeTypeCertificateStatus:
		return "CertificateStatus"
	case HandshakeTypeNone:
		return "none"
	}
	return "HandshakeType(" + strconv.Itoa(int(t)) + ")"
}

// NamedGroup identifies a key exchange group. RFC 8422, Section 5.1.1
// (elliptic curves, where it is called NamedCurve); RFC 7919, Section 2
// (finite-field groups); RFC 8446, Section 4.2.7.
type NamedGroup uint16

// NamedGroup values.
const (
	GroupP256      NamedGroup = 23  // secp256r1
	GroupP384      NamedGroup = 24  // secp384r1
	GroupP521      NamedGroup = 25  // secp521r1
	GroupX25519    NamedGroup = 29  // RFC 8422, Section 5.1.1
	GroupX448      NamedGroup = 30  // RFC 8422, Section 5.1.1
	GroupFFDHE2048 NamedGroup = 256 // RFC 7919, Section 2
	GroupFFDHE3072 NamedGroup = 257
	GroupFFDHE4096 NamedGroup = 258
	GroupFFDHE6144 NamedGroup = 259
	GroupFFDHE8192 NamedGroup = 260
)

// String returns the IANA name of g ("x25519", "secp256r1", ...), or
// "NamedGroup(0xNNNN)" for unknown values.
func (g NamedGroup) String() string {
	switch g {
	case GroupP256:
		return "secp256r1"
	case GroupP384:
		return "secp384r1"
	case GroupP521:
		return "secp521r1"
	case GroupX25519:
		return "x25519"
	case GroupX448:
		return "x448"
	case GroupFFDHE2048:
		return "ffdhe2048"
	case GroupFFDHE3072:
		return "ffdhe3072"
	case GroupFFDHE4096:
		return "ffdhe4096"
	case GroupFFDHE6144:
		return "ffdhe6144"
	case GroupFFDHE8192:
		return "ffdhe8192"
	}
	return "NamedGroup(" + hex16(uint16(g)) + ")"
}

// SignatureScheme is a signature algorithm as sent in signature_algorithms,
// CertificateRequest and DigitallySigned. In TLS 1.2 it is the
// SignatureAndHashAlgorithm pair of RFC 5246, Section 7.4.1.4.1 (hash byte,
// then signature byte); RFC 8446, Section 4.2.3 reinterprets the same
// two bytes as one 16-bit code point and adds RSASSA-PSS and EdDSA, which
// TLS 1.2 may use as well.
type SignatureScheme uint16

// SignatureScheme values. RFC 8446, Section 4.2.3, and the TLS 1.2
// hash/signature pairs of RFC 5246, Section 7.4.1.4.1 (the MD5, SHA-224 and
// DSA values exist so that String can name them; RFC 9155 forbids MD5 and
// SHA-1 signatures in TLS 1.2).
const (
	SignatureRSAPKCS1MD5    SignatureScheme = 0x0101
	SignatureRSAPKCS1SHA1   SignatureScheme = 0x0201
	SignatureRSAPKCS1SHA224 SignatureScheme = 0x0301
	SignatureRSAPKCS1SHA256 SignatureScheme = 0x0401
	SignatureRSAPKCS1SHA384 SignatureScheme = 0x0501
	SignatureRSAPKCS1SHA512 SignatureScheme = 0x0601

	SignatureDSAMD5    SignatureScheme = 0x0102
	SignatureDSASHA1   SignatureScheme = 0x0202
	SignatureDSASHA224 SignatureScheme = 0x0302
	SignatureDSASHA256 SignatureScheme = 0x0402
	SignatureDSASHA384 SignatureScheme = 0x0502
	SignatureDSASHA512 SignatureScheme = 0x0602

	SignatureECDSAMD5         SignatureScheme = 0x0103
	SignatureECDSASHA1        SignatureScheme = 0x0203
	SignatureECDSASHA224      SignatureScheme = 0x0303
	SignatureECDSAP256SHA256  SignatureScheme = 0x0403
	SignatureECDSAP384SHA384  SignatureScheme = 0x0503
	SignatureECDSAP521SHA512  SignatureScheme = 0x0603
	SignatureRSAPSSRSAESHA256 SignatureScheme = 0x0804
	SignatureRSAPSSRSAESHA384 SignatureScheme = 0x0805
	SignatureRSAPSSRSAESHA512 SignatureScheme = 0x0806
	SignatureEd25519          SignatureScheme = 0x0807
	SignatureEd448            SignatureScheme = 0x0808
	SignatureRSAPSSPSSSHA256  SignatureScheme = 0x0809
	SignatureRSAPSSPSSSHA384  SignatureScheme = 0x080a
	SignatureRSAPSSPSSSHA512  SignatureScheme = 0x080b
)

// String returns the IANA name of s ("rsa_pss_rsae_sha256", ...), or
// "SignatureScheme(0xNNNN)" for unknown values.
func (s SignatureScheme) String() string {
	switch s {
	case SignatureRSAPKCS1MD5:
		return "rsa_pkcs1_md5"
	case SignatureRSAPKCS1SHA1:
		return "rsa_pkcs1_sha1"
	case SignatureRSAPKCS1SHA224:
		return "rsa_pkcs1_sha224"
	case SignatureRSAPKCS1SHA256:
		return "rsa_pkcs1_sha256"
	case SignatureRSAPKCS1SHA384:
		return "rsa_pkcs1_sha384"
	case SignatureRSAPKCS1SHA512:
		return "rsa_pkcs1_sha512"
	case SignatureDSAMD5:
		return "dsa_md5"
	case SignatureDSASHA1:
		return "dsa_sha1"
	case SignatureDSASHA224:
		return "dsa_sha224"
	case SignatureDSASHA256:
		return "dsa_sha256"
	case SignatureDSASHA384:
		return "dsa_sha384"
	case SignatureDSASHA512:
		return "dsa_sha512"
	case SignatureECDSAMD5:
		return "ecdsa_md5"
	case SignatureECDSASHA1:
		return "ecdsa_sha1"
	case SignatureECDSASHA224:
		return "ecdsa_sha224"
	case SignatureECDSAP256SHA256:
		return "ecdsa_secp256r1_sha256"
	case SignatureECDSAP384SHA384:
		return "ecdsa_secp384r1_sha384"
	case SignatureECDSAP521SHA512:
		return "ecdsa_secp521r1_sha512"
	case SignatureRSAPSSRSAESHA256:
		return "rsa_pss_rsae_sha256"
	case SignatureRSAPSSRSAESHA384:
		return "rsa_pss_rsae_sha384"
	case SignatureRSAPSSRSAESHA512:
		return "rsa_pss_rsae_sha512"
	case SignatureEd25519:
		return "ed25519"
	case SignatureEd448:
		return "ed448"
	case SignatureRSAPSSPSSSHA256:
		return "rsa_pss_pss_sha256"
	case SignatureRSAPSSPSSSHA384:
		return "rsa_pss_pss_sha384"
	case SignatureRSAPSSPSSSHA512:
		return "rsa_pss_pss_sha512"
	}
	return "SignatureScheme(" + hex16(uint16(s)) + ")"
}

// ExtensionType identifies a hello extension. RFC 5246, Section 7.4.1.4, and
// the IANA "TLS ExtensionType Values" registry.
type ExtensionType uint16

// ExtensionType values. The ones this package decodes into ClientHello or
// ServerHello fields are listed first; the rest are named so that String
// and error messages can name them, and are kept raw as [Extension]s.
const (
	ExtensionServerName              ExtensionType = 0      // RFC 6066, Section 3
	ExtensionStatusRequest           ExtensionType = 5      // RFC 6066, Section 8
	ExtensionSupportedGroups         ExtensionType = 10     // RFC 8422, Section 5.1.1
	ExtensionECPointFormats          ExtensionType = 11     // RFC 8422, Section 5.1.2
	ExtensionSignatureAlgorithms     ExtensionType = 13     // RFC 5246, Section 7.4.1.4.1
	ExtensionALPN                    ExtensionType = 16     // RFC 7301, Section 3.1
	ExtensionSCT                     ExtensionType = 18     // RFC 6962, Section 3.3.1
	ExtensionPadding                 ExtensionType = 21     // RFC 7685, Section 3
	ExtensionEncryptThenMAC          ExtensionType = 22     // RFC 7366, Section 2
	ExtensionExtendedMasterSecret    ExtensionType = 23     // RFC 7627, Section 5.1
	ExtensionRecordSizeLimit         ExtensionType = 28     // RFC 8449, Section 4
	ExtensionSessionTicket           ExtensionType = 35     // RFC 5077, Section 3.2
	ExtensionSupportedVersions       ExtensionType = 43     // RFC 8446, Section 4.2.1
	ExtensionSignatureAlgorithmsCert ExtensionType = 50     // RFC 8446, Section 4.2.3
	ExtensionRenegotiationInfo       ExtensionType = 0xff01 // RFC 5746, Section 3.2

	ExtensionMaxFragmentLength   ExtensionType = 1  // RFC 6066, Section 4
	ExtensionTruncatedHMAC       ExtensionType = 4  // RFC 6066, Section 7
	ExtensionHeartbeat           ExtensionType = 15 // RFC 6520
	ExtensionStatusRequestV2     ExtensionType = 17 // RFC 6961
	ExtensionCompressCertificate ExtensionType = 27 // RFC 8879
	ExtensionPreSharedKey        ExtensionType = 41 // RFC 8446 (TLS 1.3 only)
	ExtensionEarlyData           ExtensionType = 42 // RFC 8446 (TLS 1.3 only)
	ExtensionCookie              ExtensionType = 44 // RFC 8446 (TLS 1.3 only)
	ExtensionPSKKeyExchangeModes ExtensionType = 45 // RFC 8446 (TLS 1.3 only)
	ExtensionKeyShare            ExtensionType = 51 // RFC 8446 (TLS 1.3 only)
)

// String returns the IANA name of e ("server_name", ...), or
// "ExtensionType(0xNNNN)" for unknown values.
func (e ExtensionType) String() string {
	switch e {
	case ExtensionServerName:
		return "server_name"
	case ExtensionStatusRequest:
		return "status_request"
	case ExtensionSupportedGroups:
		return "supported_groups"
	case ExtensionECPointFormats:
		return "ec_point_formats"
	case ExtensionSignatureAlgorithms:
		return "signature_algorithms"
	case ExtensionALPN:
		return "application_layer_protocol_negotiation"
	case ExtensionSCT:
		return "signed_certificate_timestamp"
	case ExtensionPadding:
		return "padding"
	case ExtensionEncryptThenMAC:
		return "encrypt_then_mac"
	case ExtensionExtendedMasterSecret:
		return "extended_master_secret"
	case ExtensionRecordSizeLimit:
		return "record_size_limit"
	case ExtensionSessionTicket:
		return "session_ticket"
	case ExtensionSupportedVersions:
		return "supported_versions"
	case ExtensionSignatureAlgorithmsCert:
		return "signature_algorithms_cert"
	case ExtensionRenegotiationInfo:
		return "renegotiation_info"
	case ExtensionMaxFragmentLength:
		return "max_fragment_length"
	case ExtensionTruncatedHMAC:
		return "truncated_hmac"
	case ExtensionHeartbeat:
		return "heartbeat"
	case ExtensionStatusRequestV2:
		return "status_request_v2"
	case ExtensionCompressCertificate:
		return "compress_certificate"
	case ExtensionPreSharedKey:
		return "pre_shared_key"
	case ExtensionEarlyData:
		return "early_data"
	case ExtensionCookie:
		return "cookie"
	case ExtensionPSKKeyExchangeModes:
		return "psk_key_exchange_modes"
	case ExtensionKeyShare:
		return "key_share"
	}
	return "ExtensionType(" + hex16(uint16(e)) + ")"
}

// CompressionMethod is a compression method code. RFC 5246, Section 7.4.1.2.
// Only [CompressionNull] is ever acceptable (RFC 9325, Section 3.3).
type CompressionMethod = uint8

// CompressionNull is the null compression method. RFC 5246, Section 6.2.2.
const CompressionNull CompressionMethod = 0

// Protocol version numbers as sent on the wire (ProtocolVersion,
// RFC 5246, Section 6.2.1; RFC 8446, Section 4.2.1).
const (
	VersionTLS10 = 0x0301
	VersionTLS11 = 0x0302
	VersionTLS12 = 0x0303
	VersionTLS13 = 0x0304
)

// PointFormatUncompressed is the uncompressed ECPointFormat, the only one
// RFC 8422, Section 5.1.2 still defines.
const PointFormatUncompressed uint8 = 0

// CertStatusOCSP is the ocsp CertificateStatusType. RFC 6066, Section 8.
const CertStatusOCSP uint8 = 1

// ECCurveTypeNamedCurve is the named_curve ECCurveType, the only one
// RFC 8422, Section 5.4 still allows.
const ECCurveTypeNamedCurve uint8 = 3

// IsGREASE reports whether v is one of the sixteen GREASE values of
// RFC 8701, Section 2 (0x0A0A, 0x1A1A, ..., 0xFAFA). GREASE values are
// valid on the wire and kept as-is by this package; a peer MUST NOT treat
// them as meaningful.
func IsGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

// hex16 formats v as "0x" followed by four lowercase hex digits.
func hex16(v uint16) string {
	return fmt.Sprintf("0x%04x", v)
}
