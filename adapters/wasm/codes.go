package wasm

import (
	"errors"

	"github.com/sanstls/sanstls/machine"
)

// Status codes. Every exported function that can fail returns an int32 that
// is negative on failure; the text register (sanstls_text_ptr,
// sanstls_text_len) then holds the error message. The values are part of
// the ABI and never change.
const (
	// CodeOK is success for functions that return no count or handle.
	CodeOK int32 = 0
	// CodeBadHandle: the handle is unknown or was destroyed.
	CodeBadHandle int32 = -1
	// CodeBadBuffer: a pointer and length do not lie inside one buffer
	// from sanstls_alloc, or sanstls_free got a pointer it did not lend.
	CodeBadBuffer int32 = -2
	// CodeBadConfig: the config JSON is malformed or was rejected.
	CodeBadConfig int32 = -3
	// CodeNotReady: send before the handshake completed
	// ([machine.ErrNotReady]). The connection is still usable.
	CodeNotReady int32 = -4
	// CodeClosed: send after close, or receive after the peer's
	// close_notify ([machine.ErrClosed]).
	CodeClosed int32 = -5
	// CodeWrongState: a call that makes no sense now, such as start on a
	// server or twice ([machine.ErrWrongState]). The connection is still
	// usable.
	CodeWrongState int32 = -6
	// CodeTruncated: the transport ended without close_notify
	// ([machine.ErrTruncated]). Fatal.
	CodeTruncated int32 = -7
	// CodeLimit: a module limit (MaxBufferSize, MaxLentBytes, MaxHandles)
	// would be exceeded.
	CodeLimit int32 = -8
	// CodeFailed: any other failure; the text register says what.
	CodeFailed int32 = -9
)

// Alert codes report a fatal TLS alert: -(0x100 | alert) when this side sent
// it (the alert record is in the output view: send it, then stop), and
// -(0x200 | alert) when the peer sent it. A host decodes them as
//
//	alert  = -code & 0xff
//	remote = (-code & 0x200) != 0
//
// The connection is dead: every later call on it returns the same code.
const (
	alertCodeLocal  = 0x100
	alertCodeRemote = 0x200
)

// AlertCode returns the status code that reports alert, sent by this side
// (remote false) or by the peer (remote true).
func AlertCode(alert machine.Alert, remote bool) int32 {
	if remote {
		return -(alertCodeRemote | int32(alert))
	}
	return -(alertCodeLocal | int32(alert))
}

// DecodeAlert is the inverse of AlertCode: ok is false when code does not
// report an alert.
func DecodeAlert(code int32) (alert machine.Alert, remote, ok bool) {
	v := -int64(code)
	switch v &^ 0xff {
	case alertCodeLocal:
		return machine.Alert(v & 0xff), false, true
	case alertCodeRemote:
		return machine.Alert(v & 0xff), true, true
	}
	return 0, false, false
}

// codeOf maps an error to its status code. Errors the adapter makes itself
// come first; the machine's sentinels follow, and a fatal *AlertError
// becomes an alert code.
func codeOf(err error) int32 {
	var ae *machine.AlertError
	switch {
	case err == nil:
		return CodeOK
	case errors.Is(err, errBadHandle):
		return CodeBadHandle
	case errors.Is(err, errBadBuffer), errors.Is(err, errBadSize), errors.Is(err, errNotBase):
		return CodeBadBuffer
	case errors.Is(err, errLentLimit), errors.Is(err, errHandleLimit):
		return CodeLimit
	case errors.As(err, &ae):
		return AlertCode(ae.Alert, ae.Remote)
	case errors.Is(err, machine.ErrNotReady):
		return CodeNotReady
	case errors.Is(err, machine.ErrClosed):
		return CodeClosed
	case errors.Is(err, machine.ErrWrongState):
		return CodeWrongState
	case errors.Is(err, machine.ErrTruncated):
		return CodeTruncated
	}
	return CodeFailed
}

// Event kinds returned by sanstls_next_event. They are part of the ABI and
// never change; they do not depend on the numbering of [machine.EventKind].
const (
	// EventNone: no event is queued.
	EventNone int32 = 0
	// EventHandshakeDone: a handshake completed; sanstls_state describes it.
	EventHandshakeDone int32 = 1
	// EventAppData: application data; the event view holds it.
	EventAppData int32 = 2
	// EventPeerClosed: the peer sent close_notify. Reported once.
	EventPeerClosed int32 = 3
	// EventWarningAlert: a non-fatal alert; sanstls_event_alert names it.
	EventWarningAlert int32 = 4
)

// eventCode maps a machine event kind to its ABI value; ok is false for kinds
// this adapter does not know.
func eventCode(k machine.EventKind) (code int32, ok bool) {
	switch k {
	case machine.EventNone:
		return EventNone, true
	case machine.EventHandshakeDone:
		return EventHandshakeDone, true
	case machine.EventAppData:
		return EventAppData, true
	case machine.EventPeerClosed:
		return EventPeerClosed, true
	case machine.EventWarningAlert:
		return EventWarningAlert, true
	}
	return 0, false
}
