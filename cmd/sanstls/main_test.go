package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		args    []string
		code    int
		wantOut string
		wantErr string
	}{
		{nil, 2, "", "usage: sanstls"},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{[]string{"help"}, 0, "commands:", ""},
		{[]string{"--help"}, 0, "commands:", ""},
		{[]string{"demo", "-h"}, 0, "", "-seed"},
		{[]string{"demo", "--nosuch"}, 2, "", "flag provided but not defined"},
		{[]string{"demo", "-suite", "RC4-MD5"}, 2, "", "unknown or unsupported cipher suite"},
		{[]string{"demo", "-key", "dsa"}, 1, "", "unknown key type"},
		{[]string{"demo", "--seed", "4"}, 0, "15. close_notify", ""},
		{[]string{"server", "-echo", "-www"}, 2, "", "exclude each other"},
		{[]string{"server", "-client-auth", "maybe"}, 2, "", "unknown -client-auth"},
		{[]string{"server", "-client-auth", "verify"}, 2, "", "needs -client-ca"},
		{[]string{"server", "-cert", "x.pem"}, 1, "", "-cert but 0 -key"},
		{[]string{"server", "-groups", "X448"}, 2, "", "unsupported group"},
		{[]string{"client", "-suites", "NULL-MD5"}, 2, "", "unknown or unsupported cipher suite"},
		{[]string{"client", "-h"}, 0, "", "-connect"},
		{[]string{"server", "-renegotiation", "sometimes"}, 2, "", "unknown -renegotiation"},
		{[]string{"server", "-renegotiation", "initiate-after=x"}, 2, "", "want a byte count"},
		{[]string{"server", "-no-tickets", "-ticket-key-file", "k"}, 2, "", "exclude each other"},
		{[]string{"server", "-ocsp", "a.der", "-ocsp", "b.der"}, 2, "", "2 -ocsp files for 1 certificates"},
		{[]string{"server", "-sigalgs", "RSA+SHA1"}, 2, "", "unsupported signature scheme"},
		{[]string{"server", "-suites", "LEGACY,NULL-SHA"}, 2, "", "unknown or unsupported cipher suite"},
		{[]string{"client", "-renegotiation", "initiate-after=1"}, 2, "", "want never or accept"},
		{[]string{"client", "-reconnect", "-1"}, 2, "", "-reconnect must not be negative"},
		{[]string{"client", "-sess-in", "/nonexistent/sess.pem"}, 1, "", "no such file"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		code := run(context.Background(), tt.args, strings.NewReader(""), &out, &errOut, noEnv)
		if code != tt.code || !strings.Contains(out.String(), tt.wantOut) || !strings.Contains(errOut.String(), tt.wantErr) {
			t.Errorf("run(%q) = %d, stdout %q, stderr %q; want %d, %q, %q",
				tt.args, code, tail(out.String()), errOut.String(), tt.code, tt.wantOut, tt.wantErr)
		}
	}
}

func tail(s string) string {
	if len(s) > 200 {
		return "..." + s[len(s)-200:]
	}
	return s
}
