package keys

import (
	"bytes"
	"crypto"
	"encoding/binary"
	"testing"
)

// TestExportKeyingMaterialMatchesCryptoTLS compares the exporter with
// tls.ConnectionState.ExportKeyingMaterial, given the master secret from
// crypto/tls's key log and the randoms from the wire.
func TestExportKeyingMaterialMatchesCryptoTLS(t *testing.T) {
	for _, s := range rpSuites()[:3] { // SHA-256 and SHA-384 PRFs
		run := rpRunTLS12(t, s.suite)
		for _, c := range []struct {
			label   string
			context []byte // nil: no context
			length  int
		}{
			{"EXPORTER-test", nil, 32},
			{"EXPORTER-test", []byte{}, 32},
			{"EXPORTER-test", []byte("some context"), 100},
			{"EXPERIMENTAL-x", bytes.Repeat([]byte{7}, 300), 7},
			{"EXPORTER-zero", nil, 0},
		} {
			want, err := run.state.ExportKeyingMaterial(c.label, c.context, c.length)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ExportKeyingMaterial(s.prf, run.master, run.clientRandom, run.serverRandom, c.label, c.context, c.context != nil, c.length)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s %q context %x: got %x, crypto/tls %x", s.name, c.label, c.context, got, want)
			}
		}
	}
}

func TestExportKeyingMaterialMatchesReference(t *testing.T) {
	master, cr, sr := rpKey(7, 48), rpKey(1, 32), rpKey(2, 32)
	ctx := []byte("context value")
	seed := append(append(bytes.Clone(cr), sr...), 0, byte(len(ctx)))
	seed = append(seed, ctx...)
	got, err := ExportKeyingMaterial(crypto.SHA384, master, cr, sr, "EXPORTER-ref", ctx, true, 70)
	if want := refPRF(crypto.SHA384, master, "EXPORTER-ref", seed, 70); err != nil || !bytes.Equal(got, want) {
		t.Errorf("with context: %x, %v; want %x", got, err, want)
	}
	got, err = ExportKeyingMaterial(crypto.SHA256, master, cr, sr, "EXPORTER-ref", ctx, false, 20)
	if want := refPRF(crypto.SHA256, master, "EXPORTER-ref", append(bytes.Clone(cr), sr...), 20); err != nil || !bytes.Equal(got, want) {
		t.Errorf("without context (context ignored): %x, %v; want %x", got, err, want)
	}
	// No context and an empty context differ (RFC 5705, Section 4).
	none, _ := ExportKeyingMaterial(crypto.SHA256, master, cr, sr, "EXPORTER-ref", nil, false, 20)
	empty, _ := ExportKeyingMaterial(crypto.SHA256, master, cr, sr, "EXPORTER-ref", nil, true, 20)
	if bytes.Equal(none, empty) {
		t.Error("no context and empty context give the same output")
	}
}

func TestExportKeyingMaterialRejects(t *testing.T) {
	master, cr, sr := rpKey(7, 48), rpKey(1, 32), rpKey(2, 32)
	for _, label := range []string{"client finished", "server finished", "master secret", "key expansion", "extended master secret"} {
		out, err := ExportKeyingMaterial(crypto.SHA256, master, cr, sr, label, nil, false, 32)
		if err != ErrBadExporterLabel || out != nil {
			t.Errorf("label %q: %x, %v", label, out, err)
		}
	}
	// Labels that merely resemble reserved ones are allowed.
	for _, label := range []string{"master secretary", "key", "Client finished", ""} {
		if _, err := ExportKeyingMaterial(crypto.SHA256, master, cr, sr, label, nil, false, 32); err != nil {
			t.Errorf("label %q: %v", label, err)
		}
	}
	maxCtx := make([]byte, 0xffff)
	if out, err := ExportKeyingMaterial(crypto.SHA256, master, cr, sr, "EXPORTER-x", maxCtx, true, 16); err != nil || len(out) != 16 {
		t.Errorf("context of 2^16-1 bytes: %v", err)
	}
	// The context length prefix is the 2-byte length.
	seed := append(append(bytes.Clone(cr), sr...), binary.BigEndian.AppendUint16(nil, 0xffff)...)
	got, _ := ExportKeyingMaterial(crypto.SHA256, master, cr, sr, "EXPORTER-x", maxCtx, true, 16)
	if want := refPRF(crypto.SHA256, master, "EXPORTER-x", append(seed, maxCtx...), 16); !bytes.Equal(got, want) {
		t.Errorf("context of 2^16-1 bytes: %x, want %x", got, want)
	}
	if _, err := ExportKeyingMaterial(crypto.SHA256, master, cr, sr, "EXPORTER-x", make([]byte, 0x10000), true, 16); err != ErrBadExporterLength {
		t.Errorf("context of 2^16 bytes: %v", err)
	}
	if _, err := ExportKeyingMaterial(crypto.SHA256, master, cr, sr, "EXPORTER-x", nil, false, -1); err != ErrBadExporterLength {
		t.Errorf("negative length: %v", err)
	}
}
