//go:build unix

package interop

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/machine"
)

// serverResult is what our server saw on one connection.
type serverResult struct {
	state    machine.ConnectionState
	received []byte // the request line, or the SHA-256 of a bulk upload
	err      error  // nil: the exchange ended with the client's close_notify (io.EOF)
}

// ourServer is our netconn server on a kernel-chosen port of 127.0.0.1.
// Each connection runs handle in its own goroutine; results arrive on
// results in completion order.
type ourServer struct {
	addr     string
	port     int
	results  chan serverResult
	accepted atomic.Int64 // connections accepted
	taken    int64        // results taken by next
	// peer is the client process whose progress keeps our connections'
	// reads alive (see watched); tests that stream to a slow reader set it.
	peer atomic.Pointer[proc]
}

func startOurServer(t *testing.T, cfg *machine.Config, handle func(*watched) serverResult) *ourServer {
	t.Helper()
	ln, err := netconn.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &ourServer{addr: ln.Addr().String(), port: ln.Addr().(*net.TCPAddr).Port, results: make(chan serverResult, 256)}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed by cleanup
			}
			s.accepted.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				s.results <- handle(watch(c.(*netconn.Conn), s.peerProgress))
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return s
}

func (s *ourServer) peerProgress() int64 {
	if p := s.peer.Load(); p != nil {
		return p.progress()
	}
	return 0
}

// next returns the result of the next connection to finish. A connection
// that was accepted ends by itself (its deadlines follow its progress); if
// none is pending, next waits up to stall for the client to connect.
func (s *ourServer) next(t *testing.T) serverResult {
	t.Helper()
	s.taken++
	began := time.Now()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case r := <-s.results:
			return r
		case <-tick.C:
		}
		if s.accepted.Load() < s.taken && time.Since(began) > stall {
			t.Fatalf("our server: no client connected in %v", stall)
		}
	}
}

// respond is the server side of the matrix tests: it reads one line,
// answers with a line naming the negotiated suite, sends close_notify and
// reads until the client's close_notify.
func respond(c *watched) serverResult {
	if err := c.Handshake(); err != nil {
		return serverResult{err: fmt.Errorf("handshake: %w", err)}
	}
	r := serverResult{state: c.MachineState()}
	line, err := bufio.NewReader(c).ReadBytes('\n')
	r.received = line
	if err != nil {
		r.err = fmt.Errorf("reading the request: %w", err)
		return r
	}
	if _, err := fmt.Fprintf(c, "sanstls answers over %s\n", machine.CipherSuiteName(r.state.CipherSuite)); err != nil {
		r.err = fmt.Errorf("answering: %w", err)
		return r
	}
	r.err = closeAndDrain(c)
	return r
}

// respondClientCloses is respond for clients that close first: it reads
// one line, answers it, reads until the client's close_notify and only then
// sends its own.
func respondClientCloses(c *watched) serverResult {
	if err := c.Handshake(); err != nil {
		return serverResult{err: fmt.Errorf("handshake: %w", err)}
	}
	r := serverResult{state: c.MachineState()}
	br := bufio.NewReader(c)
	line, err := br.ReadBytes('\n')
	r.received = line
	if err != nil {
		r.err = fmt.Errorf("reading the request: %w", err)
		return r
	}
	if _, err := fmt.Fprintf(c, "sanstls answers over %s\n", machine.CipherSuiteName(r.state.CipherSuite)); err != nil {
		r.err = fmt.Errorf("answering: %w", err)
		return r
	}
	if n, err := io.Copy(io.Discard, br); err != nil || n > 0 {
		r.err = fmt.Errorf("waiting for close_notify: %d more bytes, %v", n, err)
		return r
	}
	if err := c.CloseWrite(); err != nil {
		r.err = fmt.Errorf("sending close_notify: %w", err)
	}
	return r
}

