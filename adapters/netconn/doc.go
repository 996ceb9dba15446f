// Package netconn runs a [machine.Conn] over a [net.Conn]: a TLS 1.2
// connection with the API of crypto/tls, so that code moves over by changing
// the import and the config type ([Config] is [machine.Config]), or by
// converting an existing *tls.Config with [FromTLSConfig].
//
//	conn, err := netconn.Dial("tcp", "example.com:443", &netconn.Config{})
//
// [*Conn] implements [net.Conn] and has crypto/tls's methods, and
// ConnectionState returns a tls.ConnectionState, so net/http's Request.TLS
// and Response.TLS and other code written for a *tls.Conn work. For HTTPS
// with HTTP/2 use the nethttp subpackage: net/http hands HTTP/2 only to a
// *tls.Conn.
//
// # Defaults
//
// As crypto/tls's (see [Config]): system roots when RootCAs is nil; server
// session tickets on, with keys generated per Config and rotated daily;
// client resumption only with a ClientSessionCache; Rand and Time from
// crypto/rand and time.Now.
//
// # Memory
//
// An idle connection holds no I/O buffer: a record is received into a
// 64-byte buffer inside the Conn and moved to a pooled buffer only when it
// does not fit; records are sealed one at a time into a pooled buffer of the
// size they need. Records are decrypted in place and application data is
// copied straight into the caller's slice, so Read and Write do not
// allocate in steady state.
//
// # Failure
//
// A failed handshake sends its alert, then closes the transport (crypto/tls
// leaves that to the caller, except on a cancelled context). Close sends
// close_notify once, bounded by the write deadline or 5 seconds if there is
// none; after a fatal alert of ours it lingers briefly so the peer can read
// the alert. HandshakeContext interrupts blocked I/O when its context ends,
// so a stalled peer cannot hold a handshake past its deadline. Fatal
// alerts, sent or received, are [*machine.AlertError] values that also
// match tls.AlertError, *tls.CertificateVerificationError (for x509
// verification failures) and tls.RecordHeaderError (for a first record
// that is not TLS) with errors.As. The transport ending without
// close_notify makes Read fail with an error matching [machine.ErrTruncated]
// (and io.ErrUnexpectedEOF).
//
// # crypto/tls and netconn
//
// Every exported name of crypto/tls (Go 1.26) and its counterpart here:
//
//	crypto/tls                          netconn
//	Client, Server                      Client, Server
//	Dial, DialWithDialer                Dial, DialWithDialer, DialContext
//	Dialer                              Dialer
//	Listen, NewListener                 Listen, NewListener
//	LoadX509KeyPair, X509KeyPair        LoadX509KeyPair, X509KeyPair (Certificate = machine.Certificate)
//	NewLRUClientSessionCache            NewLRUClientSessionCache; NewLRUSessionCache (server session IDs)
//	Conn.Read/Write/Close/CloseWrite    same
//	Conn.Handshake, HandshakeContext    same
//	Conn.ConnectionState                same (tls.ConnectionState); MachineState for the machine's own
//	Conn.SetDeadline/Read/Write         same
//	Conn.LocalAddr, RemoteAddr, NetConn same
//	Conn.VerifyHostname, OCSPResponse   same
//	ConnectionState.ExportKeyingMaterial  Conn.ExportKeyingMaterial (the tls.ConnectionState's
//	                                    method needs an unexported field and must not be called)
//	ConnectionState.TLSUnique,          filled from the machine (TLSUnique is nil after a
//	  SignedCertificateTimestamps         resumption without extended master secret)
//	Config                              Config (machine.Config) or FromTLSConfig(*tls.Config)
//	Config.Certificates, RootCAs,       same fields
//	  ClientCAs, ClientAuth, ServerName,
//	  InsecureSkipVerify, NextProtos,
//	  CipherSuites, Rand, Time,
//	  KeyLogWriter, Renegotiation,
//	  ClientSessionCache
//	Config.CurvePreferences             Config.Groups
//	Config.MinVersion, MaxVersion       none: TLS 1.2 only; FromTLSConfig accepts bounds that
//	                                    include TLS 1.2 and reports the others
//	Config.SessionTicketsDisabled       TicketKeys set to a non-nil empty slice
//	Config.SessionTicketKey,            Config.TicketKeys (first seals, all open)
//	  SetSessionTicketKeys
//	Config.GetCertificate,              Hooks, attached with WithHooks (FromTLSConfig does it)
//	  GetConfigForClient,
//	  VerifyPeerCertificate,
//	  VerifyConnection
//	Config.VerifyPeerCertificate        also Config.VerifyPeer (machine hook, parsed chain)
//	Config.GetClientCertificate         none: the client sends Certificates[0] when asked
//	Config.WrapSession, UnwrapSession,  none: tickets are sealed by the machine with TicketKeys;
//	  EncryptTicket, DecryptTicket,       sessions are machine.ClientSession values
//	  SessionState, ParseSessionState,
//	  NewResumptionState,
//	  ClientSessionState
//	Config.Clone                        CloneConfig (keeps Hooks)
//	Config.BuildNameToCertificate,      none (deprecated): the server picks among Certificates
//	  NameToCertificate                   by server name and key type
//	Config.PreferServerCipherSuites     none (ignored by crypto/tls too);
//	                                    Config.PreferClientCipherSuites
//	Config.DynamicRecordSizingDisabled  none: records are always full size
//	Config.EncryptedClientHello*,       none: TLS 1.3 features
//	  ECHRejectionError, QUIC*
//	Conn.Renegotiate (machine)          Conn.Renegotiate (crypto/tls has none)
//	CipherSuites, InsecureCipherSuites, machine.SupportedCipherSuites, machine.CipherSuiteName
//	  CipherSuiteName
//	VersionName                         tls.VersionName works (always TLS 1.2)
//	CurveID, SignatureScheme            machine.Group, machine.SignatureScheme (same values)
//	ClientAuthType, constants           same names here (machine.ClientAuthType)
//	RenegotiationSupport, constants     same names here (machine.RenegotiationSupport)
//	ClientHelloInfo                     passed to Hooks.GetCertificate/GetConfigForClient; its
//	                                    Context method returns nil
//	CertificateRequestInfo              none (no GetClientCertificate)
//	AlertError, RecordHeaderError,      matched by errors.As on netconn's errors
//	  CertificateVerificationError
//
// Concurrency follows net.Conn: one Read and one Write may run at the same
// time, and Close may interrupt both. A mutex guards the machine and is never
// held across I/O; bytes the machine produces are written in the order it
// produced them. The only goroutine the package starts interrupts a
// handshake whose context ends.
//
// With Config.DeferVerify (set by the adapter itself when
// VerifyPeerCertificate or VerifyConnection hooks are attached) the machine
// pauses for the peer's chain; the adapter verifies it outside the machine
// lock, runs the hooks, and answers with ResolveVerifyChains. The result is
// the same as the machine's own verification.
package netconn
