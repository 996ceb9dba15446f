package messages_test

import (
	"errors"
	"fmt"

	"github.com/sanstls/sanstls/messages"
)

// Example builds a ClientHello, encodes it, and parses it back the way a
// server would, dispatching on the message type.
func Example() {
	hello := &messages.ClientHello{
		Version:              messages.VersionTLS12,
		CipherSuites:         []uint16{0xc02f, 0x00ff}, // ECDHE-RSA-AES128-GCM-SHA256, renegotiation SCSV
		CompressionMethods:   []uint8{messages.CompressionNull},
		ServerName:           "example.com",
		SupportedGroups:      []messages.NamedGroup{messages.GroupX25519, messages.GroupP256},
		SupportedPoints:      []uint8{messages.PointFormatUncompressed},
		SignatureAlgorithms:  []messages.SignatureScheme{messages.SignatureRSAPSSRSAESHA256},
		ALPNProtocols:        []string{"h2", "http/1.1"},
		ExtendedMasterSecret: true,
	}
	wire, err := hello.Marshal()
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d bytes, starting %x\n", len(wire), wire[:messages.HandshakeHeaderLen])

	msg, err := messages.Parse(wire)
	if err != nil {
		panic(err)
	}
	switch m := msg.(type) {
	case *messages.ClientHello:
		fmt.Println(m.Type(), m.ServerName, m.ALPNProtocols, m.SupportedGroups)
		fmt.Println(m.ExtensionOrder)
	}

	// A truncated message is rejected with the alert to send.
	_, err = messages.Parse(wire[:len(wire)-1])
	var de *messages.DecodeError
	if errors.As(err, &de) {
		fmt.Println(de.Alert, "-", err)
	}
	// Output:
	// 115 bytes, starting 0100006f
	// ClientHello example.com [h2 http/1.1] [x25519 secp256r1]
	// [server_name supported_groups ec_point_formats signature_algorithms application_layer_protocol_negotiation extended_master_secret]
	// decode_error - messages: ClientHello: handshake body: truncated (decode_error)
}

// ExampleParseECDHEParams decodes an ECDHE ServerKeyExchange body once the
// cipher suite is known, and shows the bytes the signature covers.
func ExampleParseECDHEParams() {
	params := messages.AppendECDHEParams(nil, messages.GroupX25519, make([]byte, 32))
	body := messages.DigitallySigned{
		Algorithm: messages.SignatureECDSAP256SHA256,
		Signature: []byte{0x30, 0x00},
	}.Append(params)
	ske := &messages.ServerKeyExchange{Body: body}

	p, err := messages.ParseECDHEParams(ske.Body)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Group, len(p.Public), p.Signature.Algorithm)
	fmt.Printf("signed params: %x...\n", p.Raw[:4])
	// Output:
	// x25519 32 ecdsa_secp256r1_sha256
	// signed params: 03001d20...
}