// closeAndDrain sends close_notify, then reads until the peer's: nil means
// a clean close in both directions. Any application data still arriving is
// an error.
func closeAndDrain(c *watched) error {
	if err := c.CloseWrite(); err != nil {
		return fmt.Errorf("sending close_notify: %w", err)
	}
	n, err := io.Copy(io.Discard, c)
	if err != nil {
		return fmt.Errorf("waiting for close_notify: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("%d unexpected bytes before close_notify", n)
	}
	return nil
}

// clientConfig is our client's configuration for the PKI's servers.
func clientConfig(p *pki) *machine.Config {
	return &machine.Config{RootCAs: p.roots(), ServerName: "localhost"}
}

// dial connects our client to addr and completes the handshake (a few
// kilobytes, bounded by stall); the connection's deadlines then follow its
// progress.
func dial(t *testing.T, addr string, cfg *machine.Config) (*watched, error) {
	t.Helper()
	c, err := netconn.DialWithDialer(&net.Dialer{Timeout: stall}, "tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	return watch(c, nil), nil
}

// bulkData is bulkSize() reproducible pseudo-random bytes and their SHA-256.
var bulkData = sync.OnceValues(func() ([]byte, [32]byte) {
	b := make([]byte, bulkSize())
	var seed [32]byte
	copy(seed[:], "sanstls interop bulk transfer")
	_, _ = rand.NewChaCha8(seed).Read(b)
	return b, sha256.Sum256(b)
})

// bulkText is bulkSize() bytes of base64 lines (76 characters and a newline) and
// their SHA-256, for gnutls-serv's echo mode, which echoes text: it stops
// at the first NUL byte of what it received.
var bulkText = sync.OnceValues(func() ([]byte, [32]byte) {
	raw, _ := bulkData()
	enc := make([]byte, base64.StdEncoding.EncodedLen(len(raw)))
	base64.StdEncoding.Encode(enc, raw)
	size := int(bulkSize())
	b := make([]byte, 0, size)
	for len(b) < size {
		n := min(76, size-len(b)-1)
		b = append(append(b, enc[:n]...), '\n')
		enc = enc[n:]
	}
	return b, sha256.Sum256(b)
})

// hashAll reads r to its end and returns the SHA-256 and length of what it
// read, and the error that ended it (nil for io.EOF).
func hashAll(r io.Reader) ([32]byte, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum, n, err
}

// isTruncation reports an error that means the peer closed without
// close_notify.
func isTruncation(err error) bool {
	return errors.Is(err, machine.ErrTruncated) || errors.Is(err, io.ErrUnexpectedEOF)
}

// suiteCase is one default cipher suite with the certificate it needs.
type suiteCase struct {
	id      uint16
	name    string // IANA
	ossl    string // OpenSSL
	rsa     bool   // needs the RSA certificate
	gnutlsP string // GnuTLS priority string selecting only this suite
	gnutlsD string // fragment of GnuTLS's "Description" line
}

// defaultSuites are the six default suites: ECDHE with AES-GCM or
// ChaCha20-Poly1305, with ECDSA or RSA certificates.
func defaultSuites(t *testing.T) []suiteCase {
	t.Helper()
	var out []suiteCase
	for _, id := range machine.DefaultCipherSuites() {
		sc := suiteCase{id: id, name: machine.CipherSuiteName(id)}
		for _, info := range machine.SupportedCipherSuites() {
			if info.ID == id {
				sc.ossl = info.OpenSSLName
			}
		}
		kx := "ECDHE-ECDSA"
		switch id {
		case machine.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, machine.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			machine.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:
			sc.rsa, kx = true, "ECDHE-RSA"
		}
		cipher := map[uint16]string{
			machine.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:       "AES-128-GCM",
			machine.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:         "AES-128-GCM",
			machine.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:       "AES-256-GCM",
			machine.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:         "AES-256-GCM",
			machine.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "CHACHA20-POLY1305",
			machine.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:   "CHACHA20-POLY1305",
		}[id]
		if cipher == "" || sc.ossl == "" {
			t.Fatalf("default suite %#04x (%s) is not one the interop matrix knows", id, sc.name)
		}
		// Priority strings from shared/guide/interop.md, section 2.2.
		sc.gnutlsP = gnutlsTLS12 + ":-KX-ALL:+" + kx + ":-CIPHER-ALL:+" + cipher + ":-MAC-ALL:+AEAD"
		sc.gnutlsD = "-(" + cipher + ")"
		out = append(out, sc)
	}
	if len(out) != 6 {
		t.Fatalf("%d default suites, the matrix expects 6", len(out))
	}
	return out
}

// gnutlsTLS12 is the GnuTLS priority string for TLS 1.2 only.
const gnutlsTLS12 = "NORMAL:-VERS-ALL:+VERS-TLS1.2"

// groupCase is one group with its names in the peers' vocabularies.
type groupCase struct {
	group   machine.Group
	ossl    string // -groups value
	osslKey string // s_client "Server Temp Key" line fragment
	gnutls  string // priority group name
}

var groupCases = []groupCase{
	{machine.X25519, "X25519", "Server Temp Key: X25519, 253 bits", "X25519"},
	{machine.CurveP256, "P-256", "Server Temp Key: ECDH, prime256v1, 256 bits", "SECP256R1"},
	{machine.CurveP384, "P-384", "Server Temp Key: ECDH, secp384r1, 384 bits", "SECP384R1"},
}
