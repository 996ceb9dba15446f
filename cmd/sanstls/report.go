package main

// The connection report of `sanstls client` and `sanstls server`: what a
// handshake negotiated, in the stable "Label: value" lines doc.go
// documents. machine.ConnectionState gives most of it; an observer on
// Config.Trace adds what the state does not carry (the size of a DH group
// that is not an RFC 7919 one, whether a session was resumed by ticket or
// by session ID, what was issued for later resumption, what the server
// stapled, the server's own signature scheme).

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// handshakeFacts is what the trace of one handshake showed.
type handshakeFacts struct {
	suite           uint16
	helloTicket     bool // the ClientHello offered a non-empty ticket
	statusRequested bool // the ClientHello asked for OCSP (status_request)
	sessionID       bool // the ServerHello carried a session ID
	ticketIssued    bool // a non-empty NewSessionTicket was sent
	dhBits          int  // DHE: the modulus size from ServerKeyExchange
	serverSig       machine.SignatureScheme
	clientSig       machine.SignatureScheme
	stapled         int // bytes of the CertificateStatus, if one was sent
}

// observer collects handshakeFacts through Config.Trace. It belongs to one
// connection and is used from that connection's goroutine only.
type observer struct {
	isClient      bool
	serverTickets bool // server: ticket keys are configured
	cur           handshakeFacts
	done          handshakeFacts // the last completed handshake
	clientHellos  int            // ClientHellos seen (server: 0 means a probe)
	helloRequests int            // HelloRequests sent or received
}

// trace is the Config.Trace hook.
func (o *observer) trace(sent bool, typ machine.ContentType, body []byte) {
	if typ != messages.ContentTypeHandshake {
		return
	}
	msg, err := messages.Parse(body)
	if err != nil {
		return // the machine reports the failure
	}
	switch m := msg.(type) {
	case *messages.HelloRequest:
		o.helloRequests++
	case *messages.ClientHello:
		o.clientHellos++
		o.cur = handshakeFacts{helloTicket: len(m.SessionTicket) > 0, statusRequested: m.StatusRequest}
	case *messages.ServerHello:
		o.cur.suite = m.CipherSuite
		o.cur.sessionID = len(m.SessionID) > 0
	case *messages.NewSessionTicket:
		o.cur.ticketIssued = len(m.Ticket) > 0
	case *messages.CertificateStatus:
		o.cur.stapled = len(m.Response)
	case *messages.ServerKeyExchange:
		if strings.Contains(machine.CipherSuiteName(o.cur.suite), "_DHE_") {
			if p, err := messages.ParseDHEParams(m.Body); err == nil {
				o.cur.dhBits = bitLen(p.P)
				o.cur.serverSig = p.Signature.Algorithm
			}
		} else if p, err := messages.ParseECDHEParams(m.Body); err == nil {
			o.cur.serverSig = p.Signature.Algorithm
		}
	case *messages.CertificateVerify:
		o.cur.clientSig = m.Signature.Algorithm
	}
}

// handshakeDone records the facts of the handshake that just completed.
func (o *observer) handshakeDone() { o.done = o.cur }

// bitLen is the bit length of a big-endian integer.
func bitLen(b []byte) int {
	for i, c := range b {
		if c != 0 {
			n := 0
			for ; c != 0; c >>= 1 {
				n++
			}
			return (len(b)-i-1)*8 + n
		}
	}
	return 0
}

// reportField is one line of the report.
type reportField struct{ label, value string }

// briefLabels are the fields -brief keeps.
var briefLabels = map[string]bool{"Protocol": true, "Cipher": true, "Group": true, "Session": true, "Verification": true}

// reportContext is what the report needs beyond the connection state.
type reportContext struct {
	insecure   bool   // client: -insecure
	clientAuth string // server: the -client-auth mode
	staple     bool   // server: an OCSP staple is configured
}

