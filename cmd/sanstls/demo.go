package main

// `sanstls demo`: a machine client and a machine server in memory, driven
// directly from one goroutine, with the handshake printed message by message
// in the numbered order of the classic TLS 1.2 message flow (RFC 5246,
// Section 7.3).

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// demoTime is the demo's clock: Config.Time always returns it, so that
// certificate validity, and with it the whole run, does not depend on the
// day. The certificates are valid from a year before it for ten years.
var demoTime = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// demoOptions are the demo's settings (its flags).
type demoOptions struct {
	Seed        uint64   // seeds Config.Rand of both sides and the PKI
	Suite       string   // one suite (IANA or OpenSSL name); "" offers the defaults
	Group       string   // one group; "" offers the defaults
	Key         string   // server key: ecdsa, rsa or ed25519; "" picks from Suite
	ClientAuth  bool     // the server requires and verifies a client certificate
	ALPN        []string // protocols offered by the client and accepted by the server
	Resume      bool     // run a second connection that resumes the session
	Renegotiate bool     // the server asks for a renegotiation after the first data
	Hex         bool     // also hex-dump every message
	KeyLog      io.Writer
}

// demoSteps names the steps of the TLS 1.2 message flow, numbered as in the
// classic description of the handshake (index = step number).
var demoSteps = [...]string{
	1:  "ClientHello",
	2:  "ServerHello",
	3:  "Certificate",
	4:  "CertificateRequest",
	5:  "ServerKeyExchange",
	6:  "ServerHelloDone",
	7:  "Certificate",
	8:  "ClientKeyExchange",
	9:  "CertificateVerify",
	10: "ChangeCipherSpec",
	11: "Finished",
	12: "ChangeCipherSpec",
	13: "Finished",
	14: "Application data",
	15: "close_notify",
}

// stepOf numbers a traced item; 0 means it has no number (CertificateStatus,
// other alerts).
func stepOf(fromClient bool, typ machine.ContentType, hs messages.HandshakeType, alert messages.Alert) int {
	switch typ {
	case messages.ContentTypeChangeCipherSpec:
		if fromClient {
			return 10
		}
		return 12
	case messages.ContentTypeAlert:
		if alert.Description == messages.AlertCloseNotify {
			return 15
		}
		return 0
	case messages.ContentTypeApplicationData:
		return 14
	}
	switch hs {
	case messages.HandshakeTypeClientHello:
		return 1
	case messages.HandshakeTypeServerHello:
		return 2
	case messages.HandshakeTypeCertificate:
		if fromClient {
			return 7
		}
		return 3
	case messages.HandshakeTypeCertificateRequest:
		return 4
	case messages.HandshakeTypeServerKeyExchange:
		return 5
	case messages.HandshakeTypeServerHelloDone:
		return 6
	case messages.HandshakeTypeClientKeyExchange:
		return 8
	case messages.HandshakeTypeCertificateVerify:
		return 9
	case messages.HandshakeTypeFinished:
		if fromClient {
			return 11
		}
		return 13
	}
	return 0
}

// printer writes the numbered lines. It is fed by both machines' Trace
// hooks and by the driver (application data, record summaries). Lines are
// held until the flight they belong to is complete (flush), so that the
// placeholder of a step that did not happen can be put at its number.
type printer struct {
	w        io.Writer
	hex      bool
	last     int // highest step flushed so far
	pending  []pendingLine
	ccs      [2]bool // [client, server] has sent ChangeCipherSpec
	sent     [2][]byte
	received [2][]byte
	resumed  bool // abbreviated handshake: skipped steps are not listed
}

type pendingLine struct {
	step int // 0 for unnumbered lines
	text string
}

func side(fromClient bool) int {
	if fromClient {
		return 0
	}
	return 1
}

func direction(fromClient bool) string {
	if fromClient {
		return "client -> server"
	}
	return "server -> client"
}

// line queues one step (0: unnumbered) with its hex dump, if any.
func (p *printer) line(step int, name, dir, detail string, dump []byte) {
	num := "   -"
	if step > 0 {
		num = fmt.Sprintf("%3d.", step)
	}
	text := fmt.Sprintf("%s %-18s %s  %s\n", num, name, dir, detail)
	if dump != nil {
		for _, l := range strings.SplitAfter(hex.Dump(dump), "\n") {
			if l != "" {
				text += "        " + l
			}
		}
	}
	p.pending = append(p.pending, pendingLine{step, text})
}

