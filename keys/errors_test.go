package keys

import (
	"errors"
	"strings"
	"testing"
)

func TestErrorsDistinct(t *testing.T) {
	errs := []error{ErrBadRecordMAC, ErrSequenceExhausted, ErrBadExporterLabel, ErrBadExporterLength,
		ErrInvalidKeyLength, ErrUnsupportedHash, ErrPlaintextTooLarge}
	for i, a := range errs {
		if !strings.HasPrefix(a.Error(), "keys: ") {
			t.Errorf("%q lacks the package prefix", a)
		}
		for j, b := range errs {
			if i != j && (errors.Is(a, b) || a.Error() == b.Error()) {
				t.Errorf("%q and %q are not distinct", a, b)
			}
		}
	}
}
