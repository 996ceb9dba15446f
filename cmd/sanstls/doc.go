// Command sanstls demonstrates and exercises the sanstls TLS 1.2 state
// machine.
//
// Usage:
//
//	sanstls demo   [-seed N] [-suite S] [-group G] [-key ecdsa|rsa|ed25519] [-client-auth] [-alpn P,...] [-hex] [-keylog FILE]
//	sanstls server [-listen ADDR] [-cert FILE -key FILE]... [-write-cert FILE] [-echo|-www] [-alpn P,...]
//	               [-suites S,...] [-groups G,...] [-client-auth none|request|require|verify-if-given|verify]
//	               [-client-ca FILE] [-keylog FILE] [-quiet] [-max-conns N]
//	sanstls client [-connect HOST:PORT] [-servername NAME] [-cafile FILE | -insecure] [-alpn P,...]
//	               [-cert FILE -key FILE] [-suites S,...] [-groups G,...] [-keylog FILE] [-quiet] [-timeout D]
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
// Steps that do not occur are printed as "(not requested)"; -client-auth
// makes steps 4, 7 and 9 happen (on the wire CertificateRequest follows
// ServerKeyExchange, and the demo prints messages in wire order). The lines
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
// # server
//
// server listens on a TCP address and serves TLS 1.2 through the netconn
// adapter, one goroutine per connection, until SIGINT or SIGTERM, or until
// -max-conns connections have been served. In -echo mode (the default) it
// sends back what it receives until the client's close_notify, then sends
// its own; in -www mode it answers an HTTP GET with a small HTML page
// stating the negotiated parameters, as `openssl s_server -www` does.
// Without -cert it generates a self-signed ECDSA P-256 certificate for
// localhost, 127.0.0.1 and ::1, written as PEM to -write-cert if given.
// -cert and -key may be repeated (for example an ECDSA and an RSA
// certificate); the machine picks one per connection by suite and server
// name.
//
// # client
//
// client connects, prints the negotiated parameters and the server's
// certificate chain to stderr, then copies stdin to the connection and the
// connection to stdout. At the end of stdin it sends close_notify
// (CloseWrite) and reads until the server closes. Without -cafile it
// trusts the system's roots. A failure exits with status 1 and names the
// alert that was sent or received.
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
