package wasm

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// HostConfig is the JSON document a host passes to sanstls_client and
// sanstls_server. Unknown fields are rejected, so that a misspelt option
// fails loudly instead of being ignored. Every field is optional except that
// a server needs a certificate and a client needs server_name (or
// insecure_skip_verify).
//
//	{
//	  "server_name": "example.com",
//	  "alpn": ["h2", "http/1.1"],
//	  "cert_pem": "-----BEGIN CERTIFICATE-----\n...",
//	  "key_pem": "-----BEGIN PRIVATE KEY-----\n...",
//	  "roots_pem": "-----BEGIN CERTIFICATE-----\n...",
//	  "client_auth": "require_and_verify",
//	  "cipher_suites": ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]
//	}
type HostConfig struct {
	// ServerName (client) is sent as SNI (RFC 6066, Section 3) and is the
	// name the server certificate must carry.
	ServerName string `json:"server_name"`
	// ALPN lists application protocols in preference order (RFC 7301).
	ALPN []string `json:"alpn"`
	// CertPEM is the certificate chain, leaf first, as PEM CERTIFICATE
	// blocks: a server's certificate (required), or the certificate a
	// client sends when asked (optional).
	CertPEM string `json:"cert_pem"`
	// KeyPEM is the leaf's private key (PKCS #8, SEC 1 or PKCS #1 PEM).
	KeyPEM string `json:"key_pem"`
	// RootsPEM holds the trusted CA certificates: for a client, those
	// that verify the server; for a server, those that verify clients.
	RootsPEM string `json:"roots_pem"`
	// ClientAuth (server) is "", "none", "request", "require",
	// "verify_if_given" or "require_and_verify"; see
	// [machine.ClientAuthType].
	ClientAuth string `json:"client_auth"`
	// CipherSuites names the enabled suites (IANA names); empty means
	// [machine.DefaultCipherSuites].
	CipherSuites []string `json:"cipher_suites"`
	// InsecureSkipVerify (client) disables certificate verification. It is
	// for tests only.
	InsecureSkipVerify bool `json:"insecure_skip_verify"`
	// Groups names the key exchange groups in preference order ("X25519",
	// "P-256", "P-384", "ffdhe2048", ...); empty means the machine's
	// default.
	Groups []string `json:"groups"`
	// Seed, if set, replaces the module's randomness for this connection
	// with a ChaCha8 stream keyed by SHA-256 of the seed, so that a run can
	// be replayed byte for byte. Use it for demonstrations and tests only:
	// anyone who knows the seed knows every key.
	Seed string `json:"seed"`
	// SessionCache names a session store shared by the connections of this
	// module that name it: a client keeps its last session there (tickets
	// and session IDs, RFC 5077 and RFC 5246 Section 7.3) and offers it
	// again; a server remembers session IDs. "" disables resumption.
	SessionCache string `json:"session_cache"`
	// TicketKey (server) is a 32-byte session ticket key in hex; it enables
	// RFC 5077 tickets.
	TicketKey string `json:"ticket_key"`
	// Renegotiation (client) is the answer to a server's HelloRequest:
	// "" or "never" (refuse), "once" or "freely". Renegotiation is always
	// secure (RFC 5746).
	Renegotiation string `json:"renegotiation"`
	// AllowClientRenegotiation (server) accepts a client-initiated
	// renegotiation.
	AllowClientRenegotiation bool `json:"allow_client_renegotiation"`
}

var clientAuthNames = map[string]machine.ClientAuthType{
	"":                   machine.NoClientCert,
	"none":               machine.NoClientCert,
	"request":            machine.RequestClientCert,
	"require":            machine.RequireAnyClientCert,
	"verify_if_given":    machine.VerifyClientCertIfGiven,
	"require_and_verify": machine.RequireAndVerifyClientCert,
}

var (
	errTrailingJSON = errors.New("wasm: config: data after the JSON object")
	errKeyWithout   = errors.New("wasm: config: cert_pem and key_pem must be given together")
	errNoRoots      = errors.New("wasm: config: roots_pem holds no CERTIFICATE block")
	errServerCert   = errors.New("wasm: config: a server needs cert_pem and key_pem")
	errTicketKey    = errors.New("wasm: config: ticket_key must be 64 hex digits (32 bytes)")
)

