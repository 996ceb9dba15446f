package machine_test

import (
	"testing"

	"github.com/sanstls/sanstls/machine"
)

// FuzzClientFeatures feeds arbitrary bytes to a client with the optional
// features on (GREASE, SCTs, False Start, explicit renegotiation, a small
// record limit, an issuer-bound certificate): the same contract as
// FuzzClient (no panic, a fatal error ends with its alert, errors stick).
func FuzzClientFeatures(f *testing.F) {
	fuzzSeeds(f, true)
	f.Fuzz(func(t *testing.T, in []byte) {
		h := newAttack(t, "fuzz", false, func(c, s *machine.Config) {
			cert := getPKI(t).client
			cert.MustMatchIssuer = true
			c.Certificates = []machine.Certificate{cert}
			c.EnableGREASE = true
			c.RequestSCTs = true
			c.FalseStart = true
			c.FalseStartWithoutALPN = true
			c.Renegotiation = machine.RenegotiateExplicit
			c.MaxSendFragment = 512
		})
		if _, err := h.c.conn.Start(nil); err != nil {
			t.Fatal(err)
		}
		fuzzFeed(t, h.c.conn, in)
	})
}

// FuzzServerFeatures is FuzzServer with the server-side features on: SCTs,
// an issuer-bound certificate beside a plain one, an OCSP callback, client
// CA names and a small record limit.
func FuzzServerFeatures(f *testing.F) {
	fuzzSeeds(f, false)
	f.Fuzz(func(t *testing.T, in []byte) {
		h := newAttack(t, "fuzz", false, func(c, s *machine.Config) {
			p := getPKI(t)
			bound := p.ecdsa
			bound.MustMatchIssuer = true
			bound.SignedCertificateTimestamps = [][]byte{[]byte("sct")}
			s.Certificates = []machine.Certificate{bound, p.rsa}
			s.GetOCSPStaple = func(*machine.Certificate, string) ([]byte, error) { return []byte("ocsp"), nil }
			s.ClientAuth = machine.RequestClientCert
			s.ClientCANames = [][]byte{p.caCert.RawSubject}
			s.MaxSendFragment = 512
		})
		fuzzFeed(t, h.s.conn, in)
	})
}
