package keys

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"testing"
)

func TestMasterSecretMatchesReference(t *testing.T) {
	pre := rpKey(9, 48)
	cr, sr := rpKey(1, 32), rpKey(2, 32)
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384} {
		got := MasterSecret(h, pre, cr, sr)
		want := refPRF(h, pre, "master secret", append(bytes.Clone(cr), sr...), 48)
		if !bytes.Equal(got, want) {
			t.Errorf("%v: MasterSecret = %x, want %x", h, got, want)
		}
		// The randoms are ordered client, server.
		if bytes.Equal(MasterSecret(h, pre, sr, cr), got) {
			t.Errorf("%v: MasterSecret ignores the order of the randoms", h)
		}
	}
}

func TestExtendedMasterSecretMatchesReference(t *testing.T) {
	pre := rpKey(9, 48)
	sessionHash := rpKey(5, 48)
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384} {
		got := ExtendedMasterSecret(h, pre, sessionHash)
		want := refPRF(h, pre, "extended master secret", sessionHash, 48)
		if !bytes.Equal(got, want) {
			t.Errorf("%v: ExtendedMasterSecret = %x, want %x", h, got, want)
		}
	}
}

// TestExtendedMasterSecretMatchesCryptoTLS runs crypto/tls with RSA key
// exchange, where the test can decrypt the premaster secret from the wire,
// and checks that ExtendedMasterSecret over the hash of ClientHello ..
// ClientKeyExchange gives the master secret crypto/tls logged (crypto/tls
// always negotiates extended_master_secret with itself).
func TestExtendedMasterSecretMatchesCryptoTLS(t *testing.T) {
	for _, s := range rpSuites() {
		if s.suite != tls.TLS_RSA_WITH_AES_128_GCM_SHA256 && s.suite != tls.TLS_RSA_WITH_AES_256_GCM_SHA384 {
			continue
		}
		run := rpRunTLS12(t, s.suite)
		if len(run.preMaster) != 48 {
			t.Fatalf("%s: premaster of %d bytes", s.name, len(run.preMaster))
		}
		got := ExtendedMasterSecret(s.prf, run.preMaster, s.transcriptHash(run.transcript()))
		if !bytes.Equal(got, run.master) {
			t.Errorf("%s: ExtendedMasterSecret = %x, crypto/tls logged %x", s.name, got, run.master)
		}
		if bytes.Equal(MasterSecret(s.prf, run.preMaster, run.clientRandom, run.serverRandom), run.master) {
			t.Errorf("%s: crypto/tls did not use the extended master secret", s.name)
		}
	}
}
