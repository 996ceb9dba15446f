//go:build unix

package interop

import (
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/machine"
)

// legacyCases are opt-in suites checked against the real peers: DHE with
// an RFC 7919 group, RSA key exchange, and CBC (which both peers run with
// encrypt-then-MAC, RFC 7366, when we offer it).
var legacyCases = []struct {
	id     uint16
	ossl   string
	gnutls string // priority fragment selecting it
	descr  string // GnuTLS "Description" fragment
}{
	{machine.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, "DHE-RSA-AES128-GCM-SHA256", "-KX-ALL:+DHE-RSA:-CIPHER-ALL:+AES-128-GCM:-MAC-ALL:+AEAD", "(DHE-FFDHE2048)"},
	{machine.TLS_DHE_RSA_WITH_AES_256_CBC_SHA, "DHE-RSA-AES256-SHA", "-KX-ALL:+DHE-RSA:-CIPHER-ALL:+AES-256-CBC:-MAC-ALL:+SHA1", "(AES-256-CBC)"},
	{machine.TLS_RSA_WITH_AES_128_CBC_SHA, "AES128-SHA", "-KX-ALL:+RSA:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA1", "(RSA)-(AES-128-CBC)"},
	{machine.TLS_RSA_WITH_AES_256_GCM_SHA384, "AES256-GCM-SHA384", "-KX-ALL:+RSA:-CIPHER-ALL:+AES-256-GCM:-MAC-ALL:+AEAD", "(RSA)-(AES-256-GCM)"},
	{machine.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, "ECDHE-RSA-AES128-SHA256", "-KX-ALL:+ECDHE-RSA:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA256", "(AES-128-CBC)"},
}

// ffdhe2048 writes the RFC 7919 group as PKCS #3 parameters for s_server.
func ffdhe2048(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "ffdhe2048.pem")
	bin := requirePeer(t, "openssl")
	if out, err := exec.Command(bin, "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048", "-out", path).CombinedOutput(); err != nil {
		t.Fatalf("openssl genpkey: %v\n%s", err, out)
	}
	return path
}

func TestLegacySuitesWithOpenSSL(t *testing.T) {
	p := testPKI(t)
	f := p.writeFiles(t)
	dh := ffdhe2048(t, f.dir)
	t.Run("our client", func(t *testing.T) {
		port := startSServer(t, "-www", "-cert", f.rsaCert, "-key", f.rsaKey, "-cipher", "ALL", "-dhparam", dh)
		for _, lc := range legacyCases {
			cfg := clientConfig(p)
			cfg.CipherSuites = []uint16{lc.id}
			page, st, err := getPage(t, port, cfg)
			if err != nil || st.CipherSuite != lc.id {
				t.Errorf("%s: %#04x, %v\n%s", lc.ossl, st.CipherSuite, err, page)
				continue
			}
			if !strings.Contains(page, "Cipher is "+lc.ossl) {
				t.Errorf("%s: s_server's page does not show the suite:\n%s", lc.ossl, page)
			}
		}
	})
	t.Run("s_client", func(t *testing.T) {
		cfg := serverConfig(p)
		for _, lc := range legacyCases {
			cfg.CipherSuites = append(cfg.CipherSuites, lc.id)
		}
		srv := startOurServer(t, cfg, respond)
		for _, lc := range legacyCases {
			out := runSClient(t, srv.port, "hello\n", "-servername", "localhost", "-CAfile", f.ca,
				"-verify_return_error", "-cipher", lc.ossl)
			checkSClient(t, out, "Cipher    : "+lc.ossl)
			if st := checkResult(t, lc.ossl, srv.next(t)); st.CipherSuite != lc.id {
				t.Errorf("%s: our server negotiated %#04x", lc.ossl, st.CipherSuite)
			}
		}
	})
}

func TestLegacySuitesWithGnuTLS(t *testing.T) {
	p := testPKI(t)
	f := p.writeFiles(t)
	t.Run("our client", func(t *testing.T) {
		port, srv := startGnuTLSServer(t, "-a", "--x509certfile", f.rsaCert, "--x509keyfile", f.rsaKey,
			"--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2:+DHE-RSA:+RSA:+AES-128-CBC:+AES-256-CBC:+SHA1:+SHA256:+GROUP-FFDHE2048")
		for _, lc := range legacyCases {
			cfg := clientConfig(p)
			cfg.CipherSuites = []uint16{lc.id}
			st, err := echo(t, port, cfg)
			if err != nil || st.CipherSuite != lc.id {
				t.Errorf("%s: %#04x, %v\n%s", lc.ossl, st.CipherSuite, err, tail(srv.out.String()))
			}
		}
	})
	t.Run("gnutls-cli", func(t *testing.T) {
		cfg := serverConfig(p)
		for _, lc := range legacyCases {
			cfg.CipherSuites = append(cfg.CipherSuites, lc.id)
		}
		srv := startOurServer(t, cfg, respondClientCloses)
		for _, lc := range legacyCases {
			prio := "NORMAL:-VERS-ALL:+VERS-TLS1.2:" + lc.gnutls + ":-GROUP-ALL:+GROUP-FFDHE2048:+GROUP-SECP256R1"
			out := runGnuTLSCli(t, srv.port, "hello\n", "--x509cafile", f.ca, "--sni-hostname", "localhost", "--priority", prio)
			if !strings.Contains(out, "- Description: (TLS1.2-X.509)-") || !strings.Contains(out, lc.descr) {
				t.Errorf("%s: gnutls-cli output lacks %q:\n%s", lc.ossl, lc.descr, tail(out))
			}
			if st := checkResult(t, lc.ossl, srv.next(t)); st.CipherSuite != lc.id {
				t.Errorf("%s: our server negotiated %#04x", lc.ossl, st.CipherSuite)
			}
		}
	})
}

