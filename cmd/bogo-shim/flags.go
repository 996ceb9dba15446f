package main

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sanstls/sanstls/machine"
)

// This file parses the runner's command line. BoringSSL's shim defines the
// flags in ssl/test/test_config.cc; the names, their kinds and the prefix
// rules below follow it:
//
//   - "-on-initial-X", "-on-resume-X" and "-on-retry-X" set X only for the
//     first connection, the resumption connections, or the 0-RTT retry;
//     an unprefixed flag sets all three.
//   - "-on-shim-X" is X; "-on-handshaker-X" configures BoringSSL's split
//     handshaker, which we do not have, and is ignored.
//   - Credential flags (-cert-file, -key-file, -signing-prefs, -ocsp-response,
//     ...) apply to the last -new-x509-credential if there is one, else to
//     the default credential.

// credential is one certificate chain and key the shim may use.
type credential struct {
	certFile, keyFile string
	signingPrefs      []uint16
	ocspResponse      []byte
	mustMatchIssuer   bool
	sctList           []byte
}

// options is the configuration of one connection.
type options struct {
	// Transport and test shape.
	port                      int
	ipv6                      bool
	shimID                    uint64
	server                    bool
	resumeCount               int
	async                     bool
	shimWritesFirst           bool
	shimShutsDown             bool
	checkCloseNotify          bool
	implicitHandshake         bool
	readSize                  int
	writeDifferentRecordSizes bool
	sendAlert                 bool // abort with decompression_failure after the handshake
	maxSendFragment           int
	useExporterBetweenReads   bool

	// Versions (wire values, e.g. 771 for TLS 1.2); 0 means unset.
	minVersion, maxVersion, expectVersion int
	noTLS1, noTLS11, noTLS12, noTLS13     bool

	// Credentials: the default one and those added by -new-x509-credential.
	defaultCred credential
	creds       []credential
	trustCert   string

	// Negotiation.
	cipher           string
	serverPref       bool
	curves           []uint16
	verifyPrefs      []uint16
	hostName         string
	advertiseALPN    []string
	hasAdvertiseALPN bool
	selectALPN       string
	declineALPN      bool
	rejectALPN       bool
	maxCertList      int

	// Authentication.
	requireAnyClientCert bool
	verifyPeer           bool
	verifyFail           bool
	reverifyOnResume     bool
	customVerify         bool
	enableOCSPStapling   bool
	declineOCSPCallback  bool
	failOCSPCallback     bool
	clientCAList         [][]byte // -use-client-ca-list; nil when unset
	enableSCTs           bool
	enableGREASE         bool
	falseStart           bool
	handshakeTwice       bool // a second SSL_do_handshake: it finishes a False Start
	falseStartNoALPN     bool
	expectSCTList        []byte   // serialized SignedCertificateTimestampList
	expectClientCAList   [][]byte // -expect-client-ca-list; nil when unset

	// Exporter.
	exportKeyingMaterial int
	exportLabel          string
	exportContext        string
	useExportContext     bool
	tlsUnique            bool // send ConnectionState.TLSUnique after the handshake

	// Post-handshake expectations.
	expectALPN                string
	hasExpectALPN             bool
	expectAdvertisedALPN      []string
	hasExpectAdvertisedALPN   bool
	expectServerName          string
	expectNoServerName        bool
	expectCurveID             int
	expectPeerSigAlg          int
	expectPeerVerifyPrefs     []uint16
	expectCertificateTypes    []byte
	hasExpectCertTypes        bool
	expectCipher              int
	expectCipherAES           int
	expectCipherNoAES         int
	expectEMS                 bool
	expectSecureReneg         bool
	expectNoSecureReneg       bool
	expectOCSPResponse        []byte
	expectPeerCertFile        string
	expectVerifyResult        bool
	expectSessionMiss         bool
	expectNoSession           bool
	expectSessionID           bool
	expectNoSessionID         bool
	expectTicketRenewal       bool
	noTicket                  bool
	expectSelectedCredential  int // -2 when unset
	expectTotalRenegotiations int

	// renegotiation is the client's policy for HelloRequest.
	renegotiation machine.RenegotiationSupport

	// unimplemented names the flags this connection needs that sanstls
	// cannot honour; the shim exits 89 before running the connection.
	unimplemented []string
}

func newOptions() *options {
	return &options{expectSelectedCredential: -2}
}

// cred returns the credential that credential flags currently apply to.
func (o *options) cred() *credential {
	if len(o.creds) > 0 {
		return &o.creds[len(o.creds)-1]
	}
	return &o.defaultCred
}

