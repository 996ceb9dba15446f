// Package wasm exposes the sans-IO TLS 1.2 machine ([machine.Conn]) to a
// WebAssembly host through a small handle-based ABI: the host moves bytes
// between the module and its transport (a WebSocket, a TCP socket of its
// runtime, another module), and the module never blocks, sleeps or starts
// goroutines. This is the shape the machine was built for: in a wasm host a
// call that blocks stalls everything (golang/go#25902).
//
// # Targets
//
// The package has two bindings over one core (the handle table, the
// HostConfig JSON, the status codes and the [Module] type, which build and
// are tested on every platform):
//
//   - GOOS=wasip1: the sanstls_* exports below, made with //go:wasmexport
//     (Go 1.24 or later) as a WASI reactor. It runs in Node's built-in
//     node:wasi, wasmtime, wazero and browsers with a WASI shim, without Go's
//     wasm_exec.js. Build it with
//
//     GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o sanstls.wasm ./adapters/wasm/cmd/sanstls-wasm
//
//     instantiate it with the WASI preview1 imports and call its _initialize
//     export once. Randomness comes from WASI random_get; time comes from
//     WASI clock_time_get unless the host sets it per connection with
//     sanstls_set_time.
//
//   - GOOS=js: ServeJS (binding_js.go, syscall/js) for browsers and Node, loaded by
//     js/sanstls.js with the wasm_exec.js of the Go release that built it;
//     js/sanstls.d.ts types the API. Each call takes received bytes or data
//     and returns one flight of bytes to send; the connection keeps partial
//     records and a queue of events, including every handshake message sent
//     and received, decoded by the program's [Decoder] (see [HostEvent]).
//     Build it with
//
//     GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o sanstls.wasm ./adapters/wasm/cmd/sanstls-js
//
//     `sanstls web` builds and serves it with a page that draws the
//     handshake.
//
// Neither binding blocks inside a call: a call from JavaScript runs the
// machine and returns (in a wasm host a call that blocks stalls
// everything).
//
// The rest of this documentation describes the wasip1 ABI.
//
// # Types and results
//
// Every parameter and result is an i32, except the i64 time of
// sanstls_set_time. Addresses are unsigned offsets into the module's linear
// memory (in JavaScript, read them with ptr >>> 0). Functions that can fail
// return a negative status code (CodeBadHandle and the other Code
// constants, or an alert code, see [AlertCode]) and put a message in the
// text register; the others return a count, a handle or an event kind.
//
// # Memory: who allocates, and for how long
//
// The module allocates all memory; the host never writes outside a buffer
// it was lent.
//
//   - Input (config JSON, received bytes, bytes to send): the host asks for a
//     buffer with sanstls_alloc(size) -> ptr, writes into it, passes ptr
//     (or any address inside it) and a length, and gives it back with
//     sanstls_free(ptr). A range that is not inside one lent buffer is
//     refused with CodeBadBuffer. A buffer may be reused for any number of
//     calls.
//   - Output: each connection has an output view, sanstls_out_ptr(h) and
//     sanstls_out_len(h), holding the bytes the last start, receive, send
//     or close produced. Send them to the peer in order. The view is valid
//     until the next of those calls on the same handle.
//   - Events: sanstls_next_event(h) returns a kind; sanstls_event_ptr(h),
//     sanstls_event_len(h) and sanstls_event_alert(h) describe it.
//     Application data is decrypted in place, so the event view points into
//     the host's own input buffer; it is valid until the next call on h that
//     takes input or produces output, and until that buffer is freed.
//   - Text: sanstls_text_ptr() and sanstls_text_len() hold the message of
//     the last failed call, or the JSON of the last sanstls_state(h),
//     whichever came last.
//
// The Go runtime may grow linear memory during any call, which detaches a
// JavaScript host's ArrayBuffer: take a fresh view of memory.buffer after
// each call. Copy out whatever must outlive a view's lifetime.
//
// # Functions
//
//	sanstls_alloc(size) -> ptr            0 on failure (see the text register)
//	sanstls_free(ptr) -> code
//	sanstls_client(cfg_ptr, cfg_len) -> h  h > 0, or a code; cfg is HostConfig JSON
//	sanstls_server(cfg_ptr, cfg_len) -> h
//	sanstls_set_time(h, unix_ms: i64) -> code   0 = back to the WASI clock
//	sanstls_start(h) -> code              client: ClientHello in the output view
//	sanstls_receive(h, ptr, len) -> consumed or code
//	sanstls_next_event(h) -> kind         EventNone (0) when drained
//	sanstls_event_ptr(h), sanstls_event_len(h), sanstls_event_alert(h)
//	sanstls_send(h, ptr, len) -> code     records in the output view
//	sanstls_close(h) -> code              close_notify in the output view
//	sanstls_receive_eof(h) -> code        0 after close_notify, else CodeTruncated
//	sanstls_out_ptr(h), sanstls_out_len(h)
//	sanstls_need_bytes(h) -> n            bytes the partial record still lacks
//	sanstls_state(h) -> len               ConnState JSON in the text register
//	sanstls_text_ptr(), sanstls_text_len()
//	sanstls_destroy(h) -> code            the handle becomes invalid
//
// # Driving a connection
//
// The host runs the same loop as any caller of [machine.Conn]:
//
//  1. Create the connection; a client calls sanstls_start and sends the
//     output view.
//  2. When bytes arrive, append them to the unconsumed bytes kept from
//     before, in a lent buffer, and call sanstls_receive(h, ptr, len). Send
//     the output view (also when the result is an alert code: it then holds
//     the alert). Advance ptr and len by the consumed count, then drain
//     sanstls_next_event until it returns EventNone. Repeat while the call
//     consumed bytes or produced events; keep what is left for next time
//     (sanstls_need_bytes says how much more it needs).
//  3. After EventHandshakeDone, sanstls_send seals data; before, it returns
//     CodeNotReady.
//  4. sanstls_close produces close_notify; when the transport ends, call
//     sanstls_receive_eof. Then sanstls_destroy.
//
// In JavaScript, with ex the instance's exports:
//
//	const mem = () => new Uint8Array(ex.memory.buffer);
//	const p = ex.sanstls_alloc(pending.length) >>> 0;
//	mem().set(pending, p);
//	let off = 0;
//	for (;;) {
//	  const rc = ex.sanstls_receive(h, p + off, pending.length - off);
//	  const o = ex.sanstls_out_ptr(h) >>> 0;
//	  transport.write(mem().slice(o, o + ex.sanstls_out_len(h)));
//	  if (rc < 0) throw new Error(readText());
//	  off += rc;
//	  let events = 0;
//	  for (let k; (k = ex.sanstls_next_event(h)) !== 0; events++) {
//	    // k === 2: data at sanstls_event_ptr(h), sanstls_event_len(h)
//	  }
//	  if (rc === 0 && events === 0) break;
//	}
//	pending = mem().slice(p + off, p + pending.length);
//	ex.sanstls_free(p);
//
// testdata/host.mjs is a complete host that runs a client and a server,
// each in its own module instance and both in one, under Node.
//
// # Limits
//
// One buffer is at most [MaxBufferSize] bytes and at most [MaxLentBytes] are
// lent at once; at most [MaxHandles] connections exist at once. The config
// exposes the common options ([HostConfig]), resumption through named
// session stores and the client's renegotiation policy; deferred
// certificate verification is not exposed, and only the GOOS=js binding
// can start a renegotiation. A module
// instance is single threaded, like every wasm instance without threads.
package wasm
