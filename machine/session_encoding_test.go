package machine

import (
	"bytes"
	"testing"
	"time"
)

func TestClientSessionEncoding(t *testing.T) {
	st := sessionState{suite: 0xc02f, masterSecret: bytes.Repeat([]byte{7}, 48), ems: true,
		created: time.Unix(1767225600, 0), serverName: "localhost", alpn: "h2", sigScheme: 0x0804, group: 29}
	for _, s := range []*ClientSession{
		{ticket: []byte("ticket bytes"), state: st, verified: true, scts: [][]byte{[]byte("sct one"), []byte("sct two")}},
		{sessionID: bytes.Repeat([]byte{1}, 32), state: st},
	} {
		enc, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var got ClientSession
		if err := got.UnmarshalBinary(enc); err != nil {
			t.Fatal(err)
		}
		again, _ := got.MarshalBinary()
		if !bytes.Equal(enc, again) || !bytes.Equal(got.ticket, s.ticket) || !bytes.Equal(got.sessionID, s.sessionID) ||
			!bytes.Equal(got.state.masterSecret, st.masterSecret) || got.state.suite != st.suite ||
			got.verified != s.verified || len(got.scts) != len(s.scts) {
			t.Errorf("round trip changed the session: %+v", got)
		}
		for i := range enc {
			if err := new(ClientSession).UnmarshalBinary(enc[:i]); err == nil {
				t.Errorf("truncated encoding (%d of %d bytes) accepted", i, len(enc))
			}
		}
	}
	if err := new(ClientSession).UnmarshalBinary([]byte{clientSessionEncodingVersion, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}); err == nil {
		t.Errorf("a session with neither ticket nor ID accepted")
	}
}