func (o *options) markUnimplemented(name string) {
	if !slices.Contains(o.unimplemented, name) {
		o.unimplemented = append(o.unimplemented, name)
	}
}

// flagSpec describes one flag: whether it takes a value and how it is set.
type flagSpec struct {
	param bool
	set   func(o *options, name, value string) error
}

// Helpers that build flagSpecs.

func boolFlag(f func(o *options)) flagSpec {
	return flagSpec{set: func(o *options, _, _ string) error { f(o); return nil }}
}

func intFlag(f func(o *options, v int)) flagSpec {
	return flagSpec{param: true, set: func(o *options, name, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("flag %s: bad integer %q", name, v)
		}
		f(o, n)
		return nil
	}}
}

func u16Flag(f func(o *options, v uint16)) flagSpec {
	return flagSpec{param: true, set: func(o *options, name, v string) error {
		n, err := strconv.ParseUint(v, 10, 16)
		if err != nil {
			return fmt.Errorf("flag %s: bad 16-bit value %q", name, v)
		}
		f(o, uint16(n))
		return nil
	}}
}

func stringFlag(f func(o *options, v string)) flagSpec {
	return flagSpec{param: true, set: func(o *options, _, v string) error { f(o, v); return nil }}
}

func base64Flag(f func(o *options, v []byte)) flagSpec {
	return flagSpec{param: true, set: func(o *options, name, v string) error {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return fmt.Errorf("flag %s: bad base64: %v", name, err)
		}
		f(o, b)
		return nil
	}}
}

// ignored is a flag whose effect sanstls reproduces by default, or which
// only tunes BoringSSL internals the runner cannot observe.
func ignored(param bool) flagSpec {
	return flagSpec{param: param, set: func(*options, string, string) error { return nil }}
}

// unimplemented is a flag sanstls cannot honour; a connection that sets it
// is reported as unimplemented (exit 89).
func unimplemented(param bool) flagSpec {
	return flagSpec{param: param, set: func(o *options, name, _ string) error {
		o.markUnimplemented(name)
		return nil
	}}
}

// parseALPNList decodes a list of length-prefixed protocol names, the form
// of -advertise-alpn and -expect-advertised-alpn (e.g. "\x03foo\x03bar").
func parseALPNList(s string) ([]string, error) {
	var out []string
	for len(s) > 0 {
		n := int(s[0])
		if n == 0 || 1+n > len(s) {
			return nil, fmt.Errorf("malformed ALPN list %q", s)
		}
		out = append(out, s[1:1+n])
		s = s[1+n:]
	}
	return out, nil
}

