package machine_test

import (
	"bytes"
	"testing"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// helloOf returns the ClientHello a client with cfg sends.
func helloOf(t *testing.T, cfg *machine.Config) (*messages.ClientHello, []byte) {
	t.Helper()
	var raw []byte
	cfg.Trace = func(sent bool, typ machine.ContentType, body []byte) {
		if sent && typ == messages.ContentTypeHandshake && raw == nil {
			raw = bytes.Clone(body)
		}
	}
	c, err := machine.Client(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(nil); err != nil {
		t.Fatal(err)
	}
	msg, err := messages.Parse(bytes.Clone(raw))
	if err != nil {
		t.Fatal(err)
	}
	return msg.(*messages.ClientHello), raw
}

// TestGREASE: with EnableGREASE the ClientHello carries GREASE values
// (RFC 8701) in cipher_suites, supported_groups, signature_algorithms and
// two distinct extensions, chosen from Config.Rand (same seed, same bytes);
// without it there are none; and a server handshakes through them.
func TestGREASE(t *testing.T) {
	cfg := clientConfig(t, "grease")
	cfg.EnableGREASE = true
	ch, raw := helloOf(t, cfg)
	if !messages.IsGREASE(ch.CipherSuites[0]) || !messages.IsGREASE(uint16(ch.SupportedGroups[0])) || !messages.IsGREASE(uint16(ch.SignatureAlgorithms[0])) {
		t.Errorf("no GREASE first: suites %x, groups %v, schemes %v", ch.CipherSuites, ch.SupportedGroups, ch.SignatureAlgorithms)
	}
	var exts []messages.ExtensionType
	for _, e := range ch.Unknown {
		if messages.IsGREASE(uint16(e.Type)) {
			exts = append(exts, e.Type)
		}
	}
	if len(exts) != 2 || exts[0] == exts[1] {
		t.Errorf("GREASE extensions %v, want two distinct", exts)
	}
	cfg2 := clientConfig(t, "grease")
	cfg2.EnableGREASE = true
	if _, raw2 := helloOf(t, cfg2); !bytes.Equal(raw, raw2) {
		t.Error("the same Rand seed gave different GREASE ClientHellos")
	}

	plain, _ := helloOf(t, clientConfig(t, "grease"))
	for _, s := range plain.CipherSuites {
		if messages.IsGREASE(s) {
			t.Errorf("GREASE suite %#x without EnableGREASE", s)
		}
	}
	for _, g := range plain.SupportedGroups {
		if messages.IsGREASE(uint16(g)) {
			t.Errorf("GREASE group %v without EnableGREASE", g)
		}
	}
	if len(plain.Unknown) != 0 {
		t.Errorf("extensions %v without EnableGREASE", plain.Unknown)
	}

	ccfg := clientConfig(t, "grease-pair")
	ccfg.EnableGREASE = true
	pr := newPair(t, ccfg, serverConfig(t, "grease-pair"))
	pr.handshake()
	if st := pr.client.conn.State(); messages.IsGREASE(st.CipherSuite) || messages.IsGREASE(uint16(st.Group)) {
		t.Errorf("GREASE negotiated: suite %#x, group %v", st.CipherSuite, st.Group)
	}
}