// flush prints the queued lines in the order they happened, with a
// "(not requested)" line for each step between the last one printed and
// the highest one queued that did not occur, placed before the first line
// numbered above it. (CertificateRequest, step 4, follows
// ServerKeyExchange, step 5, on the wire: RFC 5246, Section 7.3.)
func (p *printer) flush() {
	seen := map[int]bool{}
	high := p.last
	for _, l := range p.pending {
		seen[l.step] = true
		high = max(high, l.step)
	}
	var out []string
	for _, l := range p.pending {
		for s := p.last + 1; !p.resumed && s < high && s < l.step; s++ {
			if !seen[s] {
				why := "(not requested)"
				if s == 5 {
					why = "(not sent: RSA key exchange)" // RFC 5246 Section 7.4.3
				}
				out = append(out, fmt.Sprintf("%3d. %-18s %s\n", s, demoSteps[s], why))
				seen[s] = true
			}
		}
		out = append(out, l.text)
	}
	p.last = high
	p.pending = p.pending[:0]
	for _, t := range out {
		io.WriteString(p.w, t)
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, unit)
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// trace returns the Config.Trace hook of one side.
func (p *printer) trace(isClient bool) func(sent bool, typ machine.ContentType, body []byte) {
	return func(sent bool, typ machine.ContentType, body []byte) {
		fromClient := isClient == sent
		item := append([]byte{byte(typ)}, body...)
		if !sent {
			// Receptions are not printed: they repeat the sends. They are
			// kept to check that each side received exactly what the
			// other sent.
			p.received[side(fromClient)] = append(p.received[side(fromClient)], item...)
			return
		}
		p.sent[side(fromClient)] = append(p.sent[side(fromClient)], item...)
		var (
			name, detail string
			hs           = messages.HandshakeTypeNone
			alert        messages.Alert
		)
		switch typ {
		case messages.ContentTypeHandshake:
			hs, detail = describeHandshake(body)
			name = hs.String()
		case messages.ContentTypeChangeCipherSpec:
			name, detail = "ChangeCipherSpec", "switch to the negotiated keys"
		case messages.ContentTypeAlert:
			alert, detail = describeAlert(body)
			name = "alert"
			if alert.Description == messages.AlertCloseNotify {
				name = "close_notify"
			}
		}
		if hs == messages.HandshakeTypeCertificateRequest {
			detail += " (follows ServerKeyExchange on the wire)"
		}
		detail += " (" + plural(len(body), "byte") + ")"
		if p.ccs[side(fromClient)] {
			detail += " [encrypted]"
		}
		if typ == messages.ContentTypeChangeCipherSpec {
			p.ccs[side(fromClient)] = true
		}
		var dump []byte
		if p.hex {
			dump = body
		}
		p.line(stepOf(fromClient, typ, hs, alert), name, direction(fromClient), strings.TrimSpace(detail), dump)
	}
}

// wire ends a flight: it prints the flight's lines and a summary of its
// records as they go on the wire.
func (p *printer) wire(fromClient bool, b []byte) {
	p.flush()
	if len(b) == 0 {
		return
	}
	var parts []string
	for rest := b; len(rest) >= messages.RecordHeaderLen; {
		h, _ := messages.ParseRecordHeader(rest)
		parts = append(parts, fmt.Sprintf("%s %d", h.Type, h.Length))
		n := messages.RecordHeaderLen + int(h.Length)
		if n > len(rest) {
			break
		}
		rest = rest[n:]
	}
	fmt.Fprintf(p.w, "     %-18s %s  %s: %s = %s\n", "(on the wire)", direction(fromClient),
		plural(len(parts), "record"), strings.Join(parts, ", "), plural(len(b), "byte"))
}

// endpoint is one machine and the bytes it has received but not consumed.
type endpoint struct {
	name    string
	conn    *machine.Conn
	inbox   []byte
	appData []byte
	done    bool
	closed  bool
}

// receive hands p to the machine and drains its events. It returns what
// the machine wants to send back.
func (e *endpoint) receive(p []byte) ([]byte, error) {
	e.inbox = append(e.inbox, p...)
	var out []byte
	// Each Receive call consumes at least one record or stops; the bound
	// only guards against a machine that would neither.
	for range 1 + len(e.inbox) {
		var n int
		var err error
		out, n, err = e.conn.Receive(out, e.inbox)
		for ev := e.conn.NextEvent(); ev.Kind != machine.EventNone; ev = e.conn.NextEvent() {
			switch ev.Kind {
			case machine.EventHandshakeDone:
				e.done = true
			case machine.EventAppData:
				e.appData = append(e.appData, ev.Data...)
			case machine.EventPeerClosed:
				e.closed = true
			}
		}
		e.inbox = e.inbox[:copy(e.inbox, e.inbox[n:])]
		if err != nil {
			return out, fmt.Errorf("%s: %w", e.name, err)
		}
		if n == 0 {
			break
		}
	}
	return out, nil
}

// demoCommand parses the demo's flags and runs it.
func demoCommand(args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o demoOptions
	var alpn commaList
	var keylog string
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of every random byte (same seed, same output)")
	fs.StringVar(&o.Suite, "suite", "", "offer only this cipher suite (IANA or OpenSSL name)")
	fs.StringVar(&o.Group, "group", "", "key exchange group (X25519, P-256, P-384); the client also offers P-256 when ECDSA certificates need it")
	fs.StringVar(&o.Key, "key", "", "server key type: ecdsa, rsa or ed25519 (default: what -suite needs, else ecdsa)")
	fs.BoolVar(&o.ClientAuth, "client-auth", false, "server requires a client certificate (steps 4, 7 and 9)")
	fs.Var(&alpn, "alpn", "comma-separated ALPN protocols offered by the client and accepted by the server")
	fs.BoolVar(&o.Resume, "resume", false, "run a second connection that resumes the session with a ticket (abbreviated handshake)")
	fs.BoolVar(&o.Renegotiate, "renegotiate", false, "the server asks for a secure renegotiation (RFC 5746) after the first data")
	fs.BoolVar(&o.Hex, "hex", false, "hex-dump every handshake message")
	fs.StringVar(&keylog, "keylog", "", "append NSS key log lines to `FILE` (default: $SSLKEYLOGFILE)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sanstls demo [flags]\n\nRuns a TLS 1.2 client and server in memory and prints the handshake.\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	o.ALPN = alpn
	kl, err := openKeyLog(keylog, getenv)
	if err != nil {
		return err
	}
	if kl != nil {
		defer kl.Close()
		o.KeyLog = kl
	}
	return runDemo(stdout, o)
}

// demoConfigs builds the two configurations of the demo.
func demoConfigs(o demoOptions, p *printer) (cli, srv *machine.Config, summary string, err error) {
	var suites []uint16
	if o.Suite != "" {
		id, err := parseSuite(o.Suite)
		if err != nil {
			return nil, nil, "", usageError("%v", err)
		}
		suites = []uint16{id}
	}
	var groups []machine.Group
	if o.Group != "" {
		g, err := parseGroup(o.Group)
		if err != nil {
			return nil, nil, "", usageError("%v", err)
		}
		groups = []machine.Group{g}
	}
	key := o.Key
	if key == "" {
		key = "ecdsa"
		if len(suites) == 1 && suiteNeedsRSA(suites[0]) {
			key = "rsa"
		}
	}
	if len(suites) == 1 && suiteNeedsRSA(suites[0]) != (key == "rsa") {
		return nil, nil, "", usageError("suite %s cannot be used with a %s server key", suiteName(suites[0]), key)
	}
	pkiRand := seededReader(o.Seed, "sanstls demo pki")
	ca, err := newAuthority("sanstls demo CA", pkiOptions{Rand: pkiRand, NotBefore: demoTime.AddDate(-1, 0, 0)})
	if err != nil {
		return nil, nil, "", err
	}
	serverCert, err := ca.issue("localhost", key, false, "localhost", "127.0.0.1")
	if err != nil {
		return nil, nil, "", err
	}
	// RFC 8422, Section 5.1: supported_groups also lists the curves the
	// client accepts in ECDSA certificates, so a client pinned to another
	// group still offers P-256 for the demo's ECDSA certificates; the
	// server, pinned to the chosen group, negotiates that one.
	clientGroups := groups
	if key == "ecdsa" && len(groups) == 1 && groups[0] != machine.CurveP256 {
		clientGroups = []machine.Group{groups[0], machine.CurveP256}
	}
	roots := newPool(ca.cert)
	now := func() time.Time { return demoTime }
	cli = &machine.Config{
		Rand:         seededReader(o.Seed, "sanstls demo client"),
		Time:         now,
		RootCAs:      roots,
		ServerName:   "localhost",
		CipherSuites: suites,
		Groups:       clientGroups,
		NextProtos:   o.ALPN,
		KeyLogWriter: o.KeyLog,
		Trace:        p.trace(true),
	}
	srv = &machine.Config{
		Rand:         seededReader(o.Seed, "sanstls demo server"),
		Time:         now,
		Certificates: []machine.Certificate{serverCert},
		CipherSuites: suites,
		Groups:       groups,
		NextProtos:   o.ALPN,
		Trace:        p.trace(false),
	}
	if o.Resume {
		cli.ClientSessionCache = &oneSession{}
		var key [32]byte
		if _, err := io.ReadFull(seededReader(o.Seed, "sanstls demo ticket key"), key[:]); err != nil {
			return nil, nil, "", err
		}
		srv.TicketKeys = [][32]byte{key}
	}
	if o.Renegotiate {
		cli.Renegotiation = machine.RenegotiateOnceAsClient
	}
	summary = fmt.Sprintf("server certificate CN=localhost (%s) issued by CN=sanstls demo CA (ECDSA P-256)", keyDescription(serverCert.Leaf.PublicKey))
	if o.ClientAuth {
		clientCert, err := ca.issue("sanstls demo client", "ecdsa", true)
		if err != nil {
			return nil, nil, "", err
		}
		cli.Certificates = []machine.Certificate{clientCert}
		srv.ClientAuth = machine.RequireAndVerifyClientCert
		srv.ClientCAs = roots
		summary += "; client certificate CN=sanstls demo client (ECDSA P-256)"
	}
	return cli, srv, summary, nil
}

func newPool(certs ...*x509.Certificate) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool
}

// runDemo runs the demo and writes its report to w.
func runDemo(w io.Writer, o demoOptions) error {
	p := &printer{w: w, hex: o.Hex}
	defer p.flush()
	ccfg, scfg, summary, err := demoConfigs(o, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "sanstls demo: a TLS 1.2 client and server in memory, driven by one goroutine\n")
	fmt.Fprintf(w, "seed %d (Config.Rand of each side is ChaCha8 keyed from it); clock fixed at %s\n", o.Seed, demoTime.Format(time.RFC3339))
	fmt.Fprintf(w, "%s\n\n", summary)

	if err := demoConnection(w, p, o, ccfg, scfg, true); err != nil {
		return err
	}
	if o.Resume {
		fmt.Fprintf(w, "\n--- a second connection resumes the session: abbreviated handshake (RFC 5246, Section 7.3) with the ticket (RFC 5077) ---\n\n")
		*p = printer{w: w, hex: o.Hex, resumed: true}
		if err := demoConnection(w, p, o, ccfg, scfg, false); err != nil {
			return err
		}
	}
	return nil
}

// oneSession is the demo client's session cache: it keeps one session.
type oneSession struct{ s *machine.ClientSession }

func (c *oneSession) Get(string) (*machine.ClientSession, bool) { return c.s, c.s != nil }
func (c *oneSession) Put(_ string, s *machine.ClientSession)    { c.s = s }

// demoConnection runs one connection: handshake, (renegotiation), data,
// close, and prints what was negotiated.
func demoConnection(w io.Writer, p *printer, o demoOptions, ccfg, scfg *machine.Config, first bool) error {
	client, err := machine.Client(ccfg)
	if err != nil {
		return err
	}
	server, err := machine.Server(scfg)
	if err != nil {
		return err
	}
	cli := &endpoint{name: "client", conn: client}
	srv := &endpoint{name: "server", conn: server}

	// The handshake: each side's output is the other's input, until
	// both report EventHandshakeDone. A full handshake takes two round
	// trips; the bound is generous.
	toServer, err := client.Start(nil)
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	p.wire(true, toServer)
	for round := 0; !(cli.done && srv.done); round++ {
		if round == 8 {
			return errors.New("handshake did not complete")
		}
		toClient, err := srv.receive(toServer)
		p.wire(false, toClient)
		if err != nil {
			return err
		}
		toServer, err = cli.receive(toClient)
		p.wire(true, toServer)
		if err != nil {
			return err
		}
	}

	// Step 14: a line of application data each way.
	request := []byte("hello from the sanstls client\n")
	reply := []byte("hello from the sanstls server\n")
	if err := sendApp(p, cli, srv, true, request); err != nil {
		return err
	}
	if err := sendApp(p, srv, cli, false, reply); err != nil {
		return err
	}
	if o.Renegotiate && first {
		if err := demoRenegotiation(w, p, cli, srv); err != nil {
			return err
		}
	}

	// Step 15: close_notify both ways, then the end of the transport.
	for _, pair := range [][2]*endpoint{{cli, srv}, {srv, cli}} {
		from, to := pair[0], pair[1]
		out := from.conn.Close(nil)
		p.wire(from == cli, out)
		if _, err := to.receive(out); err != nil {
			return err
		}
		if !to.closed {
			return fmt.Errorf("%s did not see close_notify", to.name)
		}
	}
	for _, e := range []*endpoint{cli, srv} {
		if err := e.conn.ReceiveEOF(); err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
	}
	for i, dir := range []string{"client -> server", "server -> client"} {
		if !bytes.Equal(p.sent[i], p.received[i]) {
			return fmt.Errorf("%s: the receiver's trace differs from the sender's", dir)
		}
	}

	cs := client.State()
	ss := server.State()
	fmt.Fprintf(w, "\nnegotiated: %s, %s, group %s, server signature %s\n",
		versionName(cs.Version), suiteName(cs.CipherSuite), groupName(cs.Group), cs.SignatureScheme)
	fmt.Fprintf(w, "extended master secret: %s, secure renegotiation: %s, ALPN: %s, server name: %s\n",
		yesNo(cs.ExtendedMasterSecret), yesNo(cs.SecureRenegotiation), orNone(cs.NegotiatedProtocol), orNone(ss.ServerName))
	if len(cs.VerifiedChains) > 0 {
		fmt.Fprintf(w, "client verified the server chain: %s\n", chainSummary(cs.VerifiedChains[0]))
	}
	if len(ss.PeerCertificates) > 0 {
		fmt.Fprintf(w, "server verified the client chain: %s (signature %s)\n", chainSummary(ss.VerifiedChains[0]), ss.SignatureScheme)
	}
	if cs.DidResume {
		fmt.Fprintf(w, "the session was resumed: no certificate, key exchange or signature in this handshake\n")
	}
	if cs.Renegotiations > 0 {
		fmt.Fprintf(w, "renegotiations: %d (secure, RFC 5746)\n", cs.Renegotiations)
	}
	fmt.Fprintf(w, "both sides sent and received close_notify; ReceiveEOF reported a clean end\n")
	return nil
}

// demoRenegotiation has the server send HelloRequest and runs the second
// handshake under the first one's keys.
func demoRenegotiation(w io.Writer, p *printer, cli, srv *endpoint) error {
	p.flush()
	fmt.Fprintf(w, "\n--- the server asks for a renegotiation (HelloRequest, RFC 5246 Section 7.4.1.1; secure renegotiation, RFC 5746): a full handshake under the current keys ---\n\n")
	p.last = 0
	cli.done, srv.done = false, false
	out, err := srv.conn.Renegotiate(nil)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	p.wire(false, out)
	toClient := out
	for round := 0; !(cli.done && srv.done); round++ {
		if round == 8 {
			return errors.New("renegotiation did not complete")
		}
		toServer, err := cli.receive(toClient)
		p.wire(true, toServer)
		if err != nil {
			return err
		}
		toClient, err = srv.receive(toServer)
		p.wire(false, toClient)
		if err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	return sendApp(p, cli, srv, true, []byte("hello again, after the renegotiation\n"))
}

// sendApp seals data on one side, delivers it and checks it arrived intact.
func sendApp(p *printer, from, to *endpoint, fromClient bool, data []byte) error {
	out, err := from.conn.Send(nil, data)
	if err != nil {
		return fmt.Errorf("%s: %w", from.name, err)
	}
	p.line(14, demoSteps[14], direction(fromClient), fmt.Sprintf("%q (%s) [encrypted]", data, plural(len(data), "byte")), nil)
	p.wire(fromClient, out)
	before := len(to.appData)
	if _, err := to.receive(out); err != nil {
		return err
	}
	if got := to.appData[before:]; !bytes.Equal(got, data) {
		return fmt.Errorf("%s received %q, want %q", to.name, got, data)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