// fields lists the report of a connection whose last handshake the
// observer saw complete.
func (o *observer) fields(st machine.ConnectionState, rc reportContext) []reportField {
	f := o.done
	sig := func(s machine.SignatureScheme, none string) string {
		if s != 0 {
			return s.String()
		}
		return none
	}
	serverSigNone := "none (RSA key exchange)"
	if st.DidResume {
		serverSigNone = "none (abbreviated handshake)"
	}
	clientSigNone := "none (no client certificate)"
	if st.DidResume {
		clientSigNone = "none (abbreviated handshake)"
	}
	out := []reportField{
		{"Protocol", versionName(st.Version)},
		{"Cipher", fmt.Sprintf("%s (%s)", suiteName(st.CipherSuite), opensslName(st.CipherSuite))},
		{"Group", o.groupText(st)},
		{"Server signature", sig(f.serverSig, serverSigNone)},
		{"Client signature", sig(f.clientSig, clientSigNone)},
		{"Extended master secret", yesNo(st.ExtendedMasterSecret)},
		{"Secure renegotiation", yesNo(st.SecureRenegotiation)},
		{"Session", o.sessionText(st)},
		{"Renegotiations", fmt.Sprint(st.Renegotiations)},
		{"ALPN protocol", orNone(st.NegotiatedProtocol)},
		{"Server name", orNone(st.ServerName)},
		{"OCSP", o.ocspText(st, rc)},
		{"Peer certificates", peerChainText(st.PeerCertificates)},
		{"Verification", o.verifyText(st, rc)},
	}
	if o.clientHellos == 0 {
		// Not traced (stateFields): only the state's view of signatures.
		out[3] = reportField{"Peer signature", sig(st.SignatureScheme, "none")}
		out = append(out[:4], out[5:]...)
	}
	return out
}

// groupText names the key exchange group, or the DH modulus size of a
// group that is not a named one, or says there was none.
func (o *observer) groupText(st machine.ConnectionState) string {
	name := machine.CipherSuiteName(st.CipherSuite)
	switch {
	case st.Group != 0 && o.done.dhBits > 0:
		return fmt.Sprintf("%s (%d bits)", groupName(st.Group), o.done.dhBits)
	case st.Group != 0:
		return groupName(st.Group)
	case o.done.dhBits > 0:
		return fmt.Sprintf("DH custom group (%d bits)", o.done.dhBits)
	case strings.HasPrefix(name, "TLS_RSA_"):
		return "none (RSA key exchange)"
	case st.DidResume:
		return "none (abbreviated handshake)"
	}
	return "unknown"
}

// sessionText says whether the session is new or resumed, and how.
func (o *observer) sessionText(st machine.ConnectionState) string {
	f := o.done
	switch {
	case o.clientHellos == 0 && st.DidResume:
		return "Reused" // not traced: how is unknown
	case o.clientHellos == 0:
		return "New"
	}
	if st.DidResume {
		// A client that offers a ticket sends a fresh random session ID
		// (RFC 5077 Section 3.4), which no cache can hold; a server
		// resumes by ticket whenever one is offered and tickets are on.
		if f.helloTicket && (o.isClient || o.serverTickets) {
			return "Reused (ticket)"
		}
		return "Reused (session ID)"
	}
	switch {
	case f.ticketIssued:
		return "New (ticket issued)"
	case f.sessionID:
		return "New (session ID issued)"
	}
	return "New (not resumable)"
}

// ocspText describes the stapled OCSP response.
func (o *observer) ocspText(st machine.ConnectionState, rc reportContext) string {
	if !o.isClient {
		switch {
		case o.done.stapled > 0:
			return fmt.Sprintf("stapled (%d bytes)", o.done.stapled)
		case !rc.staple:
			return "none configured"
		case st.DidResume:
			return "not sent (abbreviated handshake)"
		case !o.done.statusRequested:
			return "not requested by the client"
		}
		return "not sent"
	}
	if len(st.OCSPResponse) == 0 {
		return "not stapled"
	}
	suffix := ""
	if st.DidResume {
		suffix = " (from the original handshake)"
	}
	return describeOCSP(st.OCSPResponse, st) + suffix
}

// describeOCSP parses a stapled response for the server's leaf, checking
// its signature with the issuer when the chain names one.
func describeOCSP(der []byte, st machine.ConnectionState) string {
	var issuer, leaf *x509.Certificate
	switch {
	case len(st.VerifiedChains) > 0 && len(st.VerifiedChains[0]) > 1:
		leaf, issuer = st.VerifiedChains[0][0], st.VerifiedChains[0][1]
	case len(st.PeerCertificates) > 1:
		leaf, issuer = st.PeerCertificates[0], st.PeerCertificates[1]
	}
	var resp *ocsp.Response
	var err error
	checked := "signature checked"
	if issuer != nil {
		resp, err = ocsp.ParseResponseForCert(der, leaf, issuer)
	} else {
		resp, err = ocsp.ParseResponse(der, nil)
		checked = "signature not checked: issuer unknown"
	}
	if err != nil {
		return fmt.Sprintf("stapled (%d bytes), not understood: %v", len(der), err)
	}
	status := map[int]string{ocsp.Good: "good", ocsp.Revoked: "revoked", ocsp.Unknown: "unknown"}[resp.Status]
	if status == "" {
		status = fmt.Sprintf("status %d", resp.Status)
	}
	text := fmt.Sprintf("%s (this update %s", status, resp.ThisUpdate.UTC().Format(time.RFC3339))
	if !resp.NextUpdate.IsZero() {
		text += ", next update " + resp.NextUpdate.UTC().Format(time.RFC3339)
	}
	if resp.Status == ocsp.Revoked {
		text += ", revoked " + resp.RevokedAt.UTC().Format(time.RFC3339)
	}
	return text + "; " + checked + ")"
}