// flagTable lists every flag of BoringSSL's test_config.cc at the pinned
// commit. A flag missing here is unknown and makes the shim exit 1.
var flagTable = map[string]flagSpec{
	// Transport and test shape.
	"-port":                         intFlag(func(o *options, v int) { o.port = v }),
	"-ipv6":                         boolFlag(func(o *options) { o.ipv6 = true }),
	"-shim-id":                      {param: true, set: setShimID},
	"-server":                       boolFlag(func(o *options) { o.server = true }),
	"-resume-count":                 intFlag(func(o *options, v int) { o.resumeCount = v }),
	"-async":                        boolFlag(func(o *options) { o.async = true }),
	"-shim-writes-first":            boolFlag(func(o *options) { o.shimWritesFirst = true }),
	"-read-with-unfinished-write":   boolFlag(func(o *options) { o.shimWritesFirst = true }),
	"-shim-shuts-down":              boolFlag(func(o *options) { o.shimShutsDown = true }),
	"-check-close-notify":           boolFlag(func(o *options) { o.checkCloseNotify = true }),
	"-implicit-handshake":           boolFlag(func(o *options) { o.implicitHandshake = true }),
	"-read-size":                    intFlag(func(o *options, v int) { o.readSize = v }),
	"-write-different-record-sizes": boolFlag(func(o *options) { o.writeDifferentRecordSizes = true }),
	"-use-exporter-between-reads":   boolFlag(func(o *options) { o.useExporterBetweenReads = true }),
	"-is-handshaker-supported":      ignored(false), // handled before parsing
	"-write-settings":               ignored(true),  // transcripts for BoringSSL's fuzzers
	"-wait-for-debugger":            ignored(false),
	"-handshaker-path":              ignored(true),
	"-partial-write":                ignored(false), // our writes are always whole
	"-handshake-twice":              boolFlag(func(o *options) { o.handshakeTwice = true }),
	"-no-op-extra-handshake":        ignored(false),
	"-private-key-delay-ms":         ignored(true), // signing is synchronous
	"-allow-hint-mismatch":          ignored(false),
	"-cbc-record-splitting":         ignored(false), // a TLS 1.0 CBC workaround; TLS 1.2 needs none
	"-dtls":                         unimplemented(false),
	"-quic":                         unimplemented(false),
	"-fuzzer-mode":                  unimplemented(false),
	"-mtu":                          unimplemented(true),
	"-initial-timeout-duration-ms":  unimplemented(true),
	"-peek-then-read":               unimplemented(false),
	"-handshake-never-done":         ignored(false), // with -false-start: the shim treats False Start as the end of the handshake anyway
	"-send-alert":                   boolFlag(func(o *options) { o.sendAlert = true }),
	"-handoff":                      unimplemented(false),
	"-handshake-hints":              unimplemented(false),
	"-handshaker-resume":            unimplemented(false),

	// Versions.
	"-min-version":    intFlag(func(o *options, v int) { o.minVersion = v }),
	"-max-version":    intFlag(func(o *options, v int) { o.maxVersion = v }),
	"-expect-version": intFlag(func(o *options, v int) { o.expectVersion = v }),
	"-no-tls1":        boolFlag(func(o *options) { o.noTLS1 = true }),
	"-no-tls11":       boolFlag(func(o *options) { o.noTLS11 = true }),
	"-no-tls12":       boolFlag(func(o *options) { o.noTLS12 = true }),
	"-no-tls13":       boolFlag(func(o *options) { o.noTLS13 = true }),
	"-fallback-scsv":  unimplemented(false),

	// Credentials.
	"-new-x509-credential":         boolFlag(func(o *options) { o.creds = append(o.creds, credential{}) }),
	"-new-delegated-credential":    unimplemented(false),
	"-new-spake2plusv1-credential": unimplemented(false),
	"-cert-file":                   stringFlag(func(o *options, v string) { o.cred().certFile = v }),
	"-key-file":                    stringFlag(func(o *options, v string) { o.cred().keyFile = v }),
	"-signing-prefs":               u16Flag(func(o *options, v uint16) { o.cred().signingPrefs = append(o.cred().signingPrefs, v) }),
	"-ocsp-response":               base64Flag(func(o *options, v []byte) { o.cred().ocspResponse = v }),
	"-signed-cert-timestamps":      base64Flag(func(o *options, v []byte) { o.cred().sctList = v }),
	"-delegated-credential":        unimplemented(true),
	"-must-match-issuer":           boolFlag(func(o *options) { o.cred().mustMatchIssuer = true }),
	"-pake-context":                unimplemented(true),
	"-pake-client-id":              unimplemented(true),
	"-pake-server-id":              unimplemented(true),
	"-pake-password":               unimplemented(true),
	"-wrong-pake-role":             unimplemented(false),
	"-trust-anchor-id":             unimplemented(true),
	"-trust-cert":                  stringFlag(func(o *options, v string) { o.trustCert = v }),
	"-expect-selected-credential":  intFlag(func(o *options, v int) { o.expectSelectedCredential = v }),

	// Negotiation.
	"-cipher":                    stringFlag(func(o *options, v string) { o.cipher = v }),
	"-server-preference":         boolFlag(func(o *options) { o.serverPref = true }),
	"-curves":                    u16Flag(func(o *options, v uint16) { o.curves = append(o.curves, v) }),
	"-verify-prefs":              u16Flag(func(o *options, v uint16) { o.verifyPrefs = append(o.verifyPrefs, v) }),
	"-host-name":                 stringFlag(func(o *options, v string) { o.hostName = v }),
	"-advertise-alpn":            {param: true, set: setAdvertiseALPN},
	"-select-alpn":               stringFlag(func(o *options, v string) { o.selectALPN = v }),
	"-decline-alpn":              boolFlag(func(o *options) { o.declineALPN = true }),
	"-reject-alpn":               boolFlag(func(o *options) { o.rejectALPN = true }),
	"-select-empty-alpn":         unimplemented(false),
	"-allow-unknown-alpn-protos": unimplemented(false),
	"-max-cert-list":             intFlag(func(o *options, v int) { o.maxCertList = v }),
	"-max-send-fragment":         intFlag(func(o *options, v int) { o.maxSendFragment = v }),
	"-enable-grease":             boolFlag(func(o *options) { o.enableGREASE = true }),
	"-permute-extensions":        unimplemented(false),
	"-jdk11-workaround":          unimplemented(false),
	"-psk":                       unimplemented(true),
	"-psk-identity":              unimplemented(true),
	"-srtp-profiles":             unimplemented(true),
	"-fips-202205":               unimplemented(false),
	"-wpa-202304":                unimplemented(false),
	"-cnsa-202407":               unimplemented(false),

	// Authentication.
	"-require-any-client-certificate":   boolFlag(func(o *options) { o.requireAnyClientCert = true }),
	"-verify-peer":                      boolFlag(func(o *options) { o.verifyPeer = true }),
	"-verify-fail":                      boolFlag(func(o *options) { o.verifyFail = true }),
	"-use-custom-verify-callback":       boolFlag(func(o *options) { o.customVerify = true }),
	"-reverify-on-resume":               boolFlag(func(o *options) { o.reverifyOnResume = true }),
	"-use-old-client-cert-callback":     ignored(false), // the certificate is configured up front either way
	"-use-early-callback":               ignored(false),
	"-install-ddos-callback":            ignored(false),
	"-fail-early-callback":              unimplemented(false),
	"-fail-early-callback-ech-rewind":   unimplemented(false),
	"-fail-ddos-callback":               unimplemented(false),
	"-fail-cert-callback":               unimplemented(false),
	"-expect-key-usage-invalid":         unimplemented(false),
	"-ignore-rsa-key-usage":             unimplemented(false),
	"-use-client-ca-list":               {param: true, set: setCAList(func(o *options) *[][]byte { return &o.clientCAList })},
	"-expect-client-ca-list":            {param: true, set: setCAList(func(o *options) *[][]byte { return &o.expectClientCAList })},
	"-enable-ocsp-stapling":             boolFlag(func(o *options) { o.enableOCSPStapling = true }),
	"-use-ocsp-callback":                ignored(false), // the default callback accepts
	"-set-ocsp-in-callback":             ignored(false), // same staple, set earlier
	"-decline-ocsp-callback":            boolFlag(func(o *options) { o.declineOCSPCallback = true }),
	"-fail-ocsp-callback":               boolFlag(func(o *options) { o.failOCSPCallback = true }),
	"-enable-signed-cert-timestamps":    boolFlag(func(o *options) { o.enableSCTs = true }),
	"-expect-signed-cert-timestamps":    base64Flag(func(o *options, v []byte) { o.expectSCTList = v }),
	"-retain-only-sha256-client-cert":   unimplemented(false),
	"-expect-sha256-client-cert":        unimplemented(false),
	"-install-cert-compression-algs":    unimplemented(false),
	"-install-one-cert-compression-alg": unimplemented(true),

	// Exporters.
	"-export-keying-material": intFlag(func(o *options, v int) { o.exportKeyingMaterial = v }),
	"-export-label":           stringFlag(func(o *options, v string) { o.exportLabel = v }),
	"-export-context":         stringFlag(func(o *options, v string) { o.exportContext = v }),
	"-use-export-context":     boolFlag(func(o *options) { o.useExportContext = true }),
	"-export-traffic-secrets": unimplemented(false),
	"-tls-unique":             boolFlag(func(o *options) { o.tlsUnique = true }),

	// Expectations checked after the handshake.
	"-expect-alpn":                     stringFlag(func(o *options, v string) { o.expectALPN, o.hasExpectALPN = v, true }),
	"-expect-advertised-alpn":          {param: true, set: setExpectAdvertisedALPN},
	"-expect-server-name":              stringFlag(func(o *options, v string) { o.expectServerName = v }),
	"-expect-no-server-name":           boolFlag(func(o *options) { o.expectNoServerName = true }),
	"-expect-curve-id":                 intFlag(func(o *options, v int) { o.expectCurveID = v }),
	"-expect-peer-signature-algorithm": intFlag(func(o *options, v int) { o.expectPeerSigAlg = v }),
	"-expect-peer-verify-pref":         u16Flag(func(o *options, v uint16) { o.expectPeerVerifyPrefs = append(o.expectPeerVerifyPrefs, v) }),
	"-expect-certificate-types":        base64Flag(func(o *options, v []byte) { o.expectCertificateTypes, o.hasExpectCertTypes = v, true }),
	"-expect-cipher":                   intFlag(func(o *options, v int) { o.expectCipher = v }),
	"-expect-cipher-aes":               intFlag(func(o *options, v int) { o.expectCipherAES = v }),
	"-expect-cipher-no-aes":            intFlag(func(o *options, v int) { o.expectCipherNoAES = v }),
	"-expect-extended-master-secret":   boolFlag(func(o *options) { o.expectEMS = true }),
	"-expect-secure-renegotiation":     boolFlag(func(o *options) { o.expectSecureReneg = true }),
	"-expect-no-secure-renegotiation":  boolFlag(func(o *options) { o.expectNoSecureReneg = true }),
	"-expect-ocsp-response":            base64Flag(func(o *options, v []byte) { o.expectOCSPResponse = v }),
	"-expect-peer-cert-file":           stringFlag(func(o *options, v string) { o.expectPeerCertFile = v }),
	"-expect-verify-result":            boolFlag(func(o *options) { o.expectVerifyResult = true }),
	"-expect-total-renegotiations":     intFlag(func(o *options, v int) { o.expectTotalRenegotiations = v }),
	"-expect-msg-callback":             unimplemented(true),

	// Sessions and resumption (machine: tickets and session IDs).
	"-expect-session-miss":               boolFlag(func(o *options) { o.expectSessionMiss = true }),
	"-expect-no-session":                 boolFlag(func(o *options) { o.expectNoSession = true }),
	"-expect-no-session-id":              boolFlag(func(o *options) { o.expectNoSessionID = true }),
	"-no-ticket":                         boolFlag(func(o *options) { o.noTicket = true }),
	"-ticket-key":                        ignored(true),
	"-use-ticket-callback":               ignored(false),
	"-resumption-delay":                  ignored(true),
	"-expect-session-id":                 boolFlag(func(o *options) { o.expectSessionID = true }),
	"-expect-ticket-renewal":             boolFlag(func(o *options) { o.expectTicketRenewal = true }),
	"-renew-ticket":                      unimplemented(false),
	"-skip-ticket":                       unimplemented(false),
	"-use-ticket-aead-callback":          unimplemented(false),
	"-expect-ticket-age-skew":            unimplemented(true),
	"-resumption-across-names-enabled":   unimplemented(false),
	"-expect-resumable-across-names":     unimplemented(false),
	"-expect-not-resumable-across-names": unimplemented(false),

	// Renegotiation (machine: Config.Renegotiation, client side only, as
	// BoringSSL's), including its "ignore" and "explicit" modes.
	"-renegotiate-once":                     boolFlag(func(o *options) { o.renegotiation = machine.RenegotiateOnceAsClient }),
	"-renegotiate-freely":                   boolFlag(func(o *options) { o.renegotiation = machine.RenegotiateFreelyAsClient }),
	"-renegotiate-ignore":                   boolFlag(func(o *options) { o.renegotiation = machine.RenegotiateIgnore }),
	"-renegotiate-explicit":                 boolFlag(func(o *options) { o.renegotiation = machine.RenegotiateExplicit }),
	"-forbid-renegotiation-after-handshake": boolFlag(func(o *options) { o.renegotiation = machine.RenegotiateNever }),

	// NPN, Channel ID, ALPS, early data, TLS 1.3, QUIC, ECH,
	// trust anchors: not implemented.
	"-false-start":                         boolFlag(func(o *options) { o.falseStart = true }),
	"-allow-false-start-without-alpn":      boolFlag(func(o *options) { o.falseStartNoALPN = true }),
	"-advertise-npn":                       unimplemented(true),
	"-advertise-empty-npn":                 unimplemented(false),
	"-expect-next-proto":                   unimplemented(true),
	"-expect-no-next-proto":                ignored(false), // we never negotiate NPN
	"-select-next-proto":                   unimplemented(true),
	"-select-empty-next-proto":             unimplemented(false),
	"-expect-channel-id":                   unimplemented(true),
	"-enable-channel-id":                   unimplemented(false),
	"-send-channel-id":                     unimplemented(true),
	"-application-settings":                unimplemented(true),
	"-expect-peer-application-settings":    unimplemented(true),
	"-alps-use-new-codepoint":              unimplemented(true),
	"-defer-alps":                          unimplemented(false),
	"-enable-early-data":                   unimplemented(false),
	"-expect-accept-early-data":            unimplemented(false),
	"-expect-reject-early-data":            unimplemented(false),
	"-expect-no-offer-early-data":          ignored(false), // we never offer it
	"-expect-ticket-supports-early-data":   unimplemented(false),
	"-expect-early-data-reason":            unimplemented(true),
	"-early-write-after-message":           unimplemented(true),
	"-quic-transport-params":               unimplemented(true),
	"-expect-quic-transport-params":        unimplemented(true),
	"-quic-use-legacy-codepoint":           unimplemented(true),
	"-quic-early-data-context":             unimplemented(true),
	"-expect-hrr":                          unimplemented(false),
	"-expect-no-hrr":                       ignored(false), // TLS 1.2 has no HelloRetryRequest
	"-key-update":                          unimplemented(false),
	"-key-update-before-read":              unimplemented(false),
	"-enable-ech-grease":                   unimplemented(false),
	"-ech-config-list":                     unimplemented(true),
	"-ech-server-config":                   unimplemented(true),
	"-ech-server-key":                      unimplemented(true),
	"-ech-is-retry-config":                 unimplemented(true),
	"-expect-ech-accept":                   unimplemented(false),
	"-expect-ech-name-override":            unimplemented(true),
	"-expect-no-ech-name-override":         ignored(false),
	"-expect-ech-retry-configs":            unimplemented(true),
	"-expect-no-ech-retry-configs":         unimplemented(false),
	"-expect-peer-match-trust-anchor":      unimplemented(false),
	"-expect-no-peer-match-trust-anchor":   unimplemented(false),
	"-expect-peer-available-trust-anchors": unimplemented(true),
	"-requested-trust-anchors":             unimplemented(true),
	"-no-server-name-ack":                  unimplemented(false), // machine servers always acknowledge a name they used
}

