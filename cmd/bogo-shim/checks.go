package main

import (
	"bytes"
	"encoding/pem"
	"fmt"
	"os"
	"slices"

	"golang.org/x/sys/cpu"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// hasAESHardware mirrors BoringSSL's EVP_has_aes_hardware for
// -expect-cipher-aes and -expect-cipher-no-aes (the machine prefers
// ChaCha20-Poly1305 for clients that ask for it when AES-GCM is not in
// hardware, as BoringSSL does).
var hasAESHardware = cpu.X86.HasAES && cpu.X86.HasPCLMULQDQ ||
	cpu.ARM64.HasAES && cpu.ARM64.HasPMULL ||
	cpu.S390X.HasAES && cpu.S390X.HasAESGCM

// checkHandshake verifies, after a handshake, the properties the flags ask
// for. It follows BoringSSL's CheckHandshakeProperties and
// CheckAuthProperties (ssl/test/bssl_shim.cc) for the flags the shim
// implements, and uses their messages.
func checkHandshake(o *options, mc *machine.Conn, v *verifier, tr *tracer, creds []loadedCred) error {
	st := mc.State()
	if o.expectVersion != 0 && int(st.Version) != o.expectVersion {
		return fmt.Errorf("want version %04x, got %04x", o.expectVersion, st.Version)
	}
	if len(o.expectOCSPResponse) > 0 && !bytes.Equal(o.expectOCSPResponse, st.OCSPResponse) {
		return fmt.Errorf("OCSP response mismatch")
	}
	if o.expectVerifyResult && v.failed != o.verifyFail {
		return fmt.Errorf("Wrong certificate verification result")
	}
	if o.expectPeerCertFile != "" {
		if err := checkPeerCertFile(o.expectPeerCertFile, st); err != nil {
			return err
		}
	}
	if o.expectSCTList != nil && !bytes.Equal(o.expectSCTList, messages.AppendSCTList(nil, st.SignedCertificateTimestamps)) {
		return fmt.Errorf("SCT list mismatch")
	}
	if o.expectClientCAList != nil && !slices.EqualFunc(o.expectClientCAList, st.RequestedCAs, bytes.Equal) {
		return fmt.Errorf("client CA list mismatch")
	}
	if o.expectServerName != "" && st.ServerName != o.expectServerName {
		return fmt.Errorf("servername mismatch (got %s; want %s)", st.ServerName, o.expectServerName)
	}
	if o.expectNoServerName && st.ServerName != "" {
		return fmt.Errorf("Expected no server name but got %s.", st.ServerName)
	}
	// On a server the protocol chosen must be -select-alpn's; on a client,
	// -expect-alpn's (both "" when unset: then none may be negotiated).
	wantALPN := o.expectALPN
	if o.server {
		wantALPN = o.selectALPN
		if o.declineALPN || o.rejectALPN {
			wantALPN = ""
		}
	}
	if st.NegotiatedProtocol != wantALPN {
		return fmt.Errorf("negotiated alpn proto mismatch (got %q, want %q)", st.NegotiatedProtocol, wantALPN)
	}
	if o.expectEMS && !st.ExtendedMasterSecret {
		return fmt.Errorf("No EMS for connection when expected")
	}
	if o.expectSecureReneg && !st.SecureRenegotiation {
		return fmt.Errorf("No secure renegotiation for connection when expected")
	}
	if o.expectNoSecureReneg && st.SecureRenegotiation {
		return fmt.Errorf("Secure renegotiation unexpectedly negotiated for connection")
	}
	if o.expectPeerSigAlg != 0 && int(st.SignatureScheme) != o.expectPeerSigAlg {
		return fmt.Errorf("Peer signature algorithm was %04x, wanted %04x.", uint16(st.SignatureScheme), o.expectPeerSigAlg)
	}
	if o.expectCurveID != 0 && int(st.Group) != o.expectCurveID {
		return fmt.Errorf("curve_id was %04x, wanted %04x", uint16(st.Group), o.expectCurveID)
	}
	if o.expectCipherAES != 0 && hasAESHardware && int(st.CipherSuite) != o.expectCipherAES {
		return fmt.Errorf("Cipher ID was %04x, wanted %04x (has AES hardware)", st.CipherSuite, o.expectCipherAES)
	}
	if o.expectCipherNoAES != 0 && !hasAESHardware && int(st.CipherSuite) != o.expectCipherNoAES {
		return fmt.Errorf("Cipher ID was %04x, wanted %04x (no AES hardware)", st.CipherSuite, o.expectCipherNoAES)
	}
	if o.expectCipher != 0 && int(st.CipherSuite) != o.expectCipher {
		return fmt.Errorf("Cipher ID was %04x, wanted %04x", st.CipherSuite, o.expectCipher)
	}
	if (!o.server || o.requireAnyClientCert) && len(st.PeerCertificates) == 0 {
		return fmt.Errorf("Received no peer certificate but expected one.")
	}
	if o.expectSelectedCredential != -2 {
		got := selectedCredential(tr, creds)
		if got != o.expectSelectedCredential {
			return fmt.Errorf("Credential %d was used, wanted %d", got, o.expectSelectedCredential)
		}
	}
	return checkPeerOffers(o, tr)
}

// checkSession checks resumption as BoringSSL's CheckHandshakeProperties
// does: a resumption connection must resume unless -expect-session-miss;
// a client must have stored a new session unless it resumed (or
// -expect-no-session); and -expect-session-id / -expect-no-session-id say
// whether the first connection stored one.
func checkSession(o *options, mc *machine.Conn, isResume, gotNewSession bool) error {
	reused := mc.State().DidResume
	if want := isResume && !o.expectSessionMiss; reused != want {
		not := ""
		if !reused {
			not = " not"
		}
		return fmt.Errorf("session unexpectedly was%s reused", not)
	}
	if !o.server {
		want := !o.expectNoSession && (!reused || o.expectTicketRenewal)
		if want != gotNewSession {
			not := ""
			if !gotNewSession {
				not = " not"
			}
			return fmt.Errorf("new session was%s cached, but we expected the opposite", not)
		}
	}
	if !isResume {
		if o.expectSessionID && !gotNewSession {
			return fmt.Errorf("session was not cached on the server.")
		}
		if o.expectNoSessionID && gotNewSession {
			return fmt.Errorf("session was unexpectedly cached on the server.")
		}
	}
	return nil
}

// checkPeerOffers checks what the peer offered: the ALPN list and signature
// algorithms of a ClientHello, or the certificate types and algorithms of a
// CertificateRequest. BoringSSL checks these in callbacks that run only
// when the message arrives, so nothing is checked for a message that never
// came.
func checkPeerOffers(o *options, tr *tracer) error {
	if ch := tr.clientHello; o.server && ch != nil {
		alpnCallback := o.selectALPN != "" || o.declineALPN || o.rejectALPN
		if o.hasExpectAdvertisedALPN && alpnCallback && ch.ALPNProtocols != nil &&
			!slices.Equal(ch.ALPNProtocols, o.expectAdvertisedALPN) {
			return fmt.Errorf("bad ALPN select callback inputs (got %q, want %q)", ch.ALPNProtocols, o.expectAdvertisedALPN)
		}
		if len(o.expectPeerVerifyPrefs) > 0 && !sameSchemes(ch.SignatureAlgorithms, o.expectPeerVerifyPrefs) {
			return fmt.Errorf("peer signature algorithms %v, want %v", ch.SignatureAlgorithms, o.expectPeerVerifyPrefs)
		}
	}
	if cr := tr.certReq; !o.server && cr != nil {
		if o.hasExpectCertTypes && !bytes.Equal(cr.CertificateTypes, o.expectCertificateTypes) {
			return fmt.Errorf("certificate types mismatch (got %x, want %x)", cr.CertificateTypes, o.expectCertificateTypes)
		}
		if len(o.expectPeerVerifyPrefs) > 0 && !sameSchemes(cr.SignatureAlgorithms, o.expectPeerVerifyPrefs) {
			return fmt.Errorf("peer signature algorithms %v, want %v", cr.SignatureAlgorithms, o.expectPeerVerifyPrefs)
		}
	}
	return nil
}

func sameSchemes(got []machine.SignatureScheme, want []uint16) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if uint16(got[i]) != want[i] {
			return false
		}
	}
	return true
}