// peerChainText summarises the peer's chain on one line: the count, the
// leaf's subject and key, then the other subjects ("2: CN=a (ECDSA P-256)
// <- CN=b").
func peerChainText(chain []*x509.Certificate) string {
	if len(chain) == 0 {
		return "none"
	}
	text := fmt.Sprintf("%d: %s (%s)", len(chain), chain[0].Subject, keyDescription(chain[0].PublicKey))
	if len(chain) > 1 {
		text += " <- " + chainSummary(chain[1:])
	}
	return text
}

// verifyText is the result of verifying the peer's chain.
func (o *observer) verifyText(st machine.ConnectionState, rc reportContext) string {
	switch {
	case len(st.VerifiedChains) > 0:
		return "OK (" + chainSummary(st.VerifiedChains[0]) + ")"
	case o.isClient && rc.insecure:
		return "skipped (-insecure)"
	case o.isClient && st.DidResume:
		return "not repeated (resumed session)"
	case !o.isClient && len(st.PeerCertificates) == 0:
		return "no client certificate"
	case !o.isClient:
		return "not verified (-client-auth " + rc.clientAuth + ")"
	}
	return "not verified"
}

// writeReport prints fields as "Label:" padded to a column, then the
// value; every line starts with prefix.
func writeReport(w io.Writer, prefix string, fields []reportField, brief bool) {
	for _, f := range fields {
		if brief && !briefLabels[f.label] {
			continue
		}
		fmt.Fprintf(w, "%s%-24s %s\n", prefix, f.label+":", f.value)
	}
}

// writeChain lists certificates as `openssl s_client` does (subject,
// issuer), with their key and validity, and with -showcerts their PEM.
func writeChain(w io.Writer, title string, chain []*x509.Certificate, showPEM bool) {
	fmt.Fprintf(w, "%s:\n", title)
	for i, c := range chain {
		fmt.Fprintf(w, "  %d s:%s\n    i:%s\n    %s, valid %s to %s\n", i, c.Subject, c.Issuer,
			keyDescription(c.PublicKey), c.NotBefore.UTC().Format(time.DateOnly), c.NotAfter.UTC().Format(time.DateOnly))
		if showPEM {
			_ = pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
	}
}

// opensslName returns a suite's OpenSSL name, or "" if unknown.
func opensslName(id uint16) string {
	for _, s := range machine.SupportedCipherSuites() {
		if s.ID == id {
			return s.OpenSSLName
		}
	}
	return ""
}

// writeOCSPDetails prints the stapled response for -ocsp.
func writeOCSPDetails(w io.Writer, der []byte) {
	if len(der) == 0 {
		fmt.Fprintf(w, "OCSP response: none stapled\n")
		return
	}
	resp, err := ocsp.ParseResponse(der, nil)
	if err != nil {
		fmt.Fprintf(w, "OCSP response: %d bytes, not understood: %v\n", len(der), err)
		return
	}
	status := map[int]string{ocsp.Good: "good", ocsp.Revoked: "revoked", ocsp.Unknown: "unknown"}[resp.Status]
	fmt.Fprintf(w, "OCSP response: %d bytes\n  Cert Status: %s\n  Serial Number: %X\n  Produced At: %s\n  This Update: %s\n",
		len(der), status, resp.SerialNumber, resp.ProducedAt.UTC().Format(time.RFC3339), resp.ThisUpdate.UTC().Format(time.RFC3339))
	if !resp.NextUpdate.IsZero() {
		fmt.Fprintf(w, "  Next Update: %s\n", resp.NextUpdate.UTC().Format(time.RFC3339))
	}
	if resp.Certificate != nil {
		fmt.Fprintf(w, "  Responder: %s\n", resp.Certificate.Subject)
	}
}

// stateFields is the report of a connection known only by its state (no
// observer saw its handshake, as with a netconn.Conn): label/value pairs.
// Fields that need the trace say what they can from the state alone.
func stateFields(st machine.ConnectionState) [][2]string {
	var out [][2]string
	for _, f := range (&observer{}).fields(st, reportContext{}) {
		out = append(out, [2]string{f.label, f.value})
	}
	return out
}

// stateSummary is stateFields on one line ("label=value; ...").
func stateSummary(st machine.ConnectionState) string {
	var parts []string
	for _, kv := range stateFields(st) {
		parts = append(parts, kv[0]+"="+kv[1])
	}
	return strings.Join(parts, "; ")
}
