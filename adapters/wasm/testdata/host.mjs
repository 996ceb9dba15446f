// host.mjs drives the sanstls wasm module from Node (node:wasi, preview1):
// it runs a client and a server, pumps bytes between them, and prints one
// JSON object describing what each side saw. TestNodeHost in
// ../e2e_test.go builds the module, writes the job file and checks the
// output.
//
// Usage: node --no-warnings host.mjs sanstls.wasm job.json
//
// The job file holds the two HostConfigs ("client", "server"), the message
// the client sends ("message"), the payload the server sends
// ("payload_b64"), and two times in Unix milliseconds: one inside the
// certificates' validity ("valid_ms") and one after it ("expired_ms").

import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { WASI } from 'node:wasi';

const [wasmPath, jobPath] = process.argv.slice(2);
const job = JSON.parse(await readFile(jobPath, 'utf8'));
const wasmModule = await WebAssembly.compile(await readFile(wasmPath));
const enc = new TextEncoder();
const dec = new TextDecoder();

const EVENT_APP_DATA = 2;

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

// Lib is one instance of the module.
class Lib {
  static async instantiate() {
    const wasi = new WASI({ version: 'preview1', returnOnExit: true });
    const instance = await WebAssembly.instantiate(wasmModule, wasi.getImportObject());
    wasi.initialize(instance); // runs _initialize: the Go runtime and package init
    return new Lib(instance.exports);
  }

  constructor(ex) {
    this.ex = ex;
  }

  // mem is a fresh view: linear memory may have grown during the last call.
  mem() {
    return new Uint8Array(this.ex.memory.buffer);
  }

  copy(ptr, len) {
    ptr >>>= 0;
    return this.mem().slice(ptr, ptr + len);
  }

  text() {
    return dec.decode(this.copy(this.ex.sanstls_text_ptr(), this.ex.sanstls_text_len()));
  }

  // withBytes lends a module buffer holding bytes to fn(ptr, len).
  withBytes(bytes, fn) {
    if (bytes.length === 0) return fn(0, 0);
    const p = this.ex.sanstls_alloc(bytes.length) >>> 0;
    if (p === 0) throw new Error('sanstls_alloc: ' + this.text());
    this.mem().set(bytes, p);
    try {
      return fn(p, bytes.length);
    } finally {
      if (this.ex.sanstls_free(p) !== 0) throw new Error('sanstls_free: ' + this.text());
    }
  }
}

// Endpoint is one connection: its handle and what it has seen.
class Endpoint {
  constructor(lib, kind, cfg) {
    this.lib = lib;
    const json = enc.encode(JSON.stringify(cfg));
    this.h = lib.withBytes(json, (p, n) => lib.ex['sanstls_' + kind](p, n));
    if (this.h <= 0) throw new Error(`sanstls_${kind}: ${this.h}: ${lib.text()}`);
    this.pending = new Uint8Array(0); // received bytes not yet consumed
    this.received = []; // application data chunks (copies)
    this.events = []; // event kinds other than app data, in order
    this.code = 0; // the first negative code a receive returned
    this.text = '';
    this.receiveCalls = 0;
    this.maxNeed = 0;
  }

  out() {
    const ex = this.lib.ex;
    return this.lib.copy(ex.sanstls_out_ptr(this.h), ex.sanstls_out_len(this.h));
  }

  check(name, rc) {
    if (rc < 0) throw new Error(`${name}: ${rc}: ${this.lib.text()}`);
    return rc;
  }

  setTime(ms) {
    this.check('sanstls_set_time', this.lib.ex.sanstls_set_time(this.h, BigInt(ms)));
  }

  start() {
    this.check('sanstls_start', this.lib.ex.sanstls_start(this.h));
    return this.out();
  }

  send(bytes) {
    this.lib.withBytes(bytes, (p, n) => this.check('sanstls_send', this.lib.ex.sanstls_send(this.h, p, n)));
    return this.out();
  }

  close() {
    this.check('sanstls_close', this.lib.ex.sanstls_close(this.h));
    return this.out();
  }

  state() {
    this.check('sanstls_state', this.lib.ex.sanstls_state(this.h));
    return JSON.parse(this.lib.text());
  }

  // feed hands newly arrived bytes to the connection, following the loop in
  // the package documentation, and returns the bytes to send back.
  feed(bytes) {
    if (this.code < 0) return new Uint8Array(0); // dead: drop input
    const lib = this.lib;
    const ex = lib.ex;
    const all = concat(this.pending, bytes);
    const outs = [];
    lib.withBytes(all, (p, len) => {
      let off = 0;
      for (;;) {
        this.receiveCalls++;
        const rc = ex.sanstls_receive(this.h, p + off, len - off);
        outs.push(this.out()); // also on failure: it holds the alert
        if (rc < 0) {
          this.code = rc;
          this.text = lib.text();
          break;
        }
        off += rc;
        this.maxNeed = Math.max(this.maxNeed, ex.sanstls_need_bytes(this.h));
        let events = 0;
        for (let k; (k = ex.sanstls_next_event(this.h)) !== 0; events++) {
          if (k < 0) throw new Error(`sanstls_next_event: ${k}`);
          if (k === EVENT_APP_DATA) {
            this.received.push(lib.copy(ex.sanstls_event_ptr(this.h), ex.sanstls_event_len(this.h)));
          } else {
            this.events.push(k);
          }
        }
        if (rc === 0 && events === 0) break;
      }
      this.pending = this.code < 0 ? new Uint8Array(0) : lib.copy(p + off, len - off);
    });
    return concat(...outs);
  }

