package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole shim: it parses args, runs every connection and returns
// the exit code. Nothing is written to stderr on success (the runner fails
// a passing test that prints there).
func run(args []string, stdout, stderr io.Writer) int {
	flags, err := parseFlags(args)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return exitFailure
	}
	if flags.handshakerSupported {
		// We have no split handshaker (BoringSSL's handoff tests).
		fmt.Fprintln(stdout, "No")
		return exitOK
	}
	sess, err := newSessions()
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return exitFailure
	}
	for i := 0; i <= flags.initial.resumeCount; i++ {
		o := flags.initial
		if i > 0 {
			o = flags.resume
		}
		f, err := runConnection(o, i > 0, sess)
		var ue *unimplementedError
		switch {
		case err == nil:
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "%v\n", err)
			return exitUnimplemented
		default:
			fmt.Fprintf(stderr, "Connection %d failed.\n%s", i+1, formatError(err, f))
			return exitFailure
		}
	}
	return exitOK
}

// dial connects to the runner and sends the shim ID (PORTING.md:
// "a 64-bit, little-endian integer").
func dial(o *options) (*net.TCPConn, error) {
	host := "127.0.0.1"
	if o.ipv6 {
		host = "::1"
	}
	c, err := net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(o.port)), 30*time.Second)
	if err != nil {
		return nil, err
	}
	tcp := c.(*net.TCPConn)
	_ = tcp.SetNoDelay(true)
	var id [8]byte
	binary.LittleEndian.PutUint64(id[:], o.shimID)
	if _, err := tcp.Write(id[:]); err != nil {
		tcp.Close()
		return nil, err
	}
	return tcp, nil
}

// runConnection runs one connection of a test: the handshake, the checks,
// the data exchange and the shutdown, as BoringSSL's DoExchange does. The
// failure it returns describes the circumstances of an error.
func runConnection(o *options, isResume bool, sess *sessions) (failure, error) {
	f := failure{server: o.server}
	if len(o.unimplemented) > 0 {
		return f, unimplementedf("flags %s", strings.Join(o.unimplemented, " "))
	}
	if isResume && o.reverifyOnResume && o.async && (o.verifyFail || o.failOCSPCallback) {
		// With DeferVerify (-async) the machine does not ask the caller
		// about a cached session's chain before offering it (a VerifyPeer
		// hook is asked), so a verification failure there cannot be
		// reproduced.
		return f, unimplementedf("verification on resumption with -async (DeferVerify)")
	}
	if err := checkVersions(o); err != nil {
		return f, err
	}
	creds, err := loadCredentials(o)
	if err != nil {
		return f, err
	}
	v := newVerifier(o)
	tr := &tracer{server: o.server}
	cfg, err := buildConfig(o, creds, v, tr)
	if err != nil {
		return f, err
	}
	if err := sess.configure(cfg, o); err != nil {
		return f, err
	}
	storedBefore := sess.stored(o.server)
	f.offeredSession = !o.server && isResume && len(sess.client.m) > 0
	var mc *machine.Conn
	if o.server {
		mc, err = machine.Server(cfg)
	} else {
		mc, err = machine.Client(cfg)
	}
	if err != nil {
		return f, err
	}
	tcp, err := dial(o)
	if err != nil {
		return f, err
	}
	t := newTransport(tcp, mc, o.async, v.check)
	t.refused = tr.refusedRenegotiation
	if o.useExporterBetweenReads && o.async {
		t.betweenReads = func() error { return exportBetweenReads(mc) }
	}
	defer t.finish()

	err = t.handshake(!o.server)
	if err == nil && o.handshakeTwice && !t.handshakeDone {
		// BoringSSL's second SSL_do_handshake waits for the end of a
		// False Start handshake (otherwise it does nothing).
		t.falseStarted = false
		err = t.handshake(false)
	}
	// In False Start the session is stored only when the server's Finished
	// arrives, during the exchange: the session checks wait until then.
	falseStarted := err == nil && !t.handshakeDone
	if err == nil && !o.implicitHandshake {
		if mc.State().DidResume {
			// BoringSSL keeps the verification result in the session.
			v.failed = sess.verifyFailed
		} else {
			sess.verifyFailed = v.failed
		}
		err = checkHandshake(o, mc, v, tr, creds)
		if err == nil && !falseStarted {
			err = checkSession(o, mc, isResume, sess.stored(o.server) > storedBefore)
		}
	}
	if err == nil {
		err = exchange(o, t)
	}
	if err == nil && falseStarted && !o.implicitHandshake {
		err = checkSession(o, mc, isResume, sess.stored(o.server) > storedBefore)
	}
	if err == nil {
		err = checkRenegotiations(o, mc)
	}
	f.sawServerHello = tr.sawServerHello
	// A message the machine refuses on its header never reaches the
	// tracer: then the tracer's current position is where it arrived.
	f.ccsNext = tr.ccsNextBefore || tr.ccsNext
	f.postHandshake = tr.idleBefore || tr.completed > 0 && !tr.renegotiating
	f.renegotiating = tr.renegotiating
	f.badPointFormats = tr.badPointFormats
	f.proxyRequest = bytes.HasPrefix(t.head, []byte("CONNE"))
	return f, err
}

