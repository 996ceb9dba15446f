package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/sanstls/sanstls/machine"
)

func TestList(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"list"}, nil, &out, &errOut, noEnv); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	s := out.String()
	suites := machine.SupportedCipherSuites()
	if len(suites) < 6 {
		t.Fatalf("machine lists %d suites", len(suites))
	}
	for _, cs := range suites {
		line := fmt.Sprintf("0x%04x  %-46s %s", cs.ID, cs.Name, cs.OpenSSLName)
		if !strings.Contains(s, line) {
			t.Errorf("list lacks %q", line)
		}
	}
	// The defaults come in the server's preference order.
	last := -1
	for _, id := range machine.DefaultCipherSuites() {
		i := strings.Index(s, machine.CipherSuiteName(id))
		if i < last {
			t.Errorf("%s listed out of the default order", machine.CipherSuiteName(id))
		}
		last = i
	}
	for _, g := range []string{"X25519    x25519", "P-256     secp256r1", "P-384     secp384r1", "ffdhe2048 ffdhe2048", "ffdhe4096 ffdhe4096", "DEFAULT (the starred suites), ALL, LEGACY"} {
		if !strings.Contains(s, g) {
			t.Errorf("list lacks group %q", g)
		}
	}
	for _, sc := range machine.DefaultSignatureSchemes() {
		if !strings.Contains(s, fmt.Sprintf("0x%04x  %s\n", uint16(sc), sc)) {
			t.Errorf("list lacks signature scheme %v", sc)
		}
	}
	for _, bad := range []string{"sha1", "md5"} {
		if strings.Contains(s, bad) {
			t.Errorf("list mentions %s", bad)
		}
	}
	if code := run(context.Background(), []string{"list", "extra"}, nil, io.Discard, io.Discard, noEnv); code != 2 {
		t.Errorf("list with an argument: exit %d, want 2", code)
	}
}

func noEnv(string) string { return "" }
