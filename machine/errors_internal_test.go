package machine

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sanstls/sanstls/keys"
	"github.com/sanstls/sanstls/messages"
)

// TestClassify: the alert and the reason of a failure come from one
// classification, including the errors of keys that reach fail unwrapped.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err    error
		alert  Alert
		reason string
	}{
		{keys.ErrInvalidPeerKey, messages.AlertIllegalParameter, "bad_peer_key"},
		{fmt.Errorf("share: %w", keys.ErrInvalidPeerKey), messages.AlertIllegalParameter, "bad_peer_key"},
		{keys.ErrBadSignature, messages.AlertDecryptError, "bad_signature"},
		{keys.ErrBadRecordMAC, messages.AlertBadRecordMAC, "bad_record_mac"},
		{wrapf(errFinishedMismatch, "x"), errFinishedMismatch.alert, "finished_mismatch"},
		{errors.New("x"), messages.AlertInternalError, "internal"},
	} {
		alert, reason := classify(tc.err)
		if alert != tc.alert || reason != tc.reason {
			t.Errorf("classify(%v) = %v, %q; want %v, %q", tc.err, alert, reason, tc.alert, tc.reason)
		}
		if alertFor(tc.err) != alert || ReasonOf(tc.err) != reason {
			t.Errorf("%v: alertFor/ReasonOf disagree with classify", tc.err)
		}
	}
}
