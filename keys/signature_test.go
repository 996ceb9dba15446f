package keys_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/sanstls/sanstls/keys"
)

// sigKeys holds one key of each kind, generated once per test binary.
type sigKeySet struct {
	p224, p256, p384, p521 *ecdsa.PrivateKey
	rsa2048                *rsa.PrivateKey
	ed                     ed25519.PrivateKey
}

var sigKeysCache *sigKeySet

func sigKeys(t testing.TB) *sigKeySet {
	t.Helper()
	if sigKeysCache != nil {
		return sigKeysCache
	}
	ec := func(c elliptic.Curve) *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sigKeysCache = &sigKeySet{
		p224: ec(elliptic.P224()), p256: ec(elliptic.P256()), p384: ec(elliptic.P384()), p521: ec(elliptic.P521()),
		rsa2048: rsaKexKey(t, 2048), ed: ed,
	}
	return sigKeysCache
}

// sigCases lists each supported scheme with a key it fits.
func sigCases(k *sigKeySet) []struct {
	name   string
	scheme uint16
	signer crypto.Signer
} {
	return []struct {
		name   string
		scheme uint16
		signer crypto.Signer
	}{
		{"ecdsa_secp256r1_sha256", keys.SchemeECDSASecp256r1SHA256, k.p256},
		{"ecdsa_secp384r1_sha384", keys.SchemeECDSASecp384r1SHA384, k.p384},
		{"ecdsa_secp521r1_sha512", keys.SchemeECDSASecp521r1SHA512, k.p521},
		{"rsa_pkcs1_sha256", keys.SchemeRSAPKCS1SHA256, k.rsa2048},
		{"rsa_pkcs1_sha384", keys.SchemeRSAPKCS1SHA384, k.rsa2048},
		{"rsa_pkcs1_sha512", keys.SchemeRSAPKCS1SHA512, k.rsa2048},
		{"rsa_pss_rsae_sha256", keys.SchemeRSAPSSRSAESHA256, k.rsa2048},
		{"rsa_pss_rsae_sha384", keys.SchemeRSAPSSRSAESHA384, k.rsa2048},
		{"rsa_pss_rsae_sha512", keys.SchemeRSAPSSRSAESHA512, k.rsa2048},
		{"ed25519", keys.SchemeEd25519, k.ed},
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	k := sigKeys(t)
	msg := []byte("client_random || server_random || ServerECDHParams")
	for _, tc := range sigCases(k) {
		t.Run(tc.name, func(t *testing.T) {
			pub := tc.signer.Public()
			if !keys.SchemeMatchesKey(tc.scheme, pub) || !keys.SchemeCurveMatchesKey(tc.scheme, pub) {
				t.Fatal("scheme does not match its own key")
			}
			sig, err := keys.Sign(tc.signer, tc.scheme, msg, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if err := keys.Verify(pub, tc.scheme, msg, sig); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			flip := func(b []byte, i int) []byte {
				c := append([]byte(nil), b...)
				c[i] ^= 0x01
				return c
			}
			bad := map[string][2][]byte{
				"last sig byte":  {msg, flip(sig, len(sig)-1)},
				"first sig byte": {msg, flip(sig, 0)},
				"middle byte":    {msg, flip(sig, len(sig)/2)},
				"truncated sig":  {msg, sig[:len(sig)-1]},
				"extended sig":   {msg, append(append([]byte(nil), sig...), 0)},
				"empty sig":      {msg, nil},
				"altered msg":    {flip(msg, 3), sig},
				"empty msg":      {nil, sig},
			}
			for name, in := range bad {
				if err := keys.Verify(pub, tc.scheme, in[0], in[1]); err != keys.ErrBadSignature {
					t.Errorf("%s: got %v, want ErrBadSignature", name, err)
				}
			}
		})
	}
}

// TestECDSACurveNotBound checks the TLS 1.2 rule that the ECDSA scheme does
// not fix the curve (BoGo ECDSACurveMismatch-Verify-TLS12).
func TestECDSACurveNotBound(t *testing.T) {
	k := sigKeys(t)
	msg := []byte("signed params")
	for _, key := range []*ecdsa.PrivateKey{k.p256, k.p384, k.p521} {
		for _, scheme := range []uint16{keys.SchemeECDSASecp256r1SHA256, keys.SchemeECDSASecp384r1SHA384, keys.SchemeECDSASecp521r1SHA512} {
			if !keys.SchemeMatchesKey(scheme, &key.PublicKey) {
				t.Errorf("%s with %#04x: no match", key.Curve.Params().Name, scheme)
			}
			sig, err := keys.Sign(key, scheme, msg, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if err := keys.Verify(&key.PublicKey, scheme, msg, sig); err != nil {
				t.Errorf("%s with %#04x: %v", key.Curve.Params().Name, scheme, err)
			}
		}
	}
	if keys.SchemeCurveMatchesKey(keys.SchemeECDSASecp384r1SHA384, &k.p256.PublicKey) ||
		keys.SchemeCurveMatchesKey(keys.SchemeECDSASecp256r1SHA256, &k.p521.PublicKey) {
		t.Error("SchemeCurveMatchesKey ignores the curve")
	}
	if !keys.SchemeCurveMatchesKey(keys.SchemeECDSASecp521r1SHA512, &k.p521.PublicKey) {
		t.Error("SchemeCurveMatchesKey refuses P-521 with ecdsa_secp521r1_sha512")
	}
}

func TestSignatureKeyMismatch(t *testing.T) {
	k := sigKeys(t)
	msg := []byte("m")
	type pair struct {
		scheme uint16
		signer crypto.Signer
	}
	var ed31 ed25519.PublicKey = make([]byte, 31)
	edPub := k.ed.Public().(ed25519.PublicKey)
	for name, p := range map[string]pair{
		"rsa key, ecdsa scheme":   {keys.SchemeECDSASecp256r1SHA256, k.rsa2048},
		"ecdsa key, pkcs1 scheme": {keys.SchemeRSAPKCS1SHA256, k.p256},
		"ecdsa key, pss scheme":   {keys.SchemeRSAPSSRSAESHA256, k.p384},
		"ed25519 key, ecdsa":      {keys.SchemeECDSASecp256r1SHA256, k.ed},
		"ecdsa key, ed25519":      {keys.SchemeEd25519, k.p256},
		"rsa key, ed25519":        {keys.SchemeEd25519, k.rsa2048},
		"P-224 key, ecdsa":        {keys.SchemeECDSASecp256r1SHA256, k.p224},
	} {
		if keys.SchemeMatchesKey(p.scheme, p.signer.Public()) {
			t.Errorf("%s: SchemeMatchesKey is true", name)
		}
		if _, err := keys.Sign(p.signer, p.scheme, msg, rand.Reader); err != keys.ErrKeyMismatch {
			t.Errorf("%s: Sign gave %v, want ErrKeyMismatch", name, err)
		}
		if err := keys.Verify(p.signer.Public(), p.scheme, msg, make([]byte, 64)); err != keys.ErrKeyMismatch {
			t.Errorf("%s: Verify gave %v, want ErrKeyMismatch", name, err)
		}
	}
	for name, pub := range map[string]crypto.PublicKey{
		"nil":               nil,
		"nil *rsa":          (*rsa.PublicKey)(nil),
		"nil *ecdsa":        (*ecdsa.PublicKey)(nil),
		"31-byte ed25519":   ed31,
		"*ed25519":          &edPub,
		"ecdsa no point":    &ecdsa.PublicKey{Curve: elliptic.P256()},
		"private, not pub":  k.p256,
		"ecdh-style []byte": []byte{4, 1, 2},
	} {
		for _, tc := range sigCases(k) {
			if keys.SchemeMatchesKey(tc.scheme, pub) {
				t.Errorf("%s matches %s", name, tc.name)
			}
			if err := keys.Verify(pub, tc.scheme, msg, make([]byte, 64)); err != keys.ErrKeyMismatch {
				t.Errorf("%s, %s: Verify gave %v, want ErrKeyMismatch", name, tc.name, err)
			}
		}
	}
	if _, err := keys.Sign(nil, keys.SchemeEd25519, msg, rand.Reader); err != keys.ErrKeyMismatch {
		t.Errorf("nil signer: got %v", err)
	}
}

func TestSignatureUnsupportedSchemes(t *testing.T) {
	k := sigKeys(t)
	msg := []byte("m")
	// A genuine SHA-1 PKCS #1 v1.5 signature must still be refused.
	h := sha1.Sum(msg)
	sha1Sig, err := rsa.SignPKCS1v15(nil, k.rsa2048, crypto.SHA1, h[:])
	if err != nil {
		t.Fatal(err)
	}
	for _, scheme := range []uint16{
		0x0101, 0x0102, 0x0103, // MD5 with RSA, DSA, ECDSA
		0x0201, 0x0202, 0x0203, // SHA-1 with RSA, DSA, ECDSA
		0x0301, 0x0303, // SHA-224
		0x0402, 0x0502, 0x0602, // DSA
		0x0808, 0x0809, 0x080a, 0x080b, // ed448, rsa_pss_pss_*
		0x081a, 0x081b, 0x081c, // brainpool TLS 1.3
		0x0000, 0xffff,
	} {
		if hash, ok := keys.SignatureHash(scheme); ok || hash != 0 {
			t.Errorf("%#04x: SignatureHash = %v, %v", scheme, hash, ok)
		}
		for _, s := range []crypto.Signer{k.rsa2048, k.p256, k.ed} {
			if keys.SchemeMatchesKey(scheme, s.Public()) {
				t.Errorf("%#04x: SchemeMatchesKey is true", scheme)
			}
			if _, err := keys.Sign(s, scheme, msg, rand.Reader); err != keys.ErrUnsupportedSignature {
				t.Errorf("%#04x: Sign gave %v, want ErrUnsupportedSignature", scheme, err)
			}
			if err := keys.Verify(s.Public(), scheme, msg, sha1Sig); err != keys.ErrUnsupportedSignature {
				t.Errorf("%#04x: Verify gave %v, want ErrUnsupportedSignature", scheme, err)
			}
		}
	}
}

func TestSignatureHash(t *testing.T) {
	for scheme, want := range map[uint16]crypto.Hash{
		0x0401: crypto.SHA256, 0x0501: crypto.SHA384, 0x0601: crypto.SHA512,
		0x0403: crypto.SHA256, 0x0503: crypto.SHA384, 0x0603: crypto.SHA512,
		0x0804: crypto.SHA256, 0x0805: crypto.SHA384, 0x0806: crypto.SHA512,
		0x0807: 0,
	} {
		if got, ok := keys.SignatureHash(scheme); !ok || got != want {
			t.Errorf("SignatureHash(%#04x) = %v, %v; want %v, true", scheme, got, ok, want)
		}
	}
}

// TestRSAPSSSaltLength checks salt length = hash length on both sides.
func TestRSAPSSSaltLength(t *testing.T) {
	k := sigKeys(t).rsa2048
	msg := []byte("pss")
	digest := sha256.Sum256(msg)
	sig, err := keys.Sign(k, keys.SchemeRSAPSSRSAESHA256, msg, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPSS(&k.PublicKey, crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: 32}); err != nil {
		t.Errorf("our signature does not have a 32-byte salt: %v", err)
	}
	for _, salt := range []int{0, 20, 33, rsa.PSSSaltLengthAuto} {
		other, err := rsa.SignPSS(rand.Reader, k, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: salt})
		if err != nil {
			t.Fatal(err)
		}
		if err := keys.Verify(&k.PublicKey, keys.SchemeRSAPSSRSAESHA256, msg, other); err != keys.ErrBadSignature {
			t.Errorf("salt length %d: Verify gave %v, want ErrBadSignature", salt, err)
		}
	}
	// PKCS #1 v1.5 and PSS signatures are not interchangeable.
	pkcs1, err := keys.Sign(k, keys.SchemeRSAPKCS1SHA256, msg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.Verify(&k.PublicKey, keys.SchemeRSAPSSRSAESHA256, msg, pkcs1); err != keys.ErrBadSignature {
		t.Errorf("PKCS #1 v1.5 signature accepted as PSS: %v", err)
	}
	if err := keys.Verify(&k.PublicKey, keys.SchemeRSAPKCS1SHA256, msg, sig); err != keys.ErrBadSignature {
		t.Errorf("PSS signature accepted as PKCS #1 v1.5: %v", err)
	}
	// The same hash under another scheme must not verify either.
	if err := keys.Verify(&k.PublicKey, keys.SchemeRSAPKCS1SHA384, msg, pkcs1); err != keys.ErrBadSignature {
		t.Errorf("SHA-256 signature accepted under SHA-384: %v", err)
	}
}

// TestSignReproducibility pins down the documented behaviour of rand.
func TestSignReproducibility(t *testing.T) {
	k := sigKeys(t)
	msg := []byte("transcript")
	sign := func(s crypto.Signer, scheme uint16, seed string) []byte {
		t.Helper()
		var r *kexStream
		if seed != "" {
			r = newKexStream(seed)
		}
		var sig []byte
		var err error
		if r == nil {
			sig, err = keys.Sign(s, scheme, msg, nil)
		} else {
			sig, err = keys.Sign(s, scheme, msg, r)
		}
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	// PSS takes its salt from rand.
	if a, b := sign(k.rsa2048, keys.SchemeRSAPSSRSAESHA256, "x"), sign(k.rsa2048, keys.SchemeRSAPSSRSAESHA256, "x"); !bytes.Equal(a, b) {
		t.Error("PSS with the same rand bytes gave different signatures")
	}
	if a, b := sign(k.rsa2048, keys.SchemeRSAPSSRSAESHA256, "x"), sign(k.rsa2048, keys.SchemeRSAPSSRSAESHA256, "y"); bytes.Equal(a, b) {
		t.Error("PSS with different rand bytes gave the same signature")
	}
	// PKCS #1 v1.5, Ed25519 and ECDSA with nil rand are deterministic.
	for _, tc := range []struct {
		s      crypto.Signer
		scheme uint16
	}{{k.rsa2048, keys.SchemeRSAPKCS1SHA384}, {k.ed, keys.SchemeEd25519}, {k.p256, keys.SchemeECDSASecp256r1SHA256}} {
		if a, b := sign(tc.s, tc.scheme, ""), sign(tc.s, tc.scheme, ""); !bytes.Equal(a, b) {
			t.Errorf("%#04x with nil rand is not deterministic", tc.scheme)
		}
	}
	// PSS cannot sign without randomness.
	if _, err := keys.Sign(k.rsa2048, keys.SchemeRSAPSSRSAESHA256, msg, nil); err == nil {
		t.Error("PSS signed with a nil rand")
	}
}

func TestSignatureRSAKeyLimits(t *testing.T) {
	small := rsaKexKey(t, 1024)
	msg := []byte("m")
	h := sha256.Sum256(msg)
	sig, err := rsa.SignPKCS1v15(nil, small, crypto.SHA256, h[:])
	if err != nil {
		t.Fatal(err)
	}
	for _, scheme := range []uint16{keys.SchemeRSAPKCS1SHA256, keys.SchemeRSAPSSRSAESHA256} {
		_, err := keys.Sign(small, scheme, msg, rand.Reader)
		if !errors.Is(err, keys.ErrUnsupportedSignature) || !errors.Is(err, keys.ErrWeakKey) {
			t.Errorf("Sign %#04x with 1024 bits: %v", scheme, err)
		}
		err = keys.Verify(&small.PublicKey, scheme, msg, sig)
		if !errors.Is(err, keys.ErrUnsupportedSignature) || !errors.Is(err, keys.ErrWeakKey) {
			t.Errorf("Verify %#04x with 1024 bits: %v", scheme, err)
		}
	}
}

// sigVectorFile is the layout of testdata/sig_wycheproof_*.json: Wycheproof
// signature cases copied as facts (the file names its source and commit).
type sigVectorFile struct {
	Source string `json:"source"`
	Scheme uint16 `json:"scheme"`
	Tests  []struct {
		TcID    int      `json:"tcId"`
		Comment string   `json:"comment"`
		Flags   []string `json:"flags"`
		Result  string   `json:"result"` // "valid" or "invalid"
		Key     string   `json:"publicKeyDer"`
		Msg     string   `json:"msg"`
		Sig     string   `json:"sig"`
	} `json:"tests"`
}

func TestSignatureWycheproof(t *testing.T) {
	files, err := filepath.Glob("testdata/sig_wycheproof_*.json")
	if err != nil || len(files) != 5 {
		t.Fatalf("want 5 vector files, got %v (%v)", files, err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var vf sigVectorFile
		if err := json.Unmarshal(data, &vf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if vf.Source == "" || len(vf.Tests) == 0 {
			t.Fatalf("%s: no source or no tests", name)
		}
		valid, invalid := 0, 0
		for _, tc := range vf.Tests {
			pub, err := x509.ParsePKIXPublicKey(kexHex(t, tc.Key))
			if err != nil {
				t.Fatalf("%s tcId %d: %v", name, tc.TcID, err)
			}
			err = keys.Verify(pub, vf.Scheme, kexHex(t, tc.Msg), kexHex(t, tc.Sig))
			desc := fmt.Sprintf("%s tcId %d (%s %v)", name, tc.TcID, tc.Comment, tc.Flags)
			switch tc.Result {
			case "valid":
				valid++
				if err != nil {
					t.Errorf("%s: %v, want valid", desc, err)
				}
			case "invalid":
				invalid++
				if err != keys.ErrBadSignature {
					t.Errorf("%s: %v, want ErrBadSignature", desc, err)
				}
			default:
				t.Fatalf("%s: result %q", desc, tc.Result)
			}
		}
		if valid == 0 || invalid == 0 {
			t.Errorf("%s: %d valid, %d invalid; want both", name, valid, invalid)
		}
	}
}

// FuzzVerify feeds arbitrary messages and signature bytes to every scheme and
// key kind. Verify must not panic, must return only its sentinels, must say
// why before looking at the bytes (unsupported scheme, key mismatch), and for
// the deterministic schemes may accept only the one valid signature.
func FuzzVerify(f *testing.F) {
	k := sigKeys(f)
	signers := []crypto.Signer{k.p256, k.p384, k.p521, k.rsa2048, k.ed}
	schemes := []uint16{0x0403, 0x0503, 0x0603, 0x0401, 0x0501, 0x0601, 0x0804, 0x0805, 0x0806, 0x0807, 0x0201, 0x0203, 0x0000}
	for i, s := range signers {
		for j, scheme := range schemes {
			msg := []byte("fuzz seed message")
			sig, err := keys.Sign(s, scheme, msg, rand.Reader)
			if err != nil {
				sig = []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}
			}
			f.Add(uint8(i), uint8(j), msg, sig)
		}
	}
	f.Fuzz(func(t *testing.T, si, sj uint8, msg, sig []byte) {
		signer := signers[int(si)%len(signers)]
		scheme := schemes[int(sj)%len(schemes)]
		pub := signer.Public()
		err := keys.Verify(pub, scheme, msg, sig)
		_, supported := keys.SignatureHash(scheme)
		switch {
		case !supported:
			if err != keys.ErrUnsupportedSignature {
				t.Fatalf("unsupported %#04x: %v", scheme, err)
			}
			return
		case !keys.SchemeMatchesKey(scheme, pub):
			if err != keys.ErrKeyMismatch {
				t.Fatalf("mismatched %#04x: %v", scheme, err)
			}
			return
		}
		if err != nil && err != keys.ErrBadSignature {
			t.Fatalf("%#04x: unexpected error %v", scheme, err)
		}
		if err == nil && (scheme == keys.SchemeEd25519 || scheme&0xff == 0x01) {
			want, serr := keys.Sign(signer, scheme, msg, nil)
			if serr != nil || !bytes.Equal(want, sig) {
				t.Fatalf("%#04x accepted %x, but the signature is %x", scheme, sig, want)
			}
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	k := sigKeys(b)
	msg := bytes.Repeat([]byte("m"), 200)
	for _, tc := range sigCases(k) {
		b.Run(tc.name, func(b *testing.B) {
			sig, err := keys.Sign(tc.signer, tc.scheme, msg, rand.Reader)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := keys.Verify(tc.signer.Public(), tc.scheme, msg, sig); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func ExampleSign() {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	// RFC 5246, Section 7.4.3: the ServerKeyExchange signature covers
	// ClientHello.random + ServerHello.random + ServerECDHParams.
	signed := []byte("client_random || server_random || params")
	sig, err := keys.Sign(key, keys.SchemeECDSASecp256r1SHA256, signed, rand.Reader)
	if err != nil {
		panic(err)
	}
	fmt.Println(keys.Verify(&key.PublicKey, keys.SchemeECDSASecp256r1SHA256, signed, sig))
	fmt.Println(keys.Verify(&key.PublicKey, keys.SchemeRSAPKCS1SHA256, signed, sig))
	fmt.Println(keys.Verify(&key.PublicKey, 0x0203, signed, sig)) // ecdsa_sha1
	// Output:
	// <nil>
	// keys: key does not match signature scheme
	// keys: unsupported signature scheme
}
