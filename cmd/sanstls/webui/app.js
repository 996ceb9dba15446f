// The sanstls web page: drives a client and a server (two connections of the
// sanstls module, GOOS=js) over a wire drawn in the page, one flight at a time.
import { load, SansTLSError } from "./sanstls.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

// With ?run=1 the page keeps its load event open until the run ends (see
// holds in cmd/sanstls/web.go), so that a headless browser that reads the
// DOM at the load event sees the finished run. This must happen before the
// first await.
let holdId = null;
if (params.get("run") === "1") {
  holdId = Math.random().toString(36).slice(2);
  const img = document.createElement("img");
  img.src = `/hold?id=${holdId}`;
  img.alt = "";
  img.hidden = true;
  document.body.append(img);
}
function releaseHold() {
  if (holdId) fetch(`/release?id=${holdId}`).catch(() => {});
  holdId = null;
}

// ---------------------------------------------------------------------------
// Steps of the seed's description of the handshake.

const STEP_NAMES = {
  1: "ClientHello", 2: "ServerHello", 3: "Certificate", 4: "CertificateRequest", 5: "ServerKeyExchange",
  6: "ServerHelloDone", 7: "Certificate", 8: "ClientKeyExchange", 9: "CertificateVerify", 10: "ChangeCipherSpec",
  11: "Finished", 12: "ChangeCipherSpec", 13: "Finished", 14: "Application data", 15: "close_notify",
};
const STEP_DIR = { 1: "c2s", 2: "s2c", 3: "s2c", 4: "s2c", 5: "s2c", 6: "s2c", 7: "c2s", 8: "c2s", 9: "c2s", 10: "c2s", 11: "c2s", 12: "s2c", 13: "s2c", 14: "c2s", 15: "c2s" };
const OPTIONAL = new Set([3, 4, 5, 7, 9]);
// Wire order: CertificateRequest (4) follows ServerKeyExchange (5).
const FULL = [1, 2, 3, 5, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
const ABBREVIATED = [1, 2, 12, 13, 10, 11, 14, 15];

function stepOf(m, fromClient) {
  switch (m.name) {
    case "ClientHello": return 1;
    case "ServerHello": return 2;
    case "Certificate": return fromClient ? 7 : 3;
    case "CertificateRequest": return 4;
    case "ServerKeyExchange": return 5;
    case "ServerHelloDone": return 6;
    case "ClientKeyExchange": return 8;
    case "CertificateVerify": return 9;
    case "ChangeCipherSpec": return fromClient ? 10 : 12;
    case "Finished": return fromClient ? 11 : 13;
    case "application_data": return 14;
    case "Alert": return alertName(m) === "close_notify" ? 15 : 0;
  }
  return 0;
}
function alertName(m) {
  const d = m.fields.find((f) => f.name === "description");
  return d ? d.value.split(" ")[0] : "";
}
function displayName(m) {
  if (m.name === "Alert") {
    const lvl = m.fields.find((f) => f.name === "level");
    const n = alertName(m);
    return n === "close_notify" ? "close_notify" : `Alert: ${lvl ? lvl.value : ""} ${n}`;
  }
  if (m.name === "application_data") return "Application data";
  return m.name;
}

// ---------------------------------------------------------------------------
// Helpers

const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-") || k.startsWith("aria-") || k === "role" || k === "id") e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}
function hexDump(bytes, marks = {}) {
  // marks: {hdr: [start, end), flip: index}
  const pre = el("pre", { class: "hex" });
  for (let off = 0; off < bytes.length; off += 16) {
    pre.append(el("span", { class: "off" }, off.toString(16).padStart(4, "0") + "  "));
    for (let i = off; i < Math.min(off + 16, bytes.length); i++) {
      const s = bytes[i].toString(16).padStart(2, "0");
      let cls = "";
      if (i === marks.flip) cls = "flip";
      else if (marks.hdr && i >= marks.hdr[0] && i < marks.hdr[1]) cls = "hdr";
      pre.append(cls ? el("span", { class: cls }, s) : s, i % 16 === 7 ? "  " : " ");
    }
    pre.append("\n");
  }
  return pre;
}
const CT_NAME = { 20: "change_cipher_spec", 21: "alert", 22: "handshake", 23: "application_data" };

// records splits a flight into TLS records (RFC 5246, Section 6.2).
function records(bytes) {
  const out = [];
  for (let off = 0; off + 5 <= bytes.length;) {
    const len = (bytes[off + 3] << 8) | bytes[off + 4];
    out.push({ type: bytes[off], start: off, len, end: Math.min(off + 5 + len, bytes.length) });
    off += 5 + len;
  }
  return out;
}

// ---------------------------------------------------------------------------
// The diagram model: sections of rows, each row a step of the seed.

class Diagram {
  constructor(root) {
    this.root = root;
    this.sections = [];
    this.root.replaceChildren();
  }
  open(title, order, kind) {
    const s = { title, kind, rows: order.map((n) => ({ step: n, dir: STEP_DIR[n], state: "pending" })) };
    if (kind === "renegotiation") {
      // The connection's close_notify now belongs to the renegotiated part.
      const prev = this.current;
      if (prev) prev.rows = prev.rows.filter((r) => r.state !== "pending" || r.step < 14);
      this.closePending(prev, "not sent before the renegotiation");
    }
    this.sections.push(s);
    this.render();
    return s;
  }
  get current() { return this.sections[this.sections.length - 1]; }
  reason(step, s) {
    if (s.kind === "resumed") return "skipped: the session is resumed (abbreviated handshake)";
    switch (step) {
      case 3: return "not sent: no server certificate";
      case 4: return "not sent: the server did not ask for a client certificate";
      case 5: return "not sent: the key exchange needs no server parameters (RSA)";
      case 7: return "not sent: no certificate was requested";
      case 9: return "not sent: no client certificate to prove";
    }
    return "not sent";
  }
  closePending(s, why, upTo = Infinity) {
    if (!s) return;
    for (const r of s.rows) {
      if (r.state === "pending" && r.step <= upTo) {
        r.state = "skipped";
        r.why = why || this.reason(r.step, s);
      }
    }
  }
  // add puts a sent message in the current section.
  add(m) {
    const s = this.current;
    const i = m.step ? s.rows.findIndex((r) => r.state === "pending" && r.step === m.step && r.dir === m.dir) : -1;
    let row;
    if (i >= 0) {
      row = s.rows[i];
      // Optional steps before it that did not happen are not coming.
      for (const r of s.rows.slice(0, i)) {
        if (r.state === "pending") { r.state = "skipped"; r.why = this.reason(r.step, s); }
      }
    } else {
      let last = -1;
      s.rows.forEach((r, k) => { if (r.state !== "pending") last = k; });
      row = { step: m.step, dir: m.dir };
      s.rows.splice(last + 1, 0, row);
    }
    Object.assign(row, { state: "sent", msg: m, fresh: true });
    this.render();
  }
  render() {
    const open = new Set([...this.root.querySelectorAll("button.msg[aria-expanded=true]")].map((b) => b.dataset.key));
    const frag = document.createDocumentFragment();
    this.sections.forEach((s, si) => {
      const list = el("ol", { class: "rows" });
      s.rows.forEach((r, ri) => list.append(this.renderRow(r, `${si}-${ri}`, open)));
      frag.append(el("section", { class: "section", "data-section": s.kind },
        el("h3", {}, el("span"), el("span", { class: "lane c" }, "Client"), el("span", { class: "title" }, s.title), el("span", { class: "lane s" }, "Server")),
        list));
    });
    this.root.replaceChildren(frag);
  }
  renderRow(r, key, open) {
    const m = r.msg;
    const ct = m ? m.contentType : r.step === 10 || r.step === 12 ? 20 : r.step === 14 ? 23 : r.step === 15 ? 21 : 22;
    const li = el("li", {
      class: `row ${r.dir} ${r.state} ct${ct}${r.fresh ? " fresh" : ""}${m && m.tampered ? " tampered" : ""}`,
      "data-step": String(r.step || ""), "data-state": r.state, "data-name": m ? displayName(m) : STEP_NAMES[r.step], "data-dir": r.dir,
    });
    r.fresh = false;
    const label = el("span", { class: "label" }, m ? displayName(m) : STEP_NAMES[r.step]);
    if (m) {
      label.append(el("span", { class: "meta" }, `${m.raw.length} B`));
      if (m.record) label.append(el("span", { class: "tag" }, `record ${m.record.index + 1}/${m.record.of}`));
      if (m.encrypted) label.append(el("span", { class: "tag enc" }, "encrypted"));
      if (m.tampered) label.append(el("span", { class: "tag bad" }, "tampered"));
      if (m.fatal) label.append(el("span", { class: "tag bad" }, "fatal"));
    } else {
      label.append(el("span", { class: "meta" }, r.state === "skipped" ? r.why : OPTIONAL.has(r.step) ? "optional · waiting" : "waiting"));
    }
    const btn = el("button", { class: "msg", type: "button", "data-key": key },
      el("span", { class: "num" }, r.step ? String(r.step) : "·"),
      el("span", { class: "lanecell c" }, r.dir === "c2s" && m ? "sends" : r.dir === "s2c" && m ? "receives" : ""),
      el("span", { class: "arrow" }, label, el("span", { class: "line" })),
      el("span", { class: "lanecell s" }, r.dir === "s2c" && m ? "sends" : r.dir === "c2s" && m ? "receives" : ""));
    li.append(btn);
    if (!m) {
      btn.setAttribute("aria-disabled", "true");
      btn.setAttribute("aria-label", `step ${r.step} ${STEP_NAMES[r.step]}: ${r.state === "skipped" ? r.why : "waiting"}`);
      return li;
    }
    const detId = `det-${key}`;
    const expanded = open.has(key);
    btn.setAttribute("aria-expanded", String(expanded));
    btn.setAttribute("aria-controls", detId);
    const det = el("div", { class: "details", id: detId });
    det.hidden = !expanded;
    btn.addEventListener("click", () => {
      const now = btn.getAttribute("aria-expanded") !== "true";
      btn.setAttribute("aria-expanded", String(now));
      det.hidden = !now;
      if (now && !det.firstChild) fillDetails(det, m);
    });
    if (expanded) fillDetails(det, m);
    li.append(det);
    return li;
  }
}

function fillDetails(det, m) {
  const t = el("table");
  t.append(el("tr", {}, el("th", {}, "direction"), el("td", {}, m.dir === "c2s" ? "client → server" : "server → client")));
  t.append(el("tr", {}, el("th", {}, "record"), el("td", {},
    `${CT_NAME[m.contentType]} (${m.contentType})` + (m.record ? `, record ${m.record.index + 1} of ${m.record.of} in this flight, ${m.record.len} bytes on the wire` : "") +
    (m.encrypted ? ", encrypted under the negotiated keys" : ", plaintext"))));
  for (const f of m.fields) t.append(el("tr", {}, el("th", {}, f.name), el("td", {}, f.value)));
  det.append(t);
  det.append(el("h4", {}, m.contentType === 23 ? "Plaintext (before encryption)" : m.encrypted ? "Message (before encryption)" : "Message bytes"));
  det.append(hexDump(m.raw, { hdr: m.contentType === 22 ? [0, 4] : null, flip: m.flipInMessage }));
  if (m.record && m.record.bytes) {
    det.append(el("h4", {}, m.encrypted ? "Record as sent (header, then ciphertext and tag)" : "Record as sent"));
    det.append(hexDump(m.record.bytes, { hdr: [0, 5], flip: m.record.flip }));
  }
}

// ---------------------------------------------------------------------------
// Settings

const SETTINGS = ["suite", "group", "key", "auth", "resume", "reneg", "seed", "tamper", "tamperAt"];
function readSettings() {
  return {
    suite: $("suite").value, group: $("group").value, key: $("key").value,
    auth: $("auth").checked, resume: $("resume").checked, reneg: $("reneg").checked,
    seed: Math.max(0, Math.floor(Number($("seed").value) || 0)),
    tamper: $("tamper").value ? Number($("tamper").value) : 0,
    tamperAt: Math.floor(Number($("tamperAt").value) || -1),
  };
}
function applyQuery() {
  for (const k of SETTINGS) {
    if (!params.has(k)) continue;
    const v = params.get(k), e = $(k);
    if (e.type === "checkbox") e.checked = v === "1" || v === "true";
    else e.value = v;
  }
}
function keyForSuite(name) {
  if (/_ECDSA_/.test(name)) return $("key").value === "rsa" ? "ecdsa" : $("key").value;
  if (/^TLS_(RSA|ECDHE_RSA|DHE_RSA)_/.test(name)) return "rsa";
  return $("key").value;
}

// ---------------------------------------------------------------------------
// A run: the conversation as a generator of flights.

class Side {
  constructor(name, conn) {
    this.name = name;           // "client" | "server"
    this.conn = conn;
    this.done = 0;              // completed handshakes
    this.ccs = false;           // has sent ChangeCipherSpec (records now protected)
    this.outbox = [];           // messages sent, not yet attached to a flight
    this.error = null;
    this.received = [];
  }
}

class Run {
  constructor(tls, pki, s, ui) {
    this.tls = tls; this.pki = pki; this.s = s; this.ui = ui;
    this.transcript = { generator: "sanstls web", settings: s, connections: [] };
    this.keyLog = "";
    this.failure = null;
    this.tampered = false;
    this.gen = this.conversation();
    this.finished = false;
  }
  configs(index) {
    const s = this.s, p = this.pki;
    const suites = s.suite ? [s.suite] : [];
    let cg = s.group ? [s.group] : [];
    // RFC 8422, Section 5.1: the client's supported_groups also lists the
    // curves it accepts in ECDSA certificates.
    if (s.key === "ecdsa" && s.group && s.group !== "P-256") cg = [s.group, "P-256"];
    const client = {
      server_name: "localhost", roots_pem: p.ca_pem, alpn: ["http/1.1"], cipher_suites: suites, groups: cg,
      seed: `${s.seed}/client/${index}`,
    };
    const server = {
      cert_pem: p.server_cert_pem, key_pem: p.server_key_pem, alpn: ["http/1.1"], cipher_suites: suites,
      groups: s.group ? [s.group] : [], seed: `${s.seed}/server/${index}`,
    };
    if (s.auth) {
      Object.assign(client, { cert_pem: p.client_cert_pem, key_pem: p.client_key_pem });
      Object.assign(server, { client_auth: "require_and_verify", roots_pem: p.ca_pem });
    }
    if (s.resume) {
      client.session_cache = server.session_cache = `run-${s.seed}`;
      server.ticket_key = BigInt.asUintN(64, BigInt(s.seed) * 0x9e3779b97f4a7c15n + 1n).toString(16).padStart(16, "0").repeat(4);
    }
    if (s.reneg) client.renegotiation = "once";
    return { client, server };
  }
  // drain takes a side's events: sent messages wait in its outbox for the
  // flight that carries them.
  drain(side) {
    for (const e of side.conn.events()) {
      if (e.kind === "message" && e.sent) side.outbox.push(e);
      else if (e.kind === "message") side.received.push(e);
      else if (e.kind === "handshake_done") side.done++;
      else if (e.kind === "error" && !side.error) side.error = e;
    }
  }
  // flight builds the flight object for bytes `from` just produced.
  flight(from, to, bytes) {
    const fromClient = from.name === "client";
    const recs = records(bytes);
    const msgs = from.outbox.splice(0);
    // Assign messages to records: plaintext handshake records carry a
    // stream of messages; a protected record carries the next message(s)
    // of its type.
    let r = 0, used = 0, encOnWire = from.ccs;
    const recEnc = recs.map((rec) => { const e = encOnWire; if (rec.type === 20) encOnWire = true; return e; });
    for (const m of msgs) {
      m.dir = fromClient ? "c2s" : "s2c";
      m.step = stepOf(m, fromClient);
      m.fatal = m.name === "Alert" && m.fields.some((x) => x.name === "level" && x.value === "fatal");
      while (r < recs.length && (recs[r].type !== m.contentType || (!recEnc[r] && used >= recs[r].len) || (recEnc[r] && used > 0 && used + m.raw.length + 16 > recs[r].len))) { r++; used = 0; }
      if (r < recs.length) {
        const rec = recs[r];
        m.record = { index: r, of: recs.length, len: rec.len + 5, start: rec.start, enc: recEnc[r], offset: recEnc[r] ? 0 : used, bytes: bytes.slice(rec.start, rec.end) };
        used += m.raw.length;
        if (!recEnc[r] && used > rec.len) { used -= rec.len; r++; } // continues in the next record
      }
    }
    from.ccs = encOnWire;
    const f = { from: from.name, to: to.name, bytes, records: recs.map((x, i) => ({ ...x, enc: recEnc[i] })), messages: msgs, conn: this.connIndex };
    this.maybeTamper(f);
    return f;
  }
  maybeTamper(f) {
    if (!this.s.tamper || this.tampered || this.connIndex !== 1) return;
    const m = f.messages.find((x) => x.step === this.s.tamper);
    if (!m || !m.record) return;
    const rec = m.record;
    let at;
    if (rec.enc || m.contentType === 23) {
      // Inside a protected record: flip a byte of its ciphertext or tag.
      const n = rec.len - 5;
      const i = this.s.tamperAt < 0 ? n + this.s.tamperAt : Math.min(this.s.tamperAt, n - 1);
      at = rec.start + 5 + Math.max(0, i);
      rec.flip = at - rec.start;
    } else {
      const n = m.raw.length;
      const i = Math.max(0, this.s.tamperAt < 0 ? n + this.s.tamperAt : Math.min(this.s.tamperAt, n - 1));
      at = rec.start + 5 + rec.offset + i;
      if (at >= rec.end) return; // the byte lies in a later record; keep it simple
      m.flipInMessage = i;
      rec.flip = at - rec.start;
    }
    f.bytes[at] ^= 0x01;
    rec.bytes = f.bytes.slice(rec.start, rec.end);
    m.tampered = true;
    f.tampered = true;
    this.tampered = true;
    this.tamperNote = `flipped byte ${at - rec.start - 5} of the ${rec.enc ? "encrypted " : ""}record carrying ${displayName(m)} (step ${m.step}) on its way to the ${f.to}`;
  }
  // deliver hands a flight to its receiver and returns the answer flight,
  // or null. Failures end the conversation (fatal alert flights still go).
  deliver(f, sides) {
    const to = sides[f.to], from = sides[f.from];
    let out;
    try {
      out = to.conn.receive(f.bytes);
    } catch (e) {
      if (!(e instanceof SansTLSError)) throw e;
      out = e.out;
      this.drain(to);
      this.failure = this.failure || { by: to.name, error: to.error || { message: e.message, alertName: "", remote: e.remote } };
    }
    this.drain(to);
    return out && out.length ? this.flight(to, from, out) : null;
  }
  *exchange(first, sides) {
    let f = first;
    while (f) {
      yield f;
      f = this.deliver(f, sides);
      if (this.failure && f) { yield f; this.deliver(f, sides); return; }
      if (this.failure) return;
    }
  }
  *act(side, sides, call) {
    let out;
    try {
      out = call();
    } catch (e) {
      if (!(e instanceof SansTLSError)) throw e;
      this.failure = { by: side.name, error: { message: e.message } };
      return;
    }
    this.drain(side);
    const other = side === sides.client ? sides.server : sides.client;
    if (out.length) yield* this.exchange(this.flight(side, other, out), sides);
  }
  *conversation() {
    const count = this.s.resume ? 2 : 1;
    for (let i = 1; i <= count && !this.failure; i++) {
      this.connIndex = i;
      const cfg = this.configs(i);
      const sides = { client: new Side("client", this.tls.client(cfg.client)), server: new Side("server", this.tls.server(cfg.server)) };
      this.sides = sides;
      for (const x of Object.values(sides)) x.conn.setTime(this.pki.time_ms);
      const record = { index: i, flights: [] };
      this.transcript.connections.push(record);
      this.ui.openSection(i === 1 ? "Connection 1 · full handshake" : "Connection 2 · resumes the session", i === 1 ? FULL : ABBREVIATED, i === 1 ? "full" : "resumed");
      this.ui.peers(sides, "handshaking");

      yield* this.act(sides.client, sides, () => sides.client.conn.start());
      if (this.failure) break;
      yield* this.act(sides.client, sides, () => sides.client.conn.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
      yield* this.act(sides.server, sides, () => sides.server.conn.send("HTTP/1.1 200 OK\r\n\r\nhello from the sanstls server"));
      if (this.failure) break;
      if (this.s.reneg && i === 1) {
        this.ui.openSection("Renegotiation · a new handshake under the current keys (RFC 5746)", FULL.slice(), "renegotiation");
        yield* this.act(sides.server, sides, () => sides.server.conn.renegotiate());
        if (this.failure) break;
        yield* this.act(sides.client, sides, () => sides.client.conn.send("hello again, after the renegotiation"));
        if (this.failure) break;
      }
      this.state = { client: sides.client.conn.state(), server: sides.server.conn.state() };
      this.keyLog += sides.client.conn.keyLog();
      yield* this.act(sides.client, sides, () => sides.client.conn.close());
      yield* this.act(sides.server, sides, () => sides.server.conn.close());
      if (this.failure) break;
      sides.client.conn.receiveEOF();
      sides.server.conn.receiveEOF();
      this.ui.endSection();
      this.ui.peers(sides, "closed");
      record.state = this.state;
      for (const x of Object.values(sides)) x.conn.destroy();
    }
    if (this.failure) {
      this.keyLog = this.keyLog || (this.sides ? this.sides.client.conn.keyLog() : "");
      this.ui.endSection();
      this.ui.peers(this.sides, "failed");
    }
  }
  // step sends the next flight; it returns false when the run is over.
  step() {
    if (this.finished) return false;
    const r = this.gen.next();
    if (r.done) {
      this.finished = true;
      return false;
    }
    const f = r.value;
    this.transcript.connections[this.transcript.connections.length - 1].flights.push({
      from: f.from, to: f.to, bytes_hex: hex(f.bytes), tampered: !!f.tampered,
      records: f.records.map((x) => ({ type: CT_NAME[x.type] || x.type, length: x.len, encrypted: x.enc })),
      messages: f.messages.map((m) => ({
        step: m.step, name: displayName(m), content_type: CT_NAME[m.contentType], encrypted: m.encrypted,
        raw_hex: hex(m.raw), fields: Object.fromEntries(m.fields.map((x) => [x.name, x.value])),
      })),
    });
    this.ui.showFlight(f);
    return true;
  }
}

// ---------------------------------------------------------------------------
// The page

const ui = {
  diagram: null,
  stats: {},
  openSection(title, order, kind) { this.diagram.open(title, order, kind); },
  endSection() { this.diagram.closePending(this.diagram.current); this.diagram.render(); },
  peers(sides, what) {
    for (const name of ["client", "server"]) {
      const box = $(`${name}Box`), st = $(`${name}State`), side = sides && sides[name];
      box.classList.remove("done", "failed", "busy");
      if (what === "failed") {
        const e = side && side.error;
        box.classList.add("failed");
        st.textContent = e ? (e.alertName ? `${e.remote ? "received" : "sent"} fatal ${e.alertName}` : e.message) : "stopped";
      } else if (what === "closed") {
        box.classList.add("done");
        st.textContent = "closed cleanly";
      } else st.textContent = what;
    }
  },
  showFlight(f) {
    for (const m of f.messages) this.diagram.add(m);
    const flight = $("flight");
    flight.hidden = false;
    flight.className = `flight ${f.from === "client" ? "c2s" : "s2c"}${f.tampered ? " tampered" : ""}`;
    flight.replaceChildren(...f.records.map((r) => el("span", { class: `rec ct${r.type}${r.enc ? " enc" : ""}` },
      `${CT_NAME[r.type] || r.type} · ${r.len + 5} B`)));
    flight.style.transition = "none";
    flight.style.left = f.from === "client" ? "12%" : "88%";
    void flight.offsetWidth;
    flight.style.transition = "";
    flight.style.left = f.from === "client" ? "88%" : "12%";
    $("wireLabel").textContent = `${f.from} → ${f.to}: ${f.records.length} record${f.records.length === 1 ? "" : "s"}, ${f.bytes.length} bytes` +
      (f.tampered ? " · one byte flipped" : "");
    $(`${f.from}Box`).classList.add("busy");
    $(`${f.to}Box`).classList.remove("busy");
    const names = f.messages.map(displayName);
    const stats = (this.stats[f.from] ||= { bytes: 0, records: 0, flights: 0 });
    stats.bytes += f.bytes.length; stats.records += f.records.length; stats.flights++;
    $(`${f.from}Stats`).textContent = `${stats.bytes} bytes sent in ${stats.records} records, ${stats.flights} flights`;
    $(`${f.from}State`).textContent = `sent ${names.join(", ") || "records"}`;
  },
};

let tls, run = null, timer = null;
function status(text, cls = "") {
  const s = $("status");
  s.textContent = text;
  s.className = `status ${cls}`;
}
function setButtons(running) {
  $("run").disabled = running;
  $("step").disabled = false;
  $("reset").disabled = false;
  $("export").disabled = !run;
}

async function fetchPKI(s) {
  const r = await fetch(`/pki?seed=${s.seed}&key=${s.key}`);
  if (!r.ok) throw new Error(`certificates: HTTP ${r.status}`);
  return r.json();
}

async function newRun() {
  stop();
  const s = readSettings();
  status("Preparing certificates…");
  const pki = await fetchPKI(s);
  ui.diagram = new Diagram($("diagram"));
  ui.stats = {};
  for (const n of ["client", "server"]) { $(`${n}Stats`).textContent = "0 bytes sent"; $(`${n}State`).textContent = "idle"; $(`${n}Box`).className = `peer ${n}`; }
  $("result").hidden = true;
  $("alertBox").hidden = true;
  $("flight").hidden = true;
  run = new Run(tls, pki, s, ui);
  window.sanstlsRun = run;
  status(`Ready: server key ${pki.server_key}, seed ${s.seed}`);
  return run;
}

function finish() {
  stop();
  const r = run;
  r.finished = true;
  $("step").disabled = false; // a new step starts a new run
  $("run").disabled = false;
  $("export").disabled = false;
  $("result").hidden = false;
  const st = r.state ? r.state.client : r.sides ? r.sides.client.conn.state() : null;
  if (st) {
    const chosen = r.transcript.connections.flatMap((c) => c.flights.flatMap((f) => f.messages)).find((m) => m.name === "ServerHello");
    $("negSuite").textContent = st.cipher_suite ||
      (chosen ? `${chosen.fields.cipher_suite} (chosen by the ServerHello; the handshake did not finish)` : "none (the handshake did not finish)");
    $("negGroup").textContent = st.group || "– (RSA key exchange)";
    $("negSig").textContent = st.signature_scheme || "–";
    $("negEMS").textContent = st.extended_master_secret ? "yes (RFC 7627)" : "no";
    $("negReneg").textContent = st.secure_renegotiation ? `yes (RFC 5746)${st.renegotiations ? `, ${st.renegotiations} done` : ""}` : "no";
    $("negResumed").textContent = r.s.resume ? (st.resumed ? "yes: connection 2 resumed" : "no") : "not tried";
  }
  $("keyLog").textContent = r.keyLog.trim() || "(no key log: the handshake did not reach its keys)";
  r.transcript.key_log = r.keyLog;
  r.transcript.negotiated = st;
  if (r.failure) {
    const e = r.failure.error || {};
    const box = $("alertBox");
    box.hidden = false;
    const who = e.alertName ? (e.remote ? `the ${r.failure.by === "client" ? "server" : "client"}` : `the ${r.failure.by}`) : `the ${r.failure.by}`;
    box.textContent = e.alertName
      ? `${r.tampered ? `Tampered: ${r.tamperNote}. ` : ""}The handshake failed: ${who} sent a fatal ${e.alertName} alert${e.reason && e.reason !== e.alertName ? ` (${e.reason})` : ""}.`
      : `The run stopped: ${e.message}`;
    box.dataset.alert = e.alertName || "";
    box.dataset.sender = e.alertName ? (e.remote ? (r.failure.by === "client" ? "server" : "client") : r.failure.by) : "";
    r.transcript.failure = { alert: e.alertName || null, sent_by: box.dataset.sender || null, message: e.message, tamper: r.tamperNote || null };
    status(e.alertName ? `Failed: ${e.alertName} from the ${box.dataset.sender}` : "Failed", "bad");
  } else {
    status(`Done · ${st ? st.cipher_suite : ""}`, "ok");
  }
  document.body.dataset.done = r.failure ? "failed" : "ok";
  releaseHold();
}

function advance() {
  if (!run || run.finished) return false;
  let more;
  try {
    more = run.step();
  } catch (e) {
    run.failure = run.failure || { by: "page", error: { message: String(e && e.message || e) } };
    more = false;
  }
  if (!more) finish();
  return more;
}

function stop() {
  if (timer) clearTimeout(timer);
  timer = null;
}

async function runAll() {
  try {
    document.body.dataset.done = "";
    await newRun();
    setButtons(true);
    status("Running…");
    const pace = params.has("speed") ? Math.max(0, Number(params.get("speed"))) : 700;
    const tick = () => {
      timer = null;
      if (advance()) timer = setTimeout(tick, pace);
    };
    tick();
  } catch (e) {
    status(`Error: ${e.message}`, "bad");
    releaseHold();
  }
}

async function stepOnce() {
  try {
    if (!run || run.finished) {
      document.body.dataset.done = "";
      await newRun();
      setButtons(false);
    }
    stop();
    $("run").disabled = false;
    advance();
  } catch (e) {
    status(`Error: ${e.message}`, "bad");
  }
}

function exportTranscript() {
  if (!run) return;
  const blob = new Blob([JSON.stringify(run.transcript, null, 2)], { type: "application/json" });
  const a = el("a", { href: URL.createObjectURL(blob), download: `sanstls-seed${run.s.seed}.json` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function fillSuites() {
  const sel = $("suite");
  const secure = el("optgroup", { label: "Secure (default set)" });
  const legacy = el("optgroup", { label: "Legacy (opt-in)" });
  for (const s of tls.suites()) (s.default ? secure : legacy).append(el("option", { value: s.name }, s.name));
  sel.append(secure, legacy);
}

async function main() {
  ui.diagram = new Diagram($("diagram"));
  ui.diagram.open("Connection 1 · full handshake", FULL, "full");
  try {
    tls = await load(fetch("sanstls.wasm"));
  } catch (e) {
    status(`Could not load the module: ${e.message}`, "bad");
    releaseHold();
    return;
  }
  fillSuites();
  applyQuery();
  $("suite").addEventListener("change", () => { if ($("suite").value) $("key").value = keyForSuite($("suite").value); });
  $("controls").addEventListener("submit", (e) => { e.preventDefault(); runAll(); });
  $("step").addEventListener("click", stepOnce);
  $("reset").addEventListener("click", () => {
    stop();
    run = null;
    ui.diagram = new Diagram($("diagram"));
    ui.diagram.open("Connection 1 · full handshake", FULL, "full");
    ui.stats = {};
    for (const n of ["client", "server"]) { $(`${n}Stats`).textContent = "0 bytes sent"; $(`${n}State`).textContent = "idle"; $(`${n}Box`).className = `peer ${n}`; }
    $("result").hidden = true;
    $("flight").hidden = true;
    $("wireLabel").textContent = "the wire · bytes pass here";
    $("run").disabled = false;
    $("export").disabled = true;
    document.body.dataset.done = "";
    status("Ready: press Run, or Step through one flight at a time");
  });
  $("export").addEventListener("click", exportTranscript);
  document.addEventListener("keydown", (e) => {
    if (e.key === "n" && !e.ctrlKey && !e.metaKey && !e.altKey && !/^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName)) {
      e.preventDefault();
      stepOnce();
    }
  });
  $("run").disabled = false;
  $("step").disabled = false;
  status("Ready: press Run, or Step through one flight at a time");
  window.sanstlsTranscript = () => (run ? run.transcript : null);
  if (params.get("run") === "1") runAll();
}

main();