// TestResumptionWithOpenSSL: s_client -reconnect resumes with our server's
// tickets, and our client resumes with s_server's.
func TestResumptionWithOpenSSL(t *testing.T) {
	p := testPKI(t)
	f := p.writeFiles(t)
	t.Run("s_client", func(t *testing.T) {
		cfg := serverConfig(p)
		cfg.TicketKeys = [][32]byte{{7, 7, 7}}
		srv := startOurServer(t, cfg, func(c *watched) serverResult {
			if err := c.Handshake(); err != nil {
				return serverResult{err: err}
			}
			return serverResult{state: c.MachineState(), err: closeAndDrain(c)}
		})
		out := runSClient(t, srv.port, "", "-servername", "localhost", "-CAfile", f.ca, "-verify_return_error", "-reconnect")
		if n := strings.Count(out, "Reused, TLSv1.2"); n < 5 {
			t.Errorf("s_client -reconnect reused the session %d times, want 5:\n%s", n, tail(out))
		}
		resumed := 0
		for range 6 {
			if srv.next(t).state.DidResume {
				resumed++
			}
		}
		if resumed != 5 {
			t.Errorf("our server resumed %d of 6 connections, want 5", resumed)
		}
	})
	for _, mode := range []string{"-no_ticket", "-no_cache"} {
		t.Run("our client "+mode, func(t *testing.T) {
			port := startSServer(t, "-www", "-cert", f.ecdsaCert, "-key", f.ecdsaKey, mode)
			cfg := clientConfig(p)
			cfg.ClientSessionCache = netconn.NewLRUClientSessionCache(4)
			for i := range 2 {
				page, st, err := getPage(t, port, cfg)
				if err != nil {
					t.Fatalf("connection %d: %v", i, err)
				}
				if st.DidResume != (i == 1) || strings.Contains(page, "Reused,") != (i == 1) {
					t.Errorf("connection %d: DidResume %v, page:\n%s", i, st.DidResume, page)
				}
			}
		})
	}
}

// TestRenegotiationWithOpenSSL: s_client's "R" command renegotiates with
// our server (RFC 5746 secure renegotiation), and the data exchange goes on.
func TestRenegotiationWithOpenSSL(t *testing.T) {
	p := testPKI(t)
	f := p.writeFiles(t)
	cfg := serverConfig(p)
	cfg.AllowClientRenegotiation = true
	srv := startOurServer(t, cfg, func(c *watched) serverResult {
		r := respond(c)
		r.state = c.MachineState() // after the renegotiation
		return r
	})
	bin := requirePeer(t, "openssl")
	pr := startProc(t, procOptions{}, bin, "s_client", "-connect", "127.0.0.1:"+strconv.Itoa(srv.port),
		"-tls1_2", "-servername", "localhost", "-CAfile", f.ca, "-verify_return_error")
	if err := pr.waitOutput("Verify return code: 0"); err != nil {
		t.Fatal(err)
	}
	// s_client acts on a line that is exactly "R" and drops the rest of
	// what it read with it, so the request follows once the renegotiation
	// is under way (s_client prints the server's chain again).
	io.WriteString(pr.stdin, "R\n")
	if err := pr.waitUntil(func() bool { return strings.Count(pr.out.String(), "depth=0 CN = localhost") >= 2 }, "renegotiate"); err != nil {
		t.Fatalf("s_client did not renegotiate: %v\n%s", err, tail(pr.out.String()))
	}
	io.WriteString(pr.stdin, "hello\n")
	if err := pr.wait(); err != nil {
		t.Errorf("s_client: %v\n%s", err, tail(pr.out.String()))
	}
	checkSClient(t, pr.out.String(), "RENEGOTIATING", "sanstls answers over")
	st := checkResult(t, "renegotiation", srv.next(t))
	if st.Renegotiations != 1 || !st.SecureRenegotiation {
		t.Errorf("our server: %d renegotiations, secure %v", st.Renegotiations, st.SecureRenegotiation)
	}
}