// initialWrite is what -shim-writes-first sends (the runner's
// shimInitialWrite).
var initialWrite = []byte("hello")

// recordSizes are the writes of -write-different-record-sizes, chosen by
// BoringSSL's shim to straddle record boundaries.
var recordSizes = []int{0, 1, 255, 256, 257, 16383, 16384, 16385, 32767, 32768, 32769}

// exchange runs the application-data part of a connection and the
// shutdown.
func exchange(o *options, t *transport) error {
	if o.sendAlert {
		// BoringSSL's shim sends a fatal decompression_failure alert
		// (SSL_send_fatal_alert) and gives up.
		if err := t.write(t.mc.Abort(nil, messages.AlertDecompressionFailure)); err != nil {
			return err
		}
		return errors.New("sent a fatal alert (-send-alert)")
	}
	if o.exportKeyingMaterial > 0 {
		var context []byte
		if o.useExportContext {
			context = []byte(o.exportContext)
		}
		ekm, err := t.mc.ExportKeyingMaterial(o.exportLabel, context, o.exportKeyingMaterial)
		if err != nil {
			return fmt.Errorf("failed to export keying material: %w", err)
		}
		if err := t.send(ekm); err != nil {
			return err
		}
	}
	if o.tlsUnique {
		u := t.mc.State().TLSUnique
		if len(u) == 0 {
			return errors.New("failed to get tls-unique")
		}
		if err := t.send(u); err != nil {
			return err
		}
	}
	switch {
	case o.writeDifferentRecordSizes:
		buf := make([]byte, recordSizes[len(recordSizes)-1])
		for i := range buf {
			buf[i] = 0x42
		}
		for _, n := range recordSizes {
			if err := t.send(buf[:n]); err != nil {
				return err
			}
		}
	default:
		if o.shimWritesFirst {
			if err := t.send(initialWrite); err != nil {
				return err
			}
		}
		if !o.shimShutsDown {
			if err := echo(o, t); err != nil {
				return err
			}
		}
	}
	return shutdown(o, t)
}

// echo reads application data and writes it back XORed with 0xff until the
// peer closes the connection, cleanly or not.
func echo(o *options, t *transport) error {
	size := 512 // BoringSSL's shim reads 512 bytes at a time
	if o.readSize > 0 {
		size = o.readSize
	}
	for {
		p, err := t.read(size)
		if err == io.EOF || errors.Is(err, errTransportEOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if o.useExporterBetweenReads && !o.async {
			if err := exportBetweenReads(t.mc); err != nil {
				return err
			}
		}
		for i := range p {
			p[i] ^= 0xff
		}
		if err := t.send(p); err != nil {
			return err
		}
	}
}

// exportBetweenReads is -use-exporter-between-reads: an export that must
// work whenever a read can return, and fail in the middle of a
// renegotiation.
func exportBetweenReads(mc *machine.Conn) error {
	if _, err := mc.ExportKeyingMaterial("", nil, 1); err != nil {
		return fmt.Errorf("failed to export keying material: %w", err)
	}
	return nil
}

// shutdown follows BoringSSL's SSL_shutdown as the shim calls it. Without
// -check-close-notify the shim runs in "quiet shutdown" mode and sends
// nothing. With it, we send close_notify; if we shut down first we then
// wait for the peer's, which must come before any application data and
// before the end of the stream.
func shutdown(o *options, t *transport) error {
	if !o.checkCloseNotify {
		return nil
	}
	if err := t.closeNotify(); err != nil {
		return err
	}
	if !o.shimShutsDown {
		if !t.peerClosed {
			return fmt.Errorf("Unexpected SSL_shutdown result: 0 != 1")
		}
		return nil
	}
	for {
		if err := t.process(false); err != nil {
			return err
		}
		if t.peerClosed {
			break
		}
		if len(t.app) > 0 {
			return errAppDataOnShutdown
		}
		if t.eof {
			return errUncleanShutdown
		}
		if err := t.readMore(); err != nil {
			return err
		}
	}
	if len(t.app) > 0 {
		return errAppDataOnShutdown
	}
	return nil
}
