package machine_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// recordLengths returns the length field of every record in wire.
func recordLengths(t *testing.T, wire []byte) (lens []int, types []messages.ContentType) {
	t.Helper()
	for len(wire) > 0 {
		h, ok := messages.ParseRecordHeader(wire)
		if !ok || len(wire) < messages.RecordHeaderLen+int(h.Length) {
			t.Fatalf("truncated record stream")
		}
		lens = append(lens, int(h.Length))
		types = append(types, h.Type)
		wire = wire[messages.RecordHeaderLen+int(h.Length):]
	}
	return lens, types
}

// TestMaxSendFragment checks that Config.MaxSendFragment bounds every record
// a side sends, handshake (the server's certificate chain, in the clear) and
// application data (sealed: plaintext plus AEAD overhead), and that the data
// arrives whole.
func TestMaxSendFragment(t *testing.T) {
	ccfg := clientConfig(t, "frag")
	scfg := serverConfig(t, "frag", getPKI(t).rsa)
	scfg.MaxSendFragment = 512
	pr := newPair(t, ccfg, scfg)
	pr.handshake()
	data := bytes.Repeat([]byte("0123456789abcdef"), 200) // 3200 bytes
	pr.write(pr.server, data)
	pr.run()
	if !bytes.Equal(pr.client.received, data) {
		t.Fatalf("client received %d bytes, want %d", len(pr.client.received), len(data))
	}
	lens, types := recordLengths(t, pr.server.wire)
	sawHandshake, sawFullData := false, false
	for i, n := range lens {
		switch types[i] {
		case messages.ContentTypeHandshake:
			if n > 512 && i < 3 { // the plaintext flight
				t.Errorf("handshake record %d has %d bytes, want at most 512", i, n)
			}
			sawHandshake = sawHandshake || n == 512
		case messages.ContentTypeApplicationData:
			// AES-GCM: 8-byte explicit nonce and 16-byte tag.
			if n > 512+24 {
				t.Errorf("application data record %d has %d bytes, want at most %d", i, n, 512+24)
			}
			sawFullData = sawFullData || n == 512+24
		}
	}
	if !sawHandshake || !sawFullData {
		t.Errorf("no record reached the limit (handshake %v, data %v): the limit is not what cut them", sawHandshake, sawFullData)
	}
	for _, bad := range []int{1, 511, 1<<14 + 1} {
		cfg := serverConfig(t, "frag")
		cfg.MaxSendFragment = bad
		if _, err := machine.Server(cfg); err == nil {
			t.Errorf("MaxSendFragment %d accepted", bad)
		}
	}
}

// TestGetOCSPStaple checks the server's OCSP callback: its answer is
// stapled instead of the certificate's, nil staples nothing, and an error
// aborts with internal_error.
func TestGetOCSPStaple(t *testing.T) {
	p := getPKI(t)
	cert := p.ecdsa
	cert.OCSPStaple = []byte("static")
	for _, tc := range []struct {
		name   string
		answer []byte
		err    error
	}{{"dynamic", []byte("dynamic"), nil}, {"none", nil, nil}, {"fail", nil, errors.New("responder down")}} {
		t.Run(tc.name, func(t *testing.T) {
			var gotCert *machine.Certificate
			var gotName string
			scfg := serverConfig(t, "ocsp", cert)
			scfg.GetOCSPStaple = func(c *machine.Certificate, name string) ([]byte, error) {
				gotCert, gotName = c, name
				return tc.answer, tc.err
			}
			pr := newPair(t, clientConfig(t, "ocsp"), scfg)
			pr.run()
			if gotCert == nil || !bytes.Equal(gotCert.Chain[0], cert.Chain[0]) || gotName != "example.com" {
				t.Fatalf("callback saw %v, %q", gotCert, gotName)
			}
			if tc.err != nil {
				var ae *machine.AlertError
				if !errors.As(pr.server.err, &ae) || ae.Alert != messages.AlertInternalError || ae.Reason != "ocsp_callback" {
					t.Fatalf("server error %v, want internal_error (ocsp_callback)", pr.server.err)
				}
				if !errors.As(pr.client.err, &ae) || !ae.Remote || ae.Alert != messages.AlertInternalError {
					t.Fatalf("client error %v, want the server's internal_error", pr.client.err)
				}
				return
			}
			if pr.client.err != nil || pr.server.err != nil {
				t.Fatalf("handshake failed: %v / %v", pr.client.err, pr.server.err)
			}
			if got := pr.client.conn.State().OCSPResponse; !bytes.Equal(got, tc.answer) {
				t.Errorf("client got staple %q, want %q", got, tc.answer)
			}
		})
	}
}

// TestAbort checks that Abort sends the chosen fatal alert, makes the
// connection fail with it, and that the peer sees it.
func TestAbort(t *testing.T) {
	pr := newPair(t, clientConfig(t, "abort"), serverConfig(t, "abort"))
	pr.handshake()
	out := pr.client.conn.Abort(nil, messages.AlertDecompressionFailure)
	if len(out) == 0 {
		t.Fatal("Abort produced no alert")
	}
	pr.send(pr.client, out)
	var ae *machine.AlertError
	if err := pr.client.conn.Err(); !errors.As(err, &ae) || ae.Remote || ae.Alert != messages.AlertDecompressionFailure || ae.Reason != "local_abort" {
		t.Fatalf("client Err() = %v, want a local decompression_failure (local_abort)", err)
	}
	if _, err := pr.client.conn.Send(nil, []byte("x")); err == nil {
		t.Error("Send works after Abort")
	}
	if again := pr.client.conn.Abort(nil, messages.AlertInternalError); len(again) != 0 {
		t.Error("a second Abort sent another alert")
	}
	pr.run()
	if !errors.As(pr.server.err, &ae) || !ae.Remote || ae.Alert != messages.AlertDecompressionFailure {
		t.Fatalf("server error %v, want the client's decompression_failure", pr.server.err)
	}
}
