package netconn

import (
	"bytes"
	"crypto/tls"
	"net"
	"slices"
	"testing"
	"time"
)

// captureClientHello returns the first flight of a crypto/tls client: one
// handshake record holding its ClientHello.
func captureClientHello(t testing.TB, cfg *tls.Config) []byte {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	go tls.Client(a, cfg).Handshake()
	b.SetReadDeadline(time.Now().Add(time.Minute))
	buf := make([]byte, 1<<16)
	n, err := b.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf[:n]
}

// fragment splits a single handshake record into records of at most size
// bytes of payload (RFC 5246, Section 6.2.1 allows any fragmentation).
func fragment(rec []byte, size int) []byte {
	var out []byte
	payload := rec[5:]
	for len(payload) > 0 {
		n := min(size, len(payload))
		out = append(out, rec[0], rec[1], rec[2], byte(n>>8), byte(n))
		out = append(out, payload[:n]...)
		payload = payload[n:]
	}
	return out
}

func TestPeekClientHelloFragmented(t *testing.T) {
	rec := captureClientHello(t, &tls.Config{ServerName: "frag.test", NextProtos: []string{"h2"}, MaxVersion: tls.VersionTLS12})
	for _, size := range []int{1, 3, 7, 100, 1 << 14} {
		flight := fragment(rec, size)
		// Every strict prefix asks for more; the whole yields the body.
		for cut := 0; cut < len(flight); cut += max(1, len(flight)/50) {
			body, need, bad := peekClientHello(flight[:cut])
			if body != nil || bad || need < 1 {
				t.Fatalf("size %d, prefix %d: body %v bad %v need %d", size, cut, body != nil, bad, need)
			}
		}
		body, _, bad := peekClientHello(flight)
		if body == nil || bad {
			t.Fatalf("size %d: whole flight not recognised", size)
		}
		info, ok := parseHelloInfo(body)
		if !ok || info.ServerName != "frag.test" || !slices.Equal(info.SupportedProtos, []string{"h2"}) {
			t.Fatalf("size %d: parsed %+v, %v", size, info, ok)
		}
	}
	// Not a handshake record, or not a ClientHello: left to the machine.
	if _, _, bad := peekClientHello([]byte("GET / HTTP/1.1\r\n")); !bad {
		t.Error("an HTTP request was not flagged")
	}
	notHello := bytes.Clone(rec)
	notHello[5] = 2 // ServerHello
	if _, _, bad := peekClientHello(notHello); !bad {
		t.Error("a ServerHello was not flagged")
	}
}

func FuzzParseHelloInfo(f *testing.F) {
	rec := captureClientHello(f, &tls.Config{ServerName: "fuzz.test", NextProtos: []string{"h2", "http/1.1"}})
	body, _, _ := peekClientHello(rec)
	f.Add(body)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		info, ok := parseHelloInfo(b)
		if ok && info == nil {
			t.Fatal("ok without info")
		}
	})
}

func FuzzPeekClientHello(f *testing.F) {
	rec := captureClientHello(f, &tls.Config{ServerName: "fuzz.test"})
	f.Add(rec)
	f.Add(fragment(rec, 5))
	f.Fuzz(func(t *testing.T, b []byte) {
		body, need, bad := peekClientHello(b)
		if body == nil && !bad && need < 1 {
			t.Fatalf("incomplete input but need %d", need)
		}
		if body != nil {
			parseHelloInfo(body)
		}
	})
}