  receivedBytes() {
    return concat(...this.received);
  }
}

// deliver feeds bytes to ep in chunks of at most chunk bytes.
function deliver(ep, bytes, chunk) {
  const outs = [];
  for (let i = 0; i < bytes.length; i += chunk) outs.push(ep.feed(bytes.subarray(i, i + chunk)));
  return concat(...outs);
}

// exchange moves bytes both ways until neither side has anything to say.
function exchange(client, server, c2s, s2c, chunk) {
  for (let round = 0; c2s.length > 0 || s2c.length > 0; round++) {
    if (round > 100) throw new Error('no quiescence after 100 rounds');
    const fromServer = deliver(server, c2s, chunk);
    const fromClient = deliver(client, concat(s2c, fromServer), chunk);
    c2s = fromClient;
    s2c = new Uint8Array(0);
  }
}

const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const payload = Uint8Array.from(Buffer.from(job.payload_b64, 'base64'));
const message = enc.encode(job.message);

// modules: client and server in separate instances, whole flights, host-set
// time; the server sends a payload of several records; both close.
async function modules() {
  const client = new Endpoint(await Lib.instantiate(), 'client', job.client);
  const server = new Endpoint(await Lib.instantiate(), 'server', job.server);
  client.setTime(job.valid_ms);
  server.setTime(job.valid_ms);
  exchange(client, server, client.start(), new Uint8Array(0), Infinity);
  const c2s = client.send(message);
  const s2c = server.send(payload);
  exchange(client, server, c2s, s2c, Infinity);
  exchange(client, server, client.close(), server.close(), Infinity);
  return {
    client_state: client.state(),
    server_state: server.state(),
    server_received: dec.decode(server.receivedBytes()),
    client_received_len: client.receivedBytes().length,
    client_received_sha256: sha256(client.receivedBytes()),
    client_events: client.events,
    server_events: server.events,
    client_code: client.code,
    server_code: server.code,
    client_eof: client.lib.ex.sanstls_receive_eof(client.h),
    server_eof: server.lib.ex.sanstls_receive_eof(server.h),
    destroy: [client.lib.ex.sanstls_destroy(client.h), server.lib.ex.sanstls_destroy(server.h)],
  };
}

// bytewise: both handles in one instance, every byte delivered alone, WASI
// clock; the server echoes the client's message.
async function bytewise() {
  const lib = await Lib.instantiate();
  const client = new Endpoint(lib, 'client', job.client);
  const server = new Endpoint(lib, 'server', job.server);
  exchange(client, server, client.start(), new Uint8Array(0), 1);
  exchange(client, server, client.send(message), new Uint8Array(0), 1);
  exchange(client, server, new Uint8Array(0), server.send(server.receivedBytes()), 1);
  return {
    client_state: client.state(),
    server_state: server.state(),
    server_received: dec.decode(server.receivedBytes()),
    client_received: dec.decode(client.receivedBytes()),
    client_events: client.events,
    server_events: server.events,
    client_code: client.code,
    server_code: server.code,
    receive_calls: client.receiveCalls + server.receiveCalls,
    max_need_bytes: Math.max(client.maxNeed, server.maxNeed),
    distinct_handles: client.h !== server.h,
  };
}

// expired: the client's clock is past the server certificate's validity.
async function expired() {
  const lib = await Lib.instantiate();
  const client = new Endpoint(lib, 'client', job.client);
  const server = new Endpoint(lib, 'server', job.server);
  client.setTime(job.expired_ms);
  exchange(client, server, client.start(), new Uint8Array(0), Infinity);
  return {
    client_code: client.code,
    client_text: client.text,
    server_code: server.code,
    server_text: server.text,
    close_after_failure: lib.ex.sanstls_close(client.h),
  };
}

// misuse: calls that must fail, with the code each returned.
async function misuse() {
  const lib = await Lib.instantiate();
  const ex = lib.ex;
  const client = new Endpoint(lib, 'client', job.client);
  const server = new Endpoint(lib, 'server', job.server);
  const sendEarly = lib.withBytes(message, (p, n) => ex.sanstls_send(client.h, p, n));
  const badConfig = lib.withBytes(enc.encode('{"no_such_option": 1}'), (p, n) => ex.sanstls_client(p, n));
  const badConfigText = lib.text();
  client.start();
  const startTwice = ex.sanstls_start(client.h);
  const eof = ex.sanstls_receive_eof(client.h);
  ex.sanstls_destroy(server.h);
  return {
    send_before_handshake: sendEarly,
    start_on_server: (() => {
      const s = new Endpoint(lib, 'server', job.server);
      return ex.sanstls_start(s.h);
    })(),
    start_twice: startTwice,
    bad_config: badConfig,
    bad_config_text: badConfigText,
    bad_buffer: ex.sanstls_receive(client.h, 8, 16),
    alloc_zero: ex.sanstls_alloc(0),
    free_unlent: ex.sanstls_free(8),
    truncated: eof,
    destroyed_handle: ex.sanstls_start(server.h),
  };
}

const result = {
  exports: WebAssembly.Module.exports(wasmModule).map((e) => e.name),
  modules: await modules(),
  bytewise: await bytewise(),
  expired: await expired(),
  misuse: await misuse(),
};
process.stdout.write(JSON.stringify(result) + '\n');
