package keys_test

import (
	"crypto"
	"crypto/sha256"
	"fmt"

	"github.com/sanstls/sanstls/keys"
)

// Example derives the keys of a TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
// connection from a premaster secret and sends one record from the client
// to the server.
func Example() {
	// In a real handshake these come from the hellos and the key exchange.
	clientRandom := make([]byte, 32)
	serverRandom := make([]byte, 32)
	preMaster := []byte("an ECDHE shared secret of 32 B!!")
	transcript := sha256.Sum256([]byte("ClientHello ... ClientKeyExchange"))

	master := keys.ExtendedMasterSecret(crypto.SHA256, preMaster, transcript[:])
	tk := keys.KeyBlock(crypto.SHA256, master, clientRandom, serverRandom, 0, 16, 4)
	verifyData := keys.FinishedVerifyData(crypto.SHA256, master, true, transcript[:])
	fmt.Println("master secret:", len(master), "bytes; client verify_data:", len(verifyData), "bytes")

	clientWrite, err := keys.NewAESGCM(tk.ClientKey, tk.ClientIV)
	if err != nil {
		panic(err)
	}
	serverRead, err := keys.NewAESGCM(tk.ClientKey, tk.ClientIV)
	if err != nil {
		panic(err)
	}

	record, err := clientWrite.Seal(nil, 23, 0x0303, []byte("hello, server"))
	if err != nil {
		panic(err)
	}
	fmt.Printf("record header: %x, %d bytes in all\n", record[:5], len(record))

	// The receiver parses the header and opens the fragment in place.
	plaintext, err := serverRead.Open(record[0], 0x0303, record[5:])
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s (next sequence number %d)\n", plaintext, serverRead.Sequence())

	// A modified record fails with the one error Open has.
	record2, _ := clientWrite.Seal(nil, 23, 0x0303, []byte("hello again"))
	record2[len(record2)-1] ^= 1
	_, err = serverRead.Open(23, 0x0303, record2[5:])
	fmt.Println(err == keys.ErrBadRecordMAC)
	// Output:
	// master secret: 48 bytes; client verify_data: 12 bytes
	// record header: 1703030025, 42 bytes in all
	// hello, server (next sequence number 1)
	// true
}

// ExamplePRF computes the first bytes of the P_SHA256 known answer posted
// to the IETF TLS list.
func ExamplePRF() {
	secret := []byte{0x9b, 0xbe, 0x43, 0x6b, 0xa9, 0x40, 0xf0, 0x17, 0xb1, 0x76, 0x52, 0x84, 0x9a, 0x71, 0xdb, 0x35}
	seed := []byte{0xa0, 0xba, 0x9f, 0x93, 0x6c, 0xda, 0x31, 0x18, 0x27, 0xa6, 0xf7, 0x96, 0xff, 0xd5, 0x19, 0x8c}
	out := make([]byte, 8)
	keys.PRF(crypto.SHA256, out, secret, "test label", seed)
	fmt.Printf("%x\n", out)
	// Output: e3f229ba727be17b
}
