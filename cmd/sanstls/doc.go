// Command sanstls demonstrates and exercises the sanstls TLS 1.2 state
// machine.
//
// Usage:
//
//	sanstls demo   [-seed N] [-suite S] [-group G] [-key ecdsa|rsa|ed25519] [-client-auth] [-alpn P,...] [-hex] [-keylog FILE]
//	sanstls server [-listen ADDR] [-cert FILE -key FILE]... [-ocsp FILE]... [-write-cert FILE] [-echo|-www] [-alpn P,...]
//	               [-suites S,...] [-groups G,...] [-sigalgs A,...] [-prefer-client] [-allow-no-ems]
//	               [-no-tickets] [-no-session-cache] [-ticket-key-file FILE]
//	               [-renegotiation never|accept|initiate-after=N]
//	               [-client-auth none|request|require|verify-if-given|verify] [-client-ca FILE]
//	               [-keylog FILE] [-quiet] [-max-conns N]
//	sanstls client [-connect HOST:PORT] [-servername NAME] [-cafile FILE | -insecure] [-alpn P,...]
//	               [-cert FILE -key FILE] [-suites S,...] [-groups G,...] [-sigalgs A,...] [-allow-no-ems]
//	               [-reconnect N] [-sess-out FILE] [-sess-in FILE] [-renegotiate] [-renegotiation never|accept]
//	               [-nocommands] [-ocsp] [-showcerts] [-brief] [-keylog FILE] [-quiet] [-timeout D]
//	sanstls list
//
// Flags are parsed by the standard flag package: -flag and --flag are the
// same, and -flag=value works too.
//
// # demo
//
// demo runs a machine client and a machine server in memory, driving the
// two [machine.Conn] values from one goroutine (each one's output is the
// other's input), and prints the handshake message by message, numbered as
// in the classic description of the TLS 1.2 flow (RFC 5246, Section 7.3):
// 1 ClientHello, 2 ServerHello, 3 Certificate, 4 CertificateRequest,
// 5 ServerKeyExchange, 6 ServerHelloDone, 7 Certificate, 8
// ClientKeyExchange, 9 CertificateVerify, 10 ChangeCipherSpec, 11 Finished,
// 12 ChangeCipherSpec, 13 Finished, 14 application data, 15 close_notify.
// Steps that do not occur are printed as "(not requested)", step 5 under
// RSA key exchange as "(not sent: RSA key exchange)"; -client-auth makes
// steps 4, 7 and 9 happen. Messages are printed in wire order, so 5
// ServerKeyExchange comes before 4 CertificateRequest (RFC 5246 Section
// 7.4: CertificateRequest follows ServerKeyExchange); the numbers are
// labels, not an order. Every suite `sanstls list` shows runs with -suite
// (a test runs them all); the demo picks an RSA certificate, with the
// keyEncipherment usage RSA key exchange needs, for the *_RSA_* suites. The lines
// come from [machine.Config.Trace], which reports every handshake message
// as its sender queues it (Finished in plaintext, before encryption),
// parsed here with package messages; "(on the wire)" lines summarise the
// records each flight became.
//
// The run needs no network and no setup, and is reproducible: the CA (ECDSA
// P-256), the server certificate and each side's [machine.Config.Rand] are
// derived from -seed (ChaCha8 streams keyed with SHA-256 of a label and the
// seed; ECDSA signatures use RFC 6979), and [machine.Config.Time] is fixed
// at 2026-01-01T00:00:00Z, inside the certificates' validity. The same seed
// and flags give byte-identical output.
//
// # Names
//
// -suites takes IANA names (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), OpenSSL
// names (ECDHE-RSA-AES128-GCM-SHA256), codes (0xc02f) and three shorthands:
// DEFAULT (the machine's defaults: ECDHE with AEAD), ALL (every suite, the
// defaults first) and LEGACY (the others: CBC, DHE, RSA key exchange).
// -groups takes X25519, P-256 (prime256v1, secp256r1), P-384, P-521 (not
// among the defaults: only when listed) and the RFC 7919 groups ffdhe2048,
// ffdhe3072, ffdhe4096 (used by DHE suites; without any, DHE may use all
// three). -sigalgs takes IANA names
// (rsa_pss_rsae_sha256), OpenSSL's ALG+HASH (RSA-PSS+SHA256, ECDSA+SHA256,
// RSA+SHA256, ed25519) or codes; ecdsa_secp521r1_sha512 is used only when
// listed, and SHA-1 and MD5 schemes do not exist here (RFC 9155).
//
// # server
//
// server listens on a TCP address and serves TLS 1.2, one goroutine per
// connection, until SIGINT or SIGTERM, or until -max-conns connections have
// been accepted. In -echo mode (the default) it sends back what it
// receives until the client's close_notify, then sends its own; in -www
// mode it answers an HTTP GET with a small HTML page holding the connection
// report, as `openssl s_server -www` does. Without -cert it generates a
// self-signed ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1,
// written as PEM to -write-cert if given. -cert and -key may be repeated
// (for example an ECDSA and an RSA certificate); the machine picks one per
// connection by suite and server name. -ocsp names a DER OCSP response to
// staple with the -cert of the same position (RFC 6066 Section 8).
//
// Resumption is on by default: session tickets (RFC 5077) sealed with a
// random key made at start, or with the keys of -ticket-key-file (lines
// of 64 hex digits, for example from `openssl rand -hex 32`; the first
// seals, all open, so servers sharing the file resume each other's
// tickets and rotate by prepending a key), and a session-ID cache of 4096
// sessions. -no-tickets and -no-session-cache turn them off.
//
// -renegotiation never (the default) answers a client's renegotiation with
// a no_renegotiation warning; accept lets clients renegotiate;
// initiate-after=N also sends one HelloRequest once N bytes have been
// echoed (0: right after the handshake; echo mode only, -www never
// starts one). Renegotiation is always secure
// (RFC 5746). -allow-no-ems accepts clients without extended master secret
// (RFC 7627), which the machine otherwise refuses; -prefer-client follows
// the client's suite order.
//
// Each handshake (and each renegotiation) is reported on stderr with the
// report below, every line prefixed "conn N: ". A connection that closes
// before sending a ClientHello (a port probe) is counted, not reported;
// the count is printed when the server stops. Failures are reported as
// "conn N from ADDR: handshake failed: ..." (see Errors).
//
// # client
//
// client connects, prints the connection report and the server's
// certificate chain to stderr, then copies stdin to the connection and the
// connection to stdout. At the end of stdin it sends close_notify and
// reads until the server's close_notify (or -timeout of silence). Without
// -cafile it trusts the system's roots.
//
// As in s_client, a line holding only "R" renegotiates (unless
// -nocommands); "RENEGOTIATING" and, when done, "--- renegotiation N
// done" and the report are printed. -renegotiate does it once right after
// the handshake, before stdin is read. -renegotiation accept lets the
// server renegotiate (HelloRequest); by default the client refuses with a
// no_renegotiation warning.
//
// -reconnect N makes N more connections after the first, each resuming the
// session (the report says "Reused (ticket)" or "Reused (session ID)");
// only the last one carries stdin. -sess-out FILE writes the session after
// each handshake (PEM "SANSTLS CLIENT SESSION", mode 0600: it holds the
// master secret) and -sess-in FILE offers it in the next run. -ocsp prints
// the stapled OCSP response in detail, -showcerts the chain as PEM, and
// -brief limits the report to Protocol, Cipher, Group, Session and
// Verification.
//
// # Connection report
//
// The report is one line per field, "Label:" padded to 24 characters, a
// space, then the value, always in this order (the server prefixes each
// line with "conn N: "). Scripts may rely on the labels and the value
// forms below.
//
//	Protocol:                TLS 1.2
//	Cipher:                  IANA name (OpenSSL name)
//	Group:                   X25519 | P-256 | P-384 | ffdhe2048 (2048 bits) | ... |
//	                         DH custom group (N bits) | none (RSA key exchange) |
//	                         none (abbreviated handshake)
//	Server signature:        scheme of the ServerKeyExchange | none (RSA key exchange) |
//	                         none (abbreviated handshake)
//	Client signature:        scheme of the CertificateVerify | none (no client certificate) |
//	                         none (abbreviated handshake)
//	Extended master secret:  yes | no
//	Secure renegotiation:    yes | no
//	Session:                 New (ticket issued) | New (session ID issued) | New (not resumable) |
//	                         Reused (ticket) | Reused (session ID)
//	Renegotiations:          N (completed on this connection)
//	ALPN protocol:           protocol | none
//	Server name:             SNI sent (client) or received (server) | none
//	OCSP:                    client: good|revoked|unknown (this update T[, next update T][, revoked T];
//	                         signature checked | signature not checked: issuer unknown) |
//	                         stapled (N bytes), not understood: ... | not stapled;
//	                         a resumed session adds " (from the original handshake)";
//	                         server: stapled (N bytes) | not requested by the client |
//	                         not sent (abbreviated handshake) | none configured
//	Peer certificates:       N: leaf subject (key) <- issuer subject <- ... | none
//	Verification:            OK (verified chain, leaf first) | skipped (-insecure) |
//	                         not repeated (resumed session) | no client certificate |
//	                         not verified (-client-auth MODE)
//
// Group, Server signature, Client signature and Session describe the last
// handshake on the connection (after a renegotiation, the new one).
//
// # Errors
//
// A failed handshake names the alert and who sent it. For an alert we
// sent, the machine's stable reason (machine.ReasonOf) follows, and when
// the refusal came from a policy a flag can change, the flag:
//
//	sanstls client: 127.0.0.1:4433: sanstls: local error: handshake_failure: peer does not support
//	extended master secret (RFC 7627) (sent fatal alert handshake_failure, reason missing_ems;
//	-allow-no-ems to accept)
//
// For a received alert a hint says what the peer probably disliked.
//
// # list
//
// list prints the supported cipher suites with their IANA and OpenSSL
// names, the groups and the signature schemes.
//
// # Key logging
//
// demo, server and client append NSS key log lines ("CLIENT_RANDOM ...",
// [machine.Config.KeyLogWriter]) to the file named by -keylog or, if that
// is not given, by the SSLKEYLOGFILE environment variable, so that Wireshark
// can decrypt captures. Such a file holds the keys of every session logged.
//
// Exit status: 0 on success, 1 when the command failed, 2 for a bad
// command line.
package main
