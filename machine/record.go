package machine

import (
	"github.com/sanstls/sanstls/keys"
	"github.com/sanstls/sanstls/messages"
)

// recordVersion is the version written in record headers. The first
// ClientHello goes out as TLS 1.0 for compatibility with old servers (RFC
// 5246, Appendix E.1); everything else is TLS 1.2.
func (c *Conn) recordVersion(typ messages.ContentType) uint16 {
	if !c.versionKnown && c.isClient && typ == messages.ContentTypeHandshake && c.out == nil {
		return messages.VersionTLS10
	}
	return messages.VersionTLS12
}

// writeRecord appends one record of at most MaxPlaintext bytes to c.dst,
// protected with the current write state.
func (c *Conn) writeRecord(typ messages.ContentType, payload []byte) error {
	vers := c.recordVersion(typ)
	if c.out == nil {
		c.dst = messages.RecordHeader{Type: typ, Version: vers, Length: uint16(len(payload))}.Append(c.dst)
		c.dst = append(c.dst, payload...)
		return nil
	}
	out, err := c.out.Seal(c.dst, uint8(typ), vers, payload)
	if err != nil {
		if err == keys.ErrSequenceExhausted {
			return errSeqExhausted
		}
		return err
	}
	c.dst = out
	return nil
}

func (c *Conn) writeAlert(level messages.AlertLevel, desc messages.AlertDescription) error {
	var buf [2]byte
	body := messages.Alert{Level: level, Description: desc}.Append(buf[:0])
	c.trace(true, messages.ContentTypeAlert, body)
	return c.writeRecord(messages.ContentTypeAlert, body)
}

// recordLayer is what the record layer owns (RFC 5246, Section 6): the
// protection of each direction, the keys ChangeCipherSpec installs next,
// handshake bytes being reassembled or queued, and record-level counters.
// It knows nothing of handshake states.
type recordLayer struct {
	// Record protection per direction; nil is the null cipher of the first
	// handshake. pending* are installed by ChangeCipherSpec.
	in, out               keys.RecordProtection
	pendingIn, pendingOut keys.RecordProtection
	hsBuf                 []byte // received handshake bytes not yet forming a message
	hsOut                 []byte // handshake bytes queued for the next flush
	warnRun               int32
	need                  int32 // see NeedBytes
	versionKnown          bool  // records must now carry TLS 1.2
	encryptThenMAC        bool  // RFC 7366 negotiated (CBC suites only)
}

// trace reports to Config.Trace, if set.
func (c *Conn) trace(sent bool, typ messages.ContentType, body []byte) {
	if c.cfg.Trace != nil {
		c.cfg.Trace(sent, typ, body)
	}
}

// writeHandshake queues a handshake message: it joins the transcript and
// the next flush.
func (c *Conn) writeHandshake(m messages.Message) error {
	raw, err := m.Marshal()
	if err != nil {
		return err
	}
	c.flightBuffer(len(raw))
	c.hsOut = append(c.hsOut, raw...)
	c.queued(len(c.hsOut) - len(raw))
	return nil
}

// flightBuffer makes sure the queue of handshake bytes exists, with room
// for at least n bytes when it is new.
func (c *Conn) flightBuffer(n int) {
	if c.hsOut == nil {
		if c.handshakeRun == nil && n <= flightCap {
			c.startRun()
			return
		}
		c.hsOut = make([]byte, 0, max(flightCap, n))
	}
}

// Starting sizes of the flight buffer (grows at most once for most
// flights) and of the transcript (room for a typical full handshake, so
// that it grows at most once or twice).
const flightCap, transcriptCap = 1024, 2048

// queued finishes queueing the message that starts at c.hsOut[start:]: it
// joins the transcript and is traced.
func (c *Conn) queued(start int) {
	raw := c.hsOut[start:]
	c.addTranscript(raw)
	c.trace(true, messages.ContentTypeHandshake, raw)
}

// writeFinishedMessage and writeTicketMessage queue a message marshalled
// straight into the flight buffer: no message value on the heap and no
// marshal buffer of its own.
func (c *Conn) writeFinishedMessage(m messages.Finished) error {
	c.flightBuffer(4 + len(m.VerifyData))
	start := len(c.hsOut)
	out, err := m.AppendMarshal(c.hsOut)
	if err != nil {
		return err
	}
	c.hsOut = out
	c.queued(start)
	return nil
}

func (c *Conn) writeTicketMessage(m messages.NewSessionTicket) error {
	c.flightBuffer(10 + len(m.Ticket))
	start := len(c.hsOut)
	out, err := m.AppendMarshal(c.hsOut)
	if err != nil {
		return err
	}
	c.hsOut = out
	c.queued(start)
	return nil
}

// addTranscript appends a handshake message to the transcript; the first
// message of a handshake starts its run (startRun), whose transcript has
// room for a typical full handshake, so that it grows at most once or twice.
func (c *Conn) addTranscript(raw []byte) {
	c.startRun()
	c.transcript = append(c.transcript, raw...)
}

// flush writes queued handshake bytes as records, coalescing messages and
// fragmenting at MaxPlaintext (or Config.MaxSendFragment). With no handshake
// running the queue's buffer is dropped: an idle connection holds no
// handshake buffers.
func (c *Conn) flush() error {
	p := c.hsOut
	max := c.cfg.maxSendFragment()
	for len(p) > 0 {
		chunk := p
		if len(chunk) > max {
			chunk = chunk[:max]
		}
		if err := c.writeRecord(messages.ContentTypeHandshake, chunk); err != nil {
			return err
		}
		p = p[len(chunk):]
	}
	c.hsOut = c.hsOut[:0]
	if !handshaking(c.state) {
		c.hsOut = nil
	}
	return nil
}

// writeCCS flushes queued handshake messages, sends ChangeCipherSpec and
// switches the write side to the pending keys (RFC 5246, Section 7.1).
func (c *Conn) writeCCS() error {
	if err := c.flush(); err != nil {
		return err
	}
	ccs := []byte{1}
	c.trace(true, messages.ContentTypeChangeCipherSpec, ccs)
	if err := c.writeRecord(messages.ContentTypeChangeCipherSpec, ccs); err != nil {
		return err
	}
	c.out, c.pendingOut = c.pendingOut, nil
	return nil
}

// installKeys derives the key block (RFC 5246, Section 6.3) and prepares
// both directions' protection, activated by ChangeCipherSpec.
func (c *Conn) installKeys() error {
	s := c.suite
	tk := keys.KeyBlock(s.hash, c.masterSecret, c.clientRandom[:], c.serverRandom[:], s.macLen(), s.keyLen, s.ivLen)
	var clientProt, serverProt keys.RecordProtection
	var err error
	if s.cbc() {
		// TLS 1.2 CBC records carry an explicit IV (RFC 5246, Section
		// 6.2.3.2), read from Config.Rand; no IV comes from the key block.
		clientProt, err = keys.NewCBC(tk.ClientKey, tk.ClientMAC, s.mac, c.encryptThenMAC, c.cfg.Rand)
		if err == nil {
			serverProt, err = keys.NewCBC(tk.ServerKey, tk.ServerMAC, s.mac, c.encryptThenMAC, c.cfg.Rand)
		}
	} else {
		clientProt, err = s.aead(tk.ClientKey, tk.ClientIV)
		if err == nil {
			serverProt, err = s.aead(tk.ServerKey, tk.ServerIV)
		}
	}
	if err != nil {
		return err
	}
	if c.isClient {
		c.pendingOut, c.pendingIn = clientProt, serverProt
	} else {
		c.pendingOut, c.pendingIn = serverProt, clientProt
	}
	return nil
}