var renegotiationNames = map[string]machine.RenegotiationSupport{
	"":       machine.RenegotiateNever,
	"never":  machine.RenegotiateNever,
	"once":   machine.RenegotiateOnceAsClient,
	"freely": machine.RenegotiateFreelyAsClient,
}

// groupByName finds a group by the names OpenSSL and the IANA registry use
// ("P-256" and "secp256r1" are the same group).
func groupByName(name string) (machine.Group, bool) {
	switch name {
	case "X25519", "x25519":
		return machine.X25519, true
	case "P-256", "secp256r1", "prime256v1":
		return machine.CurveP256, true
	case "P-384", "secp384r1":
		return machine.CurveP384, true
	}
	// The finite-field groups of RFC 7919 (256 to 260), by their names.
	for g := machine.Group(256); g <= 260; g++ {
		if g.String() == name {
			return g, true
		}
	}
	return 0, false
}

// seededRand returns the deterministic stream of HostConfig.Seed.
func seededRand(seed string) io.Reader {
	return mrand.NewChaCha8(sha256.Sum256([]byte("sanstls wasm seed\x00" + seed)))
}

// parseHostConfig decodes one JSON object, rejecting unknown fields and
// trailing data.
func parseHostConfig(data []byte) (*HostConfig, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var hc HostConfig
	if err := dec.Decode(&hc); err != nil {
		return nil, fmt.Errorf("wasm: config: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errTrailingJSON
	}
	return &hc, nil
}

// machineConfig builds the machine configuration of one connection. The
// machine itself checks what it checks (for example that a client has a
// server name); this function checks what only the JSON can get wrong.
func (hc *HostConfig) machineConfig(isClient bool, rand io.Reader, now func() time.Time) (*machine.Config, error) {
	cfg := &machine.Config{
		Rand:               rand,
		Time:               now,
		ServerName:         hc.ServerName,
		NextProtos:         hc.ALPN,
		InsecureSkipVerify: hc.InsecureSkipVerify,
	}
	if (hc.CertPEM == "") != (hc.KeyPEM == "") {
		return nil, errKeyWithout
	}
	if hc.CertPEM != "" {
		cert, err := machine.X509KeyPair([]byte(hc.CertPEM), []byte(hc.KeyPEM))
		if err != nil {
			return nil, fmt.Errorf("wasm: config: %w", err)
		}
		cfg.Certificates = []machine.Certificate{cert}
	} else if !isClient {
		return nil, errServerCert
	}
	if hc.RootsPEM != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(hc.RootsPEM)) {
			return nil, errNoRoots
		}
		if isClient {
			cfg.RootCAs = pool
		} else {
			cfg.ClientCAs = pool
		}
	}
	auth, ok := clientAuthNames[hc.ClientAuth]
	if !ok {
		return nil, fmt.Errorf("wasm: config: unknown client_auth %q", hc.ClientAuth)
	}
	cfg.ClientAuth = auth
	renego, ok := renegotiationNames[hc.Renegotiation]
	if !ok {
		return nil, fmt.Errorf("wasm: config: unknown renegotiation %q", hc.Renegotiation)
	}
	cfg.Renegotiation = renego
	cfg.AllowClientRenegotiation = hc.AllowClientRenegotiation
	if hc.Seed != "" {
		cfg.Rand = seededRand(hc.Seed)
	}
	for _, name := range hc.Groups {
		g, ok := groupByName(name)
		if !ok {
			return nil, fmt.Errorf("wasm: config: unknown group %q", name)
		}
		cfg.Groups = append(cfg.Groups, g)
	}
	if hc.TicketKey != "" {
		k, err := hex.DecodeString(hc.TicketKey)
		if err != nil || len(k) != 32 {
			return nil, errTicketKey
		}
		cfg.TicketKeys = [][32]byte{[32]byte(k)}
	}
	for _, name := range hc.CipherSuites {
		id, ok := machine.CipherSuiteByName(name)
		if !ok {
			return nil, fmt.Errorf("wasm: config: unknown cipher suite %q", name)
		}
		cfg.CipherSuites = append(cfg.CipherSuites, id)
	}
	return cfg, nil
}
