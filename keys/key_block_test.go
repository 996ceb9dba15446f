package keys

import (
	"bytes"
	"crypto"
	"testing"
)

func TestKeyBlockSplit(t *testing.T) {
	master := rpKey(7, 48)
	cr, sr := rpKey(1, 32), rpKey(2, 32)
	for _, c := range []struct {
		h                     crypto.Hash
		macLen, keyLen, ivLen int
	}{
		{crypto.SHA256, 0, 16, 4},  // AES-128-GCM
		{crypto.SHA384, 0, 32, 4},  // AES-256-GCM
		{crypto.SHA256, 0, 32, 12}, // ChaCha20-Poly1305
		{crypto.SHA256, 20, 16, 0}, // AES-128-CBC-SHA
		{crypto.SHA384, 48, 32, 0}, // AES-256-CBC-SHA384
		{crypto.SHA256, 0, 0, 0},
	} {
		k := KeyBlock(c.h, master, cr, sr, c.macLen, c.keyLen, c.ivLen)
		// RFC 5246, Section 6.3: the server random comes first.
		block := refPRF(c.h, master, "key expansion", append(bytes.Clone(sr), cr...), 2*(c.macLen+c.keyLen+c.ivLen))
		parts := []struct {
			got []byte
			n   int
		}{{k.ClientMAC, c.macLen}, {k.ServerMAC, c.macLen}, {k.ClientKey, c.keyLen}, {k.ServerKey, c.keyLen}, {k.ClientIV, c.ivLen}, {k.ServerIV, c.ivLen}}
		for i, p := range parts {
			if !bytes.Equal(p.got, block[:p.n]) || len(p.got) != p.n || cap(p.got) != p.n {
				t.Errorf("%v %d/%d/%d: part %d = %x (cap %d), want %x", c.h, c.macLen, c.keyLen, c.ivLen, i, p.got, cap(p.got), block[:p.n])
			}
			block = block[p.n:]
		}
		// Appending to one part must not overwrite the next.
		if c.keyLen > 0 {
			before := bytes.Clone(k.ServerKey)
			_ = append(k.ClientKey, 0xff, 0xff, 0xff)
			if !bytes.Equal(k.ServerKey, before) {
				t.Errorf("appending to ClientKey changed ServerKey")
			}
		}
	}
}

func TestKeyBlockNegativeLengthPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("KeyBlock with a negative length did not panic")
		}
	}()
	KeyBlock(crypto.SHA256, rpKey(7, 48), rpKey(1, 32), rpKey(2, 32), 0, -1, 4)
}
