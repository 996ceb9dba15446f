package machine_test

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// otherCA is a second CA, unknown to the peers of these tests.
func otherCA(t *testing.T) (*x509.Certificate, *machine.Certificate) {
	t.Helper()
	key := mustKey(t, "p256", "other-ca")
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(99),
		Subject:               pkix.Name{CommonName: "sanstls other CA"},
		NotBefore:             testNow.Add(-24 * time.Hour),
		NotAfter:              testNow.Add(365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(newRand("other-ca"), tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return ca, &machine.Certificate{PrivateKey: key}
}

// TestClientCertificateByIssuer: a client certificate marked
// MustMatchIssuer is sent only when the CertificateRequest names its
// issuer; the client sees the names in State().RequestedCAs.
func TestClientCertificateByIssuer(t *testing.T) {
	p := getPKI(t)
	ca, caCred := otherCA(t)
	wrong := issuedLeaf(t, mustKey(t, "p256", "wrong-client"), "wrong-client", 31, true, ca, caCred.PrivateKey)
	wrong.MustMatchIssuer = true
	right := issuedLeaf(t, mustKey(t, "p256", "right-client"), "right-client", 32, true, nil, nil)
	right.MustMatchIssuer = true
	for _, tc := range []struct {
		name  string
		certs []machine.Certificate
		want  []byte // leaf the server gets; nil for none
	}{
		{"second", []machine.Certificate{wrong, right}, right.Chain[0]},
		{"first", []machine.Certificate{right, wrong}, right.Chain[0]},
		{"none", []machine.Certificate{wrong}, nil},
		{"fallback", []machine.Certificate{wrong, p.client}, p.client.Chain[0]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ccfg := clientConfig(t, "issuer")
			ccfg.Certificates = tc.certs
			scfg := serverConfig(t, "issuer")
			scfg.ClientAuth = machine.VerifyClientCertIfGiven
			scfg.ClientCAs = p.roots
			pr := newPair(t, ccfg, scfg)
			pr.handshake()
			cas := pr.client.conn.State().RequestedCAs
			if len(cas) != 1 || !bytes.Equal(cas[0], p.caCert.RawSubject) {
				t.Errorf("RequestedCAs %x, want the test CA's subject", cas)
			}
			got := pr.server.conn.State().PeerCertificates
			switch {
			case tc.want == nil && len(got) != 0:
				t.Errorf("client sent %q, want no certificate", got[0].Subject)
			case tc.want != nil && (len(got) == 0 || !bytes.Equal(got[0].Raw, tc.want)):
				t.Errorf("server got %d certificates, want the leaf %x...", len(got), tc.want[:8])
			}
		})
	}

	// Config.ClientCANames replaces the list, whatever ClientAuth is.
	ccfg := clientConfig(t, "names")
	scfg := serverConfig(t, "names")
	scfg.ClientAuth = machine.RequestClientCert
	scfg.ClientCANames = [][]byte{[]byte("0\x00"), ca.RawSubject}
	pr := newPair(t, ccfg, scfg)
	pr.handshake()
	if got := pr.client.conn.State().RequestedCAs; len(got) != 2 || !bytes.Equal(got[1], ca.RawSubject) {
		t.Errorf("RequestedCAs %x, want Config.ClientCANames", got)
	}
}

// TestServerCertificateByIssuer: a server certificate marked
// MustMatchIssuer is chosen only when the ClientHello's
// certificate_authorities names its issuer; with no certificate left the
// handshake fails with handshake_failure (no_matching_issuer).
func TestServerCertificateByIssuer(t *testing.T) {
	p := getPKI(t)
	ca, caCred := otherCA(t)
	wrong := issuedLeaf(t, mustKey(t, "p256", "wrong-server"), "example.com", 41, false, ca, caCred.PrivateKey)
	wrong.MustMatchIssuer = true
	right := p.ecdsa
	right.MustMatchIssuer = true
	ext := func(names ...[]byte) messages.Extension {
		var list []byte
		for _, n := range names {
			list = append(list, byte(len(n)>>8), byte(len(n)))
			list = append(list, n...)
		}
		return messages.Extension{Type: messages.ExtensionCertificateAuthorities, Data: append([]byte{byte(len(list) >> 8), byte(len(list))}, list...)}
	}
	for _, tc := range []struct {
		name  string
		certs []machine.Certificate
		cas   []messages.Extension
		want  []byte
	}{
		{"second", []machine.Certificate{wrong, right}, []messages.Extension{ext(p.caCert.RawSubject)}, right.Chain[0]},
		{"no-extension", []machine.Certificate{wrong, right}, nil, nil},
		{"fallback", []machine.Certificate{wrong, p.rsa}, []messages.Extension{ext(p.caCert.RawSubject)}, p.rsa.Chain[0]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newAttack(t, "server-issuer", false, func(c, s *machine.Config) {
				c.CipherSuites = nil
				s.Certificates = tc.certs
			})
			var leaf []byte
			h.run(func(k int, f flight) flight {
				switch k {
				case 0:
					msg, err := messages.Parse(f[0].data)
					if err != nil {
						t.Fatal(err)
					}
					ch := msg.(*messages.ClientHello)
					ch.Unknown = append(ch.Unknown, tc.cas...)
					for _, e := range tc.cas {
						ch.ExtensionOrder = append(ch.ExtensionOrder, e.Type)
					}
					raw, err := ch.Marshal()
					if err != nil {
						t.Fatal(err)
					}
					f[0].data = raw
				case 1:
					if i := f.index("Certificate"); i >= 0 {
						m, err := messages.Parse(f[i].data)
						if err != nil {
							t.Fatal(err)
						}
						leaf = m.(*messages.Certificate).Certificates[0]
					}
				}
				return f
			})
			if tc.want == nil {
				h.expectFatal(h.s, messages.AlertHandshakeFailure)
				if r := machine.ReasonOf(h.s.err); r != "no_matching_issuer" {
					t.Errorf("reason %q, want no_matching_issuer", r)
				}
				return
			}
			if !bytes.Equal(leaf, tc.want) {
				t.Errorf("server sent leaf %x..., want %x...", leaf[:min(8, len(leaf))], tc.want[:8])
			}
		})
	}
}
