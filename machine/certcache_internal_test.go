package machine

import (
	"bytes"
	"testing"
	"time"

	"github.com/sanstls/sanstls/internal/testkit"
)

// TestParseCertificateOwnsItsBytes: a cached parse keeps a private copy of
// the DER, so a caller reusing its buffer cannot change what a later lookup
// of the original bytes returns.
func TestParseCertificateOwnsItsBytes(t *testing.T) {
	cache := NewCertCache(16)
	ca, err := testkit.NewCA("own", testkit.CAOptions{Validity: testkit.Validity{NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0)}})
	if err != nil {
		t.Fatal(err)
	}
	der := ca.DER
	buf := bytes.Clone(der)
	first, err := parseCertificate(cache, buf)
	if err != nil {
		t.Fatal(err)
	}
	clear(buf)
	again, err := parseCertificate(cache, der)
	if err != nil {
		t.Fatal(err)
	}
	if again != first || !bytes.Equal(again.Raw, der) || again.Subject.CommonName != "own" {
		t.Fatal("cached certificate changed with the caller's buffer")
	}
	if _, err := parseCertificate(cache, buf); err == nil {
		t.Fatal("zeroed bytes parsed as a certificate")
	}
}