// selectedCredential returns BoringSSL's number of the credential whose
// leaf we sent (-1 for the default one), or -1 when we sent none.
func selectedCredential(tr *tracer, creds []loadedCred) int {
	for _, c := range creds {
		if len(c.cert.Chain) > 0 && bytes.Equal(c.cert.Chain[0], tr.sentLeaf) {
			return c.number
		}
	}
	return -1
}

// checkPeerCertFile compares the peer's chain with a PEM file (leaf first).
func checkPeerCertFile(path string, st machine.ConnectionState) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var want [][]byte
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			want = append(want, b.Bytes)
		}
	}
	if len(st.PeerCertificates) != len(want) {
		return fmt.Errorf("Received a chain of length %d instead of %d.", len(st.PeerCertificates), len(want))
	}
	for i, c := range st.PeerCertificates {
		if !bytes.Equal(c.Raw, want[i]) {
			return fmt.Errorf("Chain certificate %d did not match.", i+1)
		}
	}
	return nil
}

// checkRenegotiations checks -expect-total-renegotiations once the
// connection is over, as BoringSSL's shim does after SSL_shutdown.
func checkRenegotiations(o *options, mc *machine.Conn) error {
	if got := mc.State().Renegotiations; got != o.expectTotalRenegotiations {
		return fmt.Errorf("Expected %d renegotiations, got %d", o.expectTotalRenegotiations, got)
	}
	return nil
}
