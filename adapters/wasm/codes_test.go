package wasm

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/sanstls/sanstls/machine"
)

func TestAlertCodes(t *testing.T) {
	seen := map[int32]bool{}
	for a := 0; a < 256; a++ {
		for _, remote := range []bool{false, true} {
			code := AlertCode(machine.Alert(a), remote)
			if code >= 0 || code > CodeFailed-100 {
				t.Fatalf("AlertCode(%d, %v) = %d overlaps the other codes", a, remote, code)
			}
			if seen[code] {
				t.Fatalf("AlertCode(%d, %v) = %d twice", a, remote, code)
			}
			seen[code] = true
			got, gotRemote, ok := DecodeAlert(code)
			if !ok || got != machine.Alert(a) || gotRemote != remote {
				t.Fatalf("DecodeAlert(%d) = %d, %v, %v", code, got, gotRemote, ok)
			}
		}
	}
	// The documented host-side decoding.
	code := AlertCode(machine.AlertCertificateExpired, true)
	if -code&0xff != int32(machine.AlertCertificateExpired) || -code&0x200 == 0 {
		t.Errorf("code %d does not decode as documented", code)
	}
	for _, code := range []int32{0, 1, CodeBadHandle, CodeFailed, -0xff, -0x300, -0x3ff, math.MinInt32, math.MaxInt32} {
		if _, _, ok := DecodeAlert(code); ok {
			t.Errorf("DecodeAlert(%d) reports an alert", code)
		}
	}
}

func TestCodeOf(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("context: %w", err) }
	for _, c := range []struct {
		err  error
		want int32
	}{
		{nil, CodeOK},
		{errBadHandle, CodeBadHandle},
		{errBadBuffer, CodeBadBuffer},
		{errBadSize, CodeBadBuffer},
		{errNotBase, CodeBadBuffer},
		{errLentLimit, CodeLimit},
		{errHandleLimit, CodeLimit},
		{machine.ErrNotReady, CodeNotReady},
		{wrap(machine.ErrClosed), CodeClosed},
		{machine.ErrWrongState, CodeWrongState},
		{machine.ErrTruncated, CodeTruncated},
		{&machine.AlertError{Alert: machine.AlertBadRecordMAC}, AlertCode(machine.AlertBadRecordMAC, false)},
		{wrap(&machine.AlertError{Alert: machine.AlertHandshakeFailure, Remote: true}), AlertCode(machine.AlertHandshakeFailure, true)},
		{errors.New("something else"), CodeFailed},
	} {
		if got := codeOf(c.err); got != c.want {
			t.Errorf("codeOf(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

func TestEventCodes(t *testing.T) {
	for _, c := range []struct {
		kind machine.EventKind
		want int32
	}{
		{machine.EventNone, EventNone},
		{machine.EventHandshakeDone, EventHandshakeDone},
		{machine.EventAppData, EventAppData},
		{machine.EventPeerClosed, EventPeerClosed},
		{machine.EventWarningAlert, EventWarningAlert},
	} {
		if got, ok := eventCode(c.kind); !ok || got != c.want {
			t.Errorf("eventCode(%v) = %d, %v; want %d", c.kind, got, ok, c.want)
		}
	}
	for _, k := range []machine.EventKind{machine.EventVerifyPeer, 200} {
		if _, ok := eventCode(k); ok {
			t.Errorf("eventCode(%v) claims an ABI value", k)
		}
	}
}
