package main

import (
	"bytes"
	"strings"
	"testing"
)

func runShim(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestHandshakerSupported(t *testing.T) {
	code, out, errs := runShim("-is-handshaker-supported")
	if code != exitOK || out != "No\n" || errs != "" {
		t.Errorf("run = %d, stdout %q, stderr %q; want 0, \"No\\n\", \"\"", code, out, errs)
	}
}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{
		// Unknown flags are failures, so new upstream flags get noticed.
		{[]string{"-port", "1", "-no-such-flag"}, exitFailure},
		{[]string{"-port"}, exitFailure},
		// Known flags for features sanstls lacks are "unimplemented".
		// These exit before dialing, so port 1 is never contacted.
		{[]string{"-port", "1", "-dtls"}, exitUnimplemented},
		{[]string{"-port", "1", "-select-next-proto", "foo"}, exitUnimplemented},
		{[]string{"-port", "1", "-max-version", "770"}, exitUnimplemented},
		{[]string{"-port", "1", "-min-version", "772"}, exitUnimplemented},
		{[]string{"-port", "1", "-no-tls12"}, exitUnimplemented},
		{[]string{"-port", "1", "-expect-version", "772"}, exitUnimplemented},
		{[]string{"-port", "1", "-curves", "30"}, exitUnimplemented},
		{[]string{"-port", "1", "-cipher", "3DES"}, exitUnimplemented},
		{[]string{"-port", "1", "-quic"}, exitUnimplemented},
		{[]string{"-port", "1", "-advertise-npn", "\x03foo"}, exitUnimplemented},
		{[]string{"-port", "1", "-server", "-enable-channel-id"}, exitUnimplemented},
		// A malformed cipher string is a plain failure.
		{[]string{"-port", "1", "-cipher", "BOGUS"}, exitFailure},
	} {
		code, _, errs := runShim(tc.args...)
		if code != tc.want {
			t.Errorf("run(%q) = %d, want %d (stderr %q)", tc.args, code, tc.want, errs)
		}
	}
}

func TestCheckVersions(t *testing.T) {
	for _, tc := range []struct {
		o  options
		ok bool
	}{
		{options{}, true},
		{options{maxVersion: versionTLS12}, true},
		{options{minVersion: versionTLS12, maxVersion: versionTLS13}, true},
		{options{noTLS13: true, noTLS1: true}, true},
		{options{expectVersion: versionTLS12}, true},
		{options{maxVersion: versionTLS11}, false},
		{options{minVersion: versionTLS13}, false},
		{options{noTLS12: true}, false},
		{options{expectVersion: versionTLS13}, false},
	} {
		err := checkVersions(&tc.o)
		if (err == nil) != tc.ok {
			t.Errorf("checkVersions(%+v) = %v, want ok=%v", tc.o, err, tc.ok)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "unimplemented:") {
			t.Errorf("checkVersions error %v is not an unimplementedError", err)
		}
	}
}
