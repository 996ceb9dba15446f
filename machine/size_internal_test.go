package machine

import (
	"testing"
	"unsafe"
)

// TestConnSize keeps an idle connection lean: a Conn of at most 760 bytes
// is a 768-byte heap object with its allocation header (the next size class
// is 896). A new field that does not fit belongs behind a pointer that only
// the handshake or feature needing it allocates, or in
// the per-handshake state.
func TestConnSize(t *testing.T) {
	if n := unsafe.Sizeof(Conn{}); n > 760 {
		t.Errorf("Conn is %d bytes, want at most 760 (see docs/design.md, What a connection costs)", n)
	}
}
