package sim

import "fmt"

// Handshake message types (RFC 5246, Section 7.4; RFC 5077, Section 3.3).
const (
	hsHelloRequest       = 0
	hsClientHello        = 1
	hsServerHello        = 2
	hsNewSessionTicket   = 4
	hsCertificate        = 11
	hsServerKeyExchange  = 12
	hsCertificateRequest = 13
	hsServerHelloDone    = 14
	hsCertificateVerify  = 15
	hsClientKeyExchange  = 16
	hsFinished           = 20
)

// waiting describes what e waits for: the message its machine expects
// next (from the last one it received, in the order of RFC 5246, Section
// 7.3) and the bytes it holds.
func (s *sim) waiting(e *endpoint) string {
	c := e.c
	var want string
	switch {
	case e.side == Client && e.lastIn == -1:
		want = "ServerHello"
	case e.side == Server && e.lastIn == -1:
		want = "ClientHello"
	case e.lastIn == ccsIn:
		want = "Finished"
	case e.lastIn == hsFinished || e.lastIn == hsHelloRequest && e.side == Server:
		want = s.waitingData(e)
	case e.side == Client:
		switch e.lastIn {
		case hsHelloRequest:
			want = "ServerHello"
		case hsServerHello:
			want = "Certificate (or NewSessionTicket/ChangeCipherSpec if resuming)"
		case hsCertificate:
			want = "ServerKeyExchange"
		case hsServerKeyExchange:
			want = "CertificateRequest or ServerHelloDone"
		case hsCertificateRequest:
			want = "ServerHelloDone"
		case hsServerHelloDone:
			want = "NewSessionTicket or ChangeCipherSpec"
		case hsNewSessionTicket:
			want = "ChangeCipherSpec"
		}
	default:
		switch e.lastIn {
		case hsClientHello:
			switch {
			case e.sentCCS:
				want = "ChangeCipherSpec (resumed session)"
			case c.plan.clientAuth:
				want = "Certificate"
			default:
				want = "ClientKeyExchange"
			}
		case hsCertificate:
			want = "ClientKeyExchange"
		case hsClientKeyExchange:
			if c.plan.clientAuth {
				want = "CertificateVerify"
			} else {
				want = "ChangeCipherSpec"
			}
		case hsCertificateVerify:
			want = "ChangeCipherSpec"
		}
	}
	if want == "" {
		want = fmt.Sprintf("the message after type %d", e.lastIn)
	}
	if e.hs > 0 && e.lastIn != hsFinished && !(e.lastIn == hsHelloRequest && e.side == Server) {
		want += " (renegotiation)"
	}
	held := "holds no partial record"
	if len(e.in) > 0 {
		held = fmt.Sprintf("holds %d bytes of a record, needs %d more", len(e.in), e.m.NeedBytes())
	}
	return fmt.Sprintf("%s expects %s; %s", e.side, want, held)
}

// waitingData describes what an established endpoint waits for.
func (s *sim) waitingData(e *endpoint) string {
	c := e.c
	switch {
	case c.phase == phClosing || e.closeSent:
		return "close_notify"
	case c.phase == phReneg && e.side == Client:
		return "HelloRequest (renegotiation)"
	case c.phase == phReneg:
		return "ClientHello (renegotiation)"
	case e.side == Client:
		return fmt.Sprintf("application data: response %d, %d of %d bytes", c.req+1,
			e.recv-int64(c.req)*int64(s.sc.ResponseSize), s.sc.ResponseSize)
	}
	return fmt.Sprintf("application data: request %d, %d of %d bytes", c.responded+1,
		e.recv-int64(c.responded)*int64(s.sc.RequestSize), s.sc.RequestSize)
}
