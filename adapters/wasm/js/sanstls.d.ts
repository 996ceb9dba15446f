// Types of sanstls.js, the JavaScript API of the GOOS=js build of sanstls.

/** Connection options (adapters/wasm HostConfig; unknown keys are rejected). */
export interface Config {
  /** Client: SNI and the name the server certificate must carry. */
  server_name?: string;
  /** ALPN protocols, in preference order. */
  alpn?: string[];
  /** Certificate chain (PEM, leaf first): required for a server, optional for a client. */
  cert_pem?: string;
  /** Private key of the leaf (PKCS #8, SEC 1 or PKCS #1 PEM). */
  key_pem?: string;
  /** Trusted CAs (PEM): a client's for the server, a server's for clients. */
  roots_pem?: string;
  /** Server: whether to ask for, and verify, a client certificate. */
  client_auth?: "" | "none" | "request" | "require" | "verify_if_given" | "require_and_verify";
  /** IANA suite names; empty means the secure defaults. Legacy suites must be listed here. */
  cipher_suites?: string[];
  /** Key exchange groups in preference order: "X25519", "P-256", "P-384", "ffdhe2048", ... */
  groups?: string[];
  /** Client: skip certificate verification (tests only). */
  insecure_skip_verify?: boolean;
  /** Deterministic randomness for demonstrations: the same seed gives the same bytes. Never in production. */
  seed?: string;
  /** Name of a session store shared by the module's connections that name it (resumption). */
  session_cache?: string;
  /** Server: 32-byte session ticket key, 64 hex digits (enables RFC 5077 tickets). */
  ticket_key?: string;
  /** Client: answer to a server's HelloRequest. */
  renegotiation?: "" | "never" | "once" | "freely";
  /** Server: accept a renegotiation the client starts. */
  allow_client_renegotiation?: boolean;
}

export interface Field { name: string; value: string; }

/** A record body this side sent or received, or application data it sent. */
export interface MessageEvent {
  kind: "message";
  sent: boolean;
  /** 20 ChangeCipherSpec, 21 alert, 22 handshake, 23 application data. */
  contentType: 20 | 21 | 22 | 23;
  /** "ClientHello", "ChangeCipherSpec", "Alert", "application_data", ... */
  name: string;
  /** The message as on the wire before protection (handshake messages include their 4-byte header). */
  raw: Uint8Array;
  /** The record carrying it was protected (the sender had sent ChangeCipherSpec). */
  encrypted: boolean;
  fields: Field[];
}
export interface HandshakeDoneEvent { kind: "handshake_done"; }
export interface DataEvent { kind: "data"; data: Uint8Array; }
export interface PeerClosedEvent { kind: "peer_closed"; }
export interface WarningAlertEvent { kind: "warning_alert"; alert: number; alertName: string; }
/** The connection failed (reported once). remote: the peer sent the alert. */
export interface ErrorEvent {
  kind: "error";
  message: string;
  code: number;
  reason: string;
  alert?: number;
  alertName?: string;
  remote?: boolean;
}
export type TLSEvent = MessageEvent | HandshakeDoneEvent | DataEvent | PeerClosedEvent | WarningAlertEvent | ErrorEvent;

export interface ConnState {
  handshake_complete: boolean;
  version: number;
  cipher_suite: string;
  alpn: string;
  server_name: string;
  resumed: boolean;
  extended_master_secret: boolean;
  secure_renegotiation: boolean;
  /** DER certificates, base64, leaf first. */
  peer_certificates: string[] | null;
  group: string;
  signature_scheme: string;
  renegotiations: number;
}

export interface SuiteInfo { id: number; name: string; openssl: string; default: boolean; }

/** Thrown by every failing call. out: bytes still to send to the peer (a fatal alert). */
export class SansTLSError extends Error {
  code: number;
  out: Uint8Array;
  /** The TLS alert, when the failure is one; remote: the peer sent it. */
  alert?: number;
  remote?: boolean;
}

/**
 * One connection. Flight methods return the bytes to send to the peer;
 * received bytes that do not complete a record are kept for the next call.
 * None of them blocks.
 */
export class Connection {
  readonly handle: number;
  readonly isClient: boolean;
  /** Client: the ClientHello. */
  start(): Uint8Array;
  /** Bytes from the peer; returns the answer (possibly empty). */
  receive(data: Uint8Array | ArrayBuffer): Uint8Array;
  /** Application data, after handshake_done. */
  send(data: Uint8Array | ArrayBuffer | string): Uint8Array;
  /** close_notify. */
  close(): Uint8Array;
  /** Server: HelloRequest; client: a new ClientHello. */
  renegotiate(): Uint8Array;
  /** The transport ended; throws unless the peer sent close_notify. */
  receiveEOF(): void;
  /** Fix the clock used for certificate validity (Unix ms); 0: the real clock. */
  setTime(unixMilli: number): void;
  /** Takes the queued events. */
  events(): TLSEvent[];
  state(): ConnState;
  /** NSS key log lines ("CLIENT_RANDOM <random> <master secret>"): a debugging aid that defeats the connection's secrecy. */
  keyLog(): string;
  /** Received bytes kept for lack of a complete record. */
  pending(): number;
  destroy(): void;
}

export class SansTLS {
  client(config: Config): Connection;
  server(config: Config): Connection;
  suites(): SuiteInfo[];
}

/** Instantiates the module (URL, Response or bytes) once wasm_exec.js has defined globalThis.Go. */
export function load(source: string | URL | Response | Promise<Response> | ArrayBuffer | Uint8Array): Promise<SansTLS>;
