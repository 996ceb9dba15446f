package wasm

import (
	"errors"
	"math"
)

// MaxHandles caps the connections that may exist at once in one module.
const MaxHandles = 4096

var (
	errBadHandle   = errors.New("wasm: unknown or destroyed handle")
	errHandleLimit = errors.New("wasm: MaxHandles connections already exist; destroy some")
)

// handles maps the int32 handles given to the host to their sessions.
//
// Handles are positive and are not reused until the counter wraps around at
// math.MaxInt32, so a host that uses a handle after destroying it gets
// CodeBadHandle rather than another connection.
type handles struct {
	m    map[int32]*session
	last int32 // the most recently issued handle
}

// add stores s under a new handle.
func (t *handles) add(s *session) (int32, error) {
	if len(t.m) >= MaxHandles {
		return 0, errHandleLimit
	}
	if t.m == nil {
		t.m = make(map[int32]*session)
	}
	// At most MaxHandles numbers are taken, so this ends within
	// MaxHandles+1 steps.
	for {
		if t.last == math.MaxInt32 {
			t.last = 0
		}
		t.last++
		if _, taken := t.m[t.last]; !taken {
			t.m[t.last] = s
			return t.last, nil
		}
	}
}

// get returns the session of h.
func (t *handles) get(h int32) (*session, error) {
	s, ok := t.m[h]
	if !ok {
		return nil, errBadHandle
	}
	return s, nil
}

// remove forgets h.
func (t *handles) remove(h int32) error {
	if _, ok := t.m[h]; !ok {
		return errBadHandle
	}
	delete(t.m, h)
	return nil
}
