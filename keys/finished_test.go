package keys

import (
	"bytes"
	"crypto"
	"testing"
)

func TestFinishedVerifyDataMatchesReference(t *testing.T) {
	master := rpKey(7, 48)
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384} {
		th := rpKey(3, h.Size())
		client := FinishedVerifyData(h, master, true, th)
		server := FinishedVerifyData(h, master, false, th)
		if want := refPRF(h, master, "client finished", th, 12); !bytes.Equal(client, want) {
			t.Errorf("%v client: %x, want %x", h, client, want)
		}
		if want := refPRF(h, master, "server finished", th, 12); !bytes.Equal(server, want) {
			t.Errorf("%v server: %x, want %x", h, server, want)
		}
	}
	// The crypto/tls interop check of both Finished messages is in
	// TestRecordsMatchCryptoTLS.
}
