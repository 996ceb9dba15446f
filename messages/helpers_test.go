package messages

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	"pgregory.net/rapid"
)

// This file holds helpers shared by the tests: the loader for the captured
// handshakes in testdata/, error assertions, rapid generators and the
// generic round-trip and fuzz properties.

// capture is one line of a testdata file: a message one peer sent.
type capture struct {
	File string // base name of the testdata file
	Line int
	Dir  string // "c2s" or "s2c"
	Name string // message name, e.g. "ClientHello"; "Alert" and "ChangeCipherSpec" are record bodies
	Data []byte
}

// loadCaptures reads every testdata/*.txt file.
func loadCaptures(tb testing.TB) []capture {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) == 0 {
		tb.Fatal("no testdata/*.txt files")
	}
	var out []capture
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			tb.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		line := 0
		for sc.Scan() {
			line++
			text := strings.TrimSpace(sc.Text())
			if text == "" || strings.HasPrefix(text, "#") {
				continue
			}
			fields := strings.Fields(text)
			if len(fields) != 3 {
				tb.Fatalf("%s:%d: want 3 fields, got %d", name, line, len(fields))
			}
			data, err := hex.DecodeString(fields[2])
			if err != nil {
				tb.Fatalf("%s:%d: %v", name, line, err)
			}
			out = append(out, capture{File: filepath.Base(name), Line: line, Dir: fields[0], Name: fields[1], Data: data})
		}
		if err := sc.Err(); err != nil {
			tb.Fatal(err)
		}
		f.Close()
	}
	return out
}

// capturesNamed returns the captures of one message name, from every file.
func capturesNamed(tb testing.TB, name string) []capture {
	tb.Helper()
	var out []capture
	for _, c := range loadCaptures(tb) {
		if c.Name == name {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		tb.Fatalf("no captured %s", name)
	}
	return out
}

// findCapture returns the nth (from 0) message called name that dir sent
// in file.
func findCapture(tb testing.TB, file, dir, name string, nth int) []byte {
	tb.Helper()
	i := 0
	for _, c := range loadCaptures(tb) {
		if c.File == file && c.Dir == dir && c.Name == name {
			if i == nth {
				return c.Data
			}
			i++
		}
	}
	tb.Fatalf("%s: no %s %s #%d", file, dir, name, nth)
	return nil
}

// mustHex decodes a hex string, ignoring spaces.
func mustHex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// wantDecodeError checks that err is a *DecodeError with the given alert
// and a What containing what.
func wantDecodeError(tb testing.TB, err error, alert AlertDescription, what string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got no error, want %s containing %q", alert, what)
	}
	var de *DecodeError
	if !errors.As(err, &de) {
		tb.Fatalf("got %T %v, want *DecodeError", err, err)
	}
	if de.Alert != alert {
		tb.Errorf("got alert %s (%v), want %s", de.Alert, err, alert)
	}
	if !strings.Contains(de.What, what) {
		tb.Errorf("got What %q, want it to contain %q", de.What, what)
	}
}

// handshake wraps body in a handshake header of type typ.
func handshake(typ HandshakeType, body []byte) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddUint8(uint8(typ))
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(body) })
	out, err := b.Bytes()
	if err != nil {
		panic(err) // test inputs are small
	}
	return out
}

// build runs f on a fresh builder and returns the bytes.
func build(f func(b *cryptobyte.Builder)) []byte {
	b := cryptobyte.NewBuilder(nil)
	f(b)
	out, err := b.Bytes()
	if err != nil {
		panic(err) // test inputs are small
	}
	return out
}

// message is the constraint of the generic helpers: T is a message struct
// and PT the pointer type implementing Message.
type message[T any] interface {
	*T
	Message
}