// setCAList parses a list of DER names as BoringSSL's shim takes it: hex
// values separated by commas, or "<NULL>" / "<EMPTY>" for an empty list.
func setCAList(field func(o *options) *[][]byte) func(o *options, name, v string) error {
	return func(o *options, name, v string) error {
		list := [][]byte{}
		if v != "<NULL>" && v != "<EMPTY>" {
			for _, h := range strings.Split(v, ",") {
				b, err := hex.DecodeString(h)
				if err != nil {
					return fmt.Errorf("flag %s: bad hex: %v", name, err)
				}
				list = append(list, b)
			}
		}
		*field(o) = list
		return nil
	}
}

func setShimID(o *options, name, v string) error {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return fmt.Errorf("flag %s: bad integer %q", name, v)
	}
	o.shimID = n
	return nil
}

func setAdvertiseALPN(o *options, name, v string) error {
	l, err := parseALPNList(v)
	if err != nil {
		return fmt.Errorf("flag %s: %v", name, err)
	}
	o.advertiseALPN, o.hasAdvertiseALPN = l, true
	return nil
}

func setExpectAdvertisedALPN(o *options, name, v string) error {
	l, err := parseALPNList(v)
	if err != nil {
		return fmt.Errorf("flag %s: %v", name, err)
	}
	o.expectAdvertisedALPN, o.hasExpectAdvertisedALPN = l, true
	return nil
}

