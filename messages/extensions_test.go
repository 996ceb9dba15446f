package messages

import (
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

func TestValidHostName(t *testing.T) {
	for name, want := range map[string]bool{
		"example.com":           true,
		"xn--bcher-kva.example": true, // A-labels are ASCII
		"a":                     true,
		"under_score.example":   true,
		"":                      false,
		"exa mple.com":          false,
		"example.com\x00":       false,
		"b\xc3\xbccher.example": false, // U-labels are not
		"tab\there":             false,
		"del\x7f":               false,
	} {
		if got := validHostName(name); got != want {
			t.Errorf("validHostName(%q) = %v, want %v", name, got, want)
		}
		if got := validHostName([]byte(name)); got != want {
			t.Errorf("validHostName([]byte(%q)) = %v, want %v", name, got, want)
		}
	}
}

func TestReadExtensionsAbsent(t *testing.T) {
	p := parser{typ: HandshakeTypeClientHello}
	var s cryptobyte.String
	present := true
	called := false
	ok := readExtensions(&p, &s, &present, func(ExtensionType, cryptobyte.String) bool {
		called = true
		return true
	})
	if !ok || present || called {
		t.Errorf("no block: ok=%v present=%v called=%v", ok, present, called)
	}
}

func TestReadExtensionsVisitOrder(t *testing.T) {
	block := mustHex(t, "000e 0017 0000 1a1a 0001 ff 0000 0001 aa")
	p := parser{typ: HandshakeTypeClientHello}
	s := cryptobyte.String(block)
	var present bool
	var types []ExtensionType
	var sizes []int
	ok := readExtensions(&p, &s, &present, func(t ExtensionType, data cryptobyte.String) bool {
		types = append(types, t)
		sizes = append(sizes, len(data))
		return true
	})
	if !ok || !present || len(types) != 3 || types[0] != 23 || types[1] != 0x1a1a || types[2] != 0 ||
		sizes[0] != 0 || sizes[1] != 1 || sizes[2] != 1 {
		t.Errorf("ok=%v present=%v types=%v sizes=%v err=%v", ok, present, types, sizes, p.err)
	}
}

func TestReadExtensionsStopsOnVisitFailure(t *testing.T) {
	block := mustHex(t, "0008 0017 0000 0016 0000")
	p := parser{typ: HandshakeTypeClientHello}
	s := cryptobyte.String(block)
	var present bool
	n := 0
	ok := readExtensions(&p, &s, &present, func(ExtensionType, cryptobyte.String) bool {
		n++
		return p.illegal("rejected")
	})
	if ok || n != 1 {
		t.Errorf("ok=%v after %d visits", ok, n)
	}
	wantDecodeError(t, p.err, AlertIllegalParameter, "rejected")
}