// checkRoundTrip is the rapid property every message satisfies:
// Unmarshal(Marshal(m)) == m, the re-encoding is identical, Parse returns
// the same message, and no strict prefix of the encoding parses.
func checkRoundTrip[T any, PT message[T]](t *testing.T, gen *rapid.Generator[T]) {
	rapid.Check(t, func(rt *rapid.T) {
		m := gen.Draw(rt, "m")
		b, err := PT(&m).Marshal()
		if err != nil {
			rt.Fatalf("Marshal: %v", err)
		}
		var got T
		if err := PT(&got).Unmarshal(b); err != nil {
			rt.Fatalf("Unmarshal(Marshal(m)): %v\n%x", err, b)
		}
		if !reflect.DeepEqual(m, got) {
			rt.Fatalf("round trip changed the message\n got: %#v\nwant: %#v", got, m)
		}
		b2, err := PT(&got).Marshal()
		if err != nil || !bytes.Equal(b, b2) {
			rt.Fatalf("re-encoding differs (%v)\n got: %x\nwant: %x", err, b2, b)
		}
		parsed, err := Parse(b)
		if err != nil {
			rt.Fatalf("Parse: %v", err)
		}
		if !reflect.DeepEqual(parsed, PT(&m)) {
			rt.Fatalf("Parse returned %#v, want %#v", parsed, PT(&m))
		}
		for i := 0; i < len(b); i++ {
			var prefix T
			err := PT(&prefix).Unmarshal(b[:i])
			var de *DecodeError
			if !errors.As(err, &de) || de.Alert != AlertDecodeError {
				rt.Fatalf("prefix of %d/%d bytes: got %v, want a decode_error", i, len(b), err)
			}
		}
	})
}

// fuzzCanonical seeds f with the captured messages of type typ and checks
// that Unmarshal never panics, fails only with a *DecodeError, and that
// whatever it accepts re-encodes to the same bytes.
func fuzzCanonical[T any, PT message[T]](f *testing.F, name string) {
	for _, c := range capturesNamed(f, name) {
		f.Add(c.Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m T
		if err := PT(&m).Unmarshal(data); err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is a %T, not *DecodeError", err, err)
			}
			return
		}
		out, err := PT(&m).Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed message: %v", err)
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("re-encoding differs\n got: %x\nwant: %x", out, data)
		}
	})
}

// genOpaque generates byte strings of min to max bytes, nil when empty (as
// Unmarshal returns them).
func genOpaque(min, max int) *rapid.Generator[[]byte] {
	return rapid.Map(rapid.SliceOfN(rapid.Byte(), min, max), func(b []byte) []byte {
		return nilIfEmpty(b)
	})
}

// genU16s generates lists of min to max 16-bit values of type T.
func genU16s[T ~uint16](min, max int) *rapid.Generator[[]T] {
	return rapid.SliceOfN(rapid.Map(rapid.Uint16(), func(v uint16) T { return T(v) }), min, max)
}

// genHostName generates valid host names (printable ASCII).
func genHostName() *rapid.Generator[string] {
	return rapid.Map(rapid.SliceOfN(rapid.ByteRange(0x21, 0x7e), 1, 40), func(b []byte) string {
		return string(b)
	})
}

// genProtocolNames generates ALPN protocol name lists.
func genProtocolNames() *rapid.Generator[[]string] {
	return rapid.SliceOfN(rapid.Map(genOpaque(1, 12), func(b []byte) string { return string(b) }), 1, 4)
}

// genUnknownExtensions generates raw extensions with distinct types that
// known does not claim.
func genUnknownExtensions(known func(ExtensionType) bool) *rapid.Generator[[]Extension] {
	typ := rapid.Map(rapid.Uint16(), func(v uint16) ExtensionType { return ExtensionType(v) }).
		Filter(func(t ExtensionType) bool { return !known(t) })
	ext := rapid.Custom(func(t *rapid.T) Extension {
		return Extension{Type: typ.Draw(t, "type"), Data: genOpaque(0, 16).Draw(t, "data")}
	})
	return rapid.SliceOfNDistinct(ext, 0, 4, func(e Extension) ExtensionType { return e.Type })
}

// orderFor draws a wire order for the set extensions present (in the fixed
// order) and the unknown ones, and returns it together with unknown
// rearranged to match it.
func orderFor(t *rapid.T, present []ExtensionType, unknown []Extension) ([]ExtensionType, []Extension) {
	all := append(append([]ExtensionType{}, present...), typesOf(unknown)...)
	order := rapid.Permutation(all).Draw(t, "order")
	byType := make(map[ExtensionType]Extension, len(unknown))
	for _, e := range unknown {
		byType[e.Type] = e
	}
	var reordered []Extension
	for _, typ := range order {
		if e, ok := byType[typ]; ok {
			reordered = append(reordered, e)
		}
	}
	return append([]ExtensionType{}, order...), reordered
}

// typesOf returns the types of exts.
func typesOf(exts []Extension) []ExtensionType {
	var out []ExtensionType
	for _, e := range exts {
		out = append(out, e.Type)
	}
	return out
}
