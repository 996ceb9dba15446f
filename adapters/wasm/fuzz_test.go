package wasm

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzReceive feeds arbitrary bytes, in chunks the input chooses, to a server
// handle through the ABI. Whatever the bytes, every result must be a count
// within the input or a code the ABI defines for input from a peer, and a
// local alert code must come with the alert record in the output view.
func FuzzReceive(f *testing.F) {
	pki := loadPKI(f)
	m := newTestModule()
	client := create(f, m, true, pki.client())
	m.Start(client)
	hello := bytes.Clone(m.Out(client))
	f.Add(byte(0), hello)
	f.Add(byte(5), hello)
	f.Add(byte(0), hello[:len(hello)-1])
	f.Add(byte(0), []byte{21, 3, 3, 0, 2, 1, 90, 21, 3, 3, 0, 2, 2, 40})
	f.Add(byte(1), []byte("GET / HTTP/1.1\r\n"))

	f.Fuzz(func(t *testing.T, chunk byte, data []byte) {
		m := newTestModule()
		h := create(t, m, false, pki.server())
		step := int(chunk)
		if step == 0 {
			step = len(data) + 1
		}
		var pending []byte
		for len(data) > 0 {
			c := min(step, len(data))
			pending = append(pending, data[:c]...)
			data = data[c:]
			p, n := put(t, m, pending)
			off := int32(0)
			for {
				rc := m.Receive(h, p+uintptr(off), n-off)
				out := m.Out(h)
				if rc >= 0 {
					if rc > n-off {
						t.Fatalf("consumed %d of %d", rc, n-off)
					}
					off += rc
					events := 0
					for m.NextEvent(h) != EventNone {
						events++
					}
					if rc == 0 && events == 0 {
						break
					}
					continue
				}
				alert, remote, isAlert := DecodeAlert(rc)
				switch {
				case isAlert && !remote:
					// RFC 5246, Section 7.2: a fatal alert record.
					if len(out) < 7 || !bytes.Equal(out[len(out)-7:len(out)-2], []byte{21, 3, 3, 0, 2}) ||
						out[len(out)-2] != 2 || out[len(out)-1] != byte(alert) {
						t.Fatalf("local alert %v (%s) without its record: output %x", alert, m.Text(), out)
					}
				case isAlert, rc == CodeClosed:
				default:
					t.Fatalf("receive returned %d: %s", rc, m.Text())
				}
				return
			}
			tail, err := m.Memory(p+uintptr(off), n-off)
			if err != nil {
				t.Fatal(err)
			}
			pending = bytes.Clone(tail)
			free(t, m, p)
		}
	})
}

// FuzzHostConfig checks that any config document either is rejected or
// survives a JSON round trip unchanged and yields a machine configuration
// or an error, never a panic.
func FuzzHostConfig(f *testing.F) {
	pki := loadPKI(f)
	for _, hc := range []HostConfig{pki.client(), pki.server(), {ClientAuth: "request", CipherSuites: []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}}} {
		doc, err := json.Marshal(hc)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(doc, false)
		f.Add(doc, true)
	}
	f.Add([]byte(`{"alpn":[""],"insecure_skip_verify":true}`), true)

	f.Fuzz(func(t *testing.T, doc []byte, isClient bool) {
		hc, err := parseHostConfig(doc)
		if err != nil {
			return
		}
		again, err := json.Marshal(hc)
		if err != nil {
			t.Fatal(err)
		}
		hc2, err := parseHostConfig(again)
		if err != nil || !reflect.DeepEqual(hc, hc2) {
			t.Fatalf("round trip: %+v became %+v (%v)", hc, hc2, err)
		}
		cfg, err := hc.machineConfig(isClient, bytes.NewReader(nil), nil)
		if err == nil && (cfg == nil || !reflect.DeepEqual(cfg.NextProtos, hc.ALPN) || cfg.ServerName != hc.ServerName) {
			t.Fatalf("config %+v from %+v", cfg, hc)
		}
	})
}
