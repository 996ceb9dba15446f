// Unit test host for the GOOS=js binding: node js_host.mjs <wasm_exec.js>
// <sanstls.wasm> <job.json>. It drives js/sanstls.js and prints what it saw
// as JSON; js_test.go judges it.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [wasmExec, wasmPath, jobPath] = process.argv.slice(2);
createRequire(import.meta.url)(wasmExec); // defines globalThis.Go
const { load, SansTLSError } = await import(pathToFileURL(new URL("../js/sanstls.js", import.meta.url).pathname));
const job = JSON.parse(readFileSync(jobPath, "utf8"));
const tls = await load(readFileSync(wasmPath));
const out = {};

// pump delivers flights between a and b, starting with bytes for `to`,
// until neither answers; tamper(flightIndex, bytes) may alter a flight.
function pump(from, to, b, tamper) {
  let flights = 0;
  for (let i = 0; i < 20 && b.length > 0; i++) {
    if (tamper) tamper(flights, b);
    flights++;
    try {
      b = to.receive(b);
    } catch (e) {
      if (!(e instanceof SansTLSError)) throw e;
      try { from.receive(e.out); } catch (e2) { /* the peer fails too */ }
      return e;
    }
    [from, to] = [to, from];
  }
  return null;
}

function names(events, sent) {
  return events.filter((e) => e.kind === "message" && e.sent === sent).map((e) => e.name);
}

// 1. A full handshake, data both ways, close.
{
  const c = tls.client(job.client);
  const s = tls.server(job.server);
  const err = pump(c, s, c.start());
  const ce = c.events(), se = s.events();
  out.full = {
    error: err ? err.message : "",
    client_sent: names(ce, true),
    server_sent: names(se, true),
    client_received: names(ce, false),
    done: [ce.some((e) => e.kind === "handshake_done"), se.some((e) => e.kind === "handshake_done")],
    hello_fields: Object.fromEntries(ce.find((e) => e.name === "ClientHello").fields.map((f) => [f.name, f.value])),
    encrypted: se.filter((e) => e.kind === "message" && e.sent).map((e) => e.encrypted),
    raw_is_bytes: ce.every((e) => e.kind !== "message" || e.raw instanceof Uint8Array),
    state: c.state(),
    key_log: c.keyLog(),
  };
  const rec = c.send("ping from node");
  // Split the record: the first part is kept until the rest arrives.
  const first = s.receive(rec.subarray(0, 3));
  out.full.pending = s.pending();
  s.receive(rec.subarray(3));
  out.full.first_part_answer = first.length;
  out.full.server_data = new TextDecoder().decode(s.events().find((e) => e.kind === "data").data);
  s.receive(c.close());
  out.full.peer_closed = s.events().some((e) => e.kind === "peer_closed");
  s.receiveEOF();
  c.destroy();
  try { c.state(); out.full.after_destroy = "no error"; } catch (e) { out.full.after_destroy = e.code; }
  s.destroy();
}

// 2. Misuse throws SansTLSError with the ABI's code.
{
  const c = tls.client(job.client);
  try { c.send("too early"); out.send_early = "no error"; } catch (e) { out.send_early = e.code; }
  try { tls.client({ servername: "x" }); out.bad_config = "no error"; } catch (e) { out.bad_config = e.code; }
  c.destroy();
}

// 3. Tamper: flip the last byte of the client's second flight (its Finished).
{
  const c = tls.client(job.client);
  const s = tls.server(job.server);
  const err = pump(c, s, c.start(), (i, b) => { if (i === 2) b[b.length - 1] ^= 1; });
  const srvErr = s.events().find((e) => e.kind === "error");
  const cliErr = c.events().find((e) => e.kind === "error");
  out.tamper = {
    thrown_alert: err ? err.alert : -1,
    thrown_remote: err ? err.remote : null,
    server_event: srvErr ?? null,
    client_event: cliErr ?? null,
  };
}

// 4. Resumption through a named store, and a renegotiation.
{
  const cc = { ...job.client, session_cache: "node", renegotiation: "once" };
  const sc = { ...job.server, session_cache: "node", ticket_key: "11".repeat(32) };
  const c1 = tls.client(cc), s1 = tls.server(sc);
  pump(c1, s1, c1.start());
  const err = pump(s1, c1, s1.renegotiate());
  out.renegotiation = { error: err ? err.message : "", count: c1.state().renegotiations };
  c1.events(); s1.events();
  const c2 = tls.client(cc), s2 = tls.server(sc);
  pump(c2, s2, c2.start());
  out.resumed = { state: c2.state(), client_sent: names(c2.events(), true) };
}

// 5. A seed makes the ClientHello reproducible.
{
  const hello = (seed) => Array.from(tls.client({ ...job.client, seed }).start()).join(",");
  out.seeded_equal = hello("7") === hello("7");
  out.seeded_differ = hello("7") !== hello("8");
}

out.suites = tls.suites().map((s) => s.name);
process.stdout.write(JSON.stringify(out));