// errUnknownFlag reports a flag that is not in flagTable.
var errUnknownFlag = errors.New("unknown flag")

// parsedFlags is the result of parsing the command line.
type parsedFlags struct {
	initial, resume *options
	// handshakerSupported is set by -is-handshaker-supported.
	handshakerSupported bool
}

// parseFlags parses args (without the program name).
func parseFlags(args []string) (*parsedFlags, error) {
	initial, resume, retry := newOptions(), newOptions(), newOptions()
	p := &parsedFlags{initial: initial, resume: resume}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "-is-handshaker-supported" {
			p.handshakerSupported = true
			continue
		}
		name := arg
		skip := false
		if rest, ok := strings.CutPrefix(name, "-on-shim-"); ok {
			name = "-" + rest
		} else if rest, ok := strings.CutPrefix(name, "-on-handshaker-"); ok {
			name, skip = "-"+rest, true
		}
		targets := []*options{initial, resume, retry}
		if rest, ok := strings.CutPrefix(name, "-on-initial-"); ok {
			name, targets = "-"+rest, []*options{initial}
		} else if rest, ok := strings.CutPrefix(name, "-on-resume-"); ok {
			name, targets = "-"+rest, []*options{resume}
		} else if rest, ok := strings.CutPrefix(name, "-on-retry-"); ok {
			name, targets = "-"+rest, []*options{retry}
		}
		spec, ok := flagTable[name]
		if !ok {
			return nil, fmt.Errorf("%w %s", errUnknownFlag, arg)
		}
		value := ""
		if spec.param {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("flag %s needs a value", arg)
			}
			i++
			value = args[i]
		}
		if skip {
			continue
		}
		for _, o := range targets {
			if err := spec.set(o, name, value); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}
