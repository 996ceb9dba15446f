package main

import (
	"errors"
	"slices"
	"testing"
)

func TestParseFlagsPrefixes(t *testing.T) {
	p, err := parseFlags([]string{
		"-port", "4433", "-shim-id", "18446744073709551615", "-ipv6",
		"-server",
		"-on-resume-expect-session-miss",
		"-on-initial-host-name", "first.example",
		"-on-shim-select-alpn", "foo",
		"-on-handshaker-advertise-npn", "\x03bar", // handshaker only: skipped
		"-on-retry-dtls", // 0-RTT retry only: never used
		"-curves", "29", "-curves", "23",
	})
	if err != nil {
		t.Fatal(err)
	}
	in, re := p.initial, p.resume
	if in.port != 4433 || in.shimID != 1<<64-1 || !in.ipv6 || !in.server || !re.server {
		t.Errorf("transport flags: %+v", in)
	}
	if in.expectSessionMiss || !re.expectSessionMiss {
		t.Errorf("-on-resume- applied to the wrong connection: initial %v resume %v", in.expectSessionMiss, re.expectSessionMiss)
	}
	if in.hostName != "first.example" || re.hostName != "" {
		t.Errorf("-on-initial-: initial %q resume %q", in.hostName, re.hostName)
	}
	if in.selectALPN != "foo" || re.selectALPN != "foo" {
		t.Errorf("-on-shim- not applied: %q %q", in.selectALPN, re.selectALPN)
	}
	if len(in.unimplemented) != 0 || len(re.unimplemented) != 0 {
		t.Errorf("handshaker/retry flags leaked: %v %v", in.unimplemented, re.unimplemented)
	}
	if !slices.Equal(in.curves, []uint16{29, 23}) {
		t.Errorf("curves = %v", in.curves)
	}
}

func TestParseFlagsCredentials(t *testing.T) {
	p, err := parseFlags([]string{
		"-cert-file", "default.pem", "-key-file", "default.key", "-signing-prefs", "1027",
		"-new-x509-credential", "-cert-file", "a.pem", "-key-file", "a.key",
		"-new-x509-credential", "-cert-file", "b.pem", "-signing-prefs", "2052", "-ocsp-response", "AQI=",
		"-expect-selected-credential", "1",
	})
	if err != nil {
		t.Fatal(err)
	}
	o := p.initial
	if o.defaultCred.certFile != "default.pem" || !slices.Equal(o.defaultCred.signingPrefs, []uint16{1027}) {
		t.Errorf("default credential = %+v", o.defaultCred)
	}
	if len(o.creds) != 2 || o.creds[0].certFile != "a.pem" || o.creds[1].certFile != "b.pem" {
		t.Fatalf("credentials = %+v", o.creds)
	}
	if !slices.Equal(o.creds[1].signingPrefs, []uint16{2052}) || string(o.creds[1].ocspResponse) != "\x01\x02" {
		t.Errorf("credential 1 = %+v", o.creds[1])
	}
	if o.expectSelectedCredential != 1 {
		t.Errorf("expectSelectedCredential = %d", o.expectSelectedCredential)
	}
	if newOptions().expectSelectedCredential != -2 {
		t.Error("expectSelectedCredential must default to 'unset'")
	}
}

func TestParseFlagsValues(t *testing.T) {
	p, err := parseFlags([]string{
		"-advertise-alpn", "\x03foo\x05hello",
		"-expect-advertised-alpn", "\x01a",
		"-export-keying-material", "32", "-export-label", "label", "-use-export-context",
		"-expect-certificate-types", "QA==",
		"-check-close-notify", "-shim-shuts-down", "-async", "-implicit-handshake",
	})
	if err != nil {
		t.Fatal(err)
	}
	o := p.initial
	if !slices.Equal(o.advertiseALPN, []string{"foo", "hello"}) || !o.hasAdvertiseALPN {
		t.Errorf("advertiseALPN = %q", o.advertiseALPN)
	}
	if !slices.Equal(o.expectAdvertisedALPN, []string{"a"}) {
		t.Errorf("expectAdvertisedALPN = %q", o.expectAdvertisedALPN)
	}
	if o.exportKeyingMaterial != 32 || o.exportLabel != "label" || !o.useExportContext {
		t.Errorf("exporter flags: %d %q %v", o.exportKeyingMaterial, o.exportLabel, o.useExportContext)
	}
	if string(o.expectCertificateTypes) != "\x40" || !o.hasExpectCertTypes {
		t.Errorf("expectCertificateTypes = %x", o.expectCertificateTypes)
	}
	if !o.checkCloseNotify || !o.shimShutsDown || !o.async || !o.implicitHandshake {
		t.Errorf("bool flags not set: %+v", o)
	}
}

func TestParseFlagsUnimplemented(t *testing.T) {
	p, err := parseFlags([]string{"-dtls", "-on-resume-enable-channel-id", "-advertise-npn", "\x03foo"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"-dtls", "-advertise-npn"}; !slices.Equal(p.initial.unimplemented, want) {
		t.Errorf("initial unimplemented = %v, want %v", p.initial.unimplemented, want)
	}
	if want := []string{"-dtls", "-enable-channel-id", "-advertise-npn"}; !slices.Equal(p.resume.unimplemented, want) {
		t.Errorf("resume unimplemented = %v, want %v", p.resume.unimplemented, want)
	}
}

func TestParseFlagsErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-no-such-flag"},
		{"-on-resume-no-such-flag"},
		{"-port"},
		{"-port", "eighty"},
		{"-curves", "70000"},
		{"-ocsp-response", "!!"},
		{"-advertise-alpn", "\x05ab"},
		{"-advertise-alpn", "\x00"},
	} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("parseFlags(%q) succeeded", args)
		}
	}
	_, err := parseFlags([]string{"-bogus"})
	if !errors.Is(err, errUnknownFlag) {
		t.Errorf("unknown flag error = %v, want errUnknownFlag", err)
	}
}

func TestParseFlagsHandshaker(t *testing.T) {
	p, err := parseFlags([]string{"-is-handshaker-supported"})
	if err != nil || !p.handshakerSupported {
		t.Fatalf("parseFlags = %+v, %v", p, err)
	}
}

// TestFlagTableKinds spot-checks that flags take a value exactly when
// BoringSSL's test_config.cc says so; a mismatch would shift every later
// argument.
func TestFlagTableKinds(t *testing.T) {
	for name, param := range map[string]bool{
		"-server": false, "-async": false, "-dtls": false, "-new-x509-credential": false,
		"-expect-no-hrr": false, "-verify-fail": false, "-use-export-context": false,
		"-port": true, "-cipher": true, "-curves": true, "-advertise-npn": true,
		"-ocsp-response": true, "-write-settings": true, "-expect-selected-credential": true,
		"-ticket-key": true, "-mtu": true,
	} {
		spec, ok := flagTable[name]
		if !ok {
			t.Errorf("%s missing from flagTable", name)
			continue
		}
		if spec.param != param {
			t.Errorf("%s: param = %v, want %v", name, spec.param, param)
		}
	}
}
