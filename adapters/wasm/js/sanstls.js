// sanstls.js: loads the GOOS=js build of sanstls (adapters/wasm/cmd/sanstls-js)
// and wraps its raw API in classes that throw. Types: sanstls.d.ts.
//
// Load Go's wasm_exec.js (from the Go release that built the module) first:
// it defines globalThis.Go. Every method returns at once; nothing blocks.

/** A failed call. out holds bytes that must still go to the peer (a fatal alert). */
export class SansTLSError extends Error {
  constructor(message, code, out) {
    super(message);
    this.name = "SansTLSError";
    this.code = code;
    this.out = out ?? new Uint8Array(0);
    // Alert codes are -(0x100 | alert) when this side sent the alert and
    // -(0x200 | alert) when the peer did (see adapters/wasm/codes.go).
    const v = -code;
    if ((v & ~0xff) === 0x100 || (v & ~0xff) === 0x200) {
      this.alert = v & 0xff;
      this.remote = (v & 0x200) !== 0;
    }
  }
}

function check(r) {
  if (r.error !== undefined) throw new SansTLSError(r.error, r.code, r.out);
  return r;
}

function bytes(data) {
  if (typeof data === "string") return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new TypeError("expected a Uint8Array, an ArrayBuffer or a string");
}

/** One TLS connection: a client or a server machine inside the module. */
export class Connection {
  #raw;
  #h;
  constructor(raw, handle, isClient) {
    this.#raw = raw;
    this.#h = handle;
    this.isClient = isClient;
  }
  get handle() { return this.#h; }
  start() { return check(this.#raw.start(this.#h)).out; }
  receive(data) { return check(this.#raw.receive(this.#h, bytes(data))).out; }
  send(data) { return check(this.#raw.send(this.#h, bytes(data))).out; }
  close() { return check(this.#raw.close(this.#h)).out; }
  renegotiate() { return check(this.#raw.renegotiate(this.#h)).out; }
  receiveEOF() { check(this.#raw.receiveEOF(this.#h)); }
  setTime(unixMilli) { check(this.#raw.setTime(this.#h, unixMilli)); }
  events() { return check(this.#raw.events(this.#h)).events; }
  state() { return JSON.parse(check(this.#raw.state(this.#h)).json); }
  keyLog() { return check(this.#raw.keyLog(this.#h)).text; }
  pending() { return check(this.#raw.pending(this.#h)).bytes; }
  destroy() { check(this.#raw.destroy(this.#h)); }
}

/** The loaded module. */
export class SansTLS {
  #raw;
  constructor(raw) { this.#raw = raw; }
  client(config) { return this.#create(true, config); }
  server(config) { return this.#create(false, config); }
  suites() { return this.#raw.suites(); }
  #create(isClient, config) {
    const r = check(this.#raw.create(isClient, JSON.stringify(config ?? {})));
    return new Connection(this.#raw, r.handle, isClient);
  }
}

/**
 * Instantiates the module from a URL, a Response, or its bytes, and resolves
 * to a SansTLS once the Go side has installed its functions.
 */
export async function load(source) {
  if (typeof globalThis.Go !== "function") {
    throw new Error("sanstls: load Go's wasm_exec.js before sanstls.js");
  }
  const go = new globalThis.Go();
  let instance;
  if (typeof source === "string" || source instanceof URL) source = fetch(source);
  if (source instanceof Promise) source = await source;
  if (typeof Response !== "undefined" && source instanceof Response) {
    if (!source.ok) throw new Error(`sanstls: fetching the module: HTTP ${source.status}`);
    instance = (await WebAssembly.instantiateStreaming(source, go.importObject)).instance;
  } else {
    instance = (await WebAssembly.instantiate(bytes(source), go.importObject)).instance;
  }
  const raw = await new Promise((resolve, reject) => {
    globalThis.__sanstlsReady = resolve;
    go.run(instance).then(() => reject(new Error("sanstls: the module exited")), reject);
  });
  delete globalThis.__sanstlsReady;
  return new SansTLS(raw);
}
