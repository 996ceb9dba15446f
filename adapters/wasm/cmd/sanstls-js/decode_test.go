package main

import (
	"strings"
	"testing"

	"github.com/sanstls/sanstls/messages"
)

func TestDecode(t *testing.T) {
	ch := &messages.ClientHello{Version: messages.VersionTLS12, CipherSuites: []uint16{0xc02b}, CompressionMethods: []uint8{0},
		ServerName: "localhost", SupportedGroups: []messages.NamedGroup{messages.GroupX25519}, ExtendedMasterSecret: true}
	raw, err := ch.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	name, f := decode(messages.ContentTypeHandshake, raw)
	got := map[string]string{}
	for _, x := range f {
		got[x.Name] = x.Value
	}
	if name != "ClientHello" || got["server_name"] != "localhost" || got["supported_groups"] != "X25519" ||
		got["cipher_suites"] != "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" || got["extended_master_secret"] != "yes" {
		t.Errorf("decoded %s %v", name, got)
	}
	name, f = decode(messages.ContentTypeAlert, []byte{2, 20})
	if name != "Alert" || len(f) != 2 || !strings.HasPrefix(f[1].Value, "bad_record_mac") {
		t.Errorf("alert decoded %s %v", name, f)
	}
	if name, f = decode(messages.ContentTypeHandshake, []byte{1, 0, 0, 9, 1}); len(f) != 1 || f[0].Name != "error" {
		t.Errorf("truncated ClientHello decoded %s %v", name, f)
	}
	if name, _ = decode(messages.ContentTypeChangeCipherSpec, []byte{1}); name != "ChangeCipherSpec" {
		t.Errorf("CCS decoded as %s", name)
	}
}
