package main

import (
	"testing"

	"github.com/sanstls/sanstls/machine"
)

func TestSessionsConfigure(t *testing.T) {
	s, err := newSessions()
	if err != nil {
		t.Fatal(err)
	}
	var cfg machine.Config
	if err := s.configure(&cfg, &options{server: true}); err != nil {
		t.Fatal(err)
	}
	if cfg.SessionCache == nil || len(cfg.TicketKeys) != 1 || cfg.TicketKeys[0] != s.ticketKey {
		t.Errorf("server config: %+v", cfg)
	}
	cfg = machine.Config{}
	if err := s.configure(&cfg, &options{server: true, noTicket: true}); err != nil || cfg.TicketKeys != nil || cfg.SessionCache == nil {
		t.Errorf("-no-ticket server: %+v, %v", cfg, err)
	}
	cfg = machine.Config{}
	if err := s.configure(&cfg, &options{}); err != nil || cfg.ClientSessionCache == nil {
		t.Errorf("client: %+v, %v", cfg, err)
	}
	if err := s.configure(&machine.Config{}, &options{noTicket: true}); err == nil {
		t.Error("-no-ticket client accepted")
	}
}

func TestSessionCachesCount(t *testing.T) {
	s, err := newSessions()
	if err != nil {
		t.Fatal(err)
	}
	s.client.Put("a", &machine.ClientSession{})
	s.client.Put("a", nil) // removal is not a new session
	if _, ok := s.client.Get("a"); ok || s.stored(false) != 1 {
		t.Errorf("client cache: stored %d", s.stored(false))
	}
	s.server.Put([]byte{1}, []byte{9})
	if st, ok := s.server.Get([]byte{1}); !ok || st[0] != 9 || s.stored(true) != 1 {
		t.Errorf("server cache: %v %v stored %d", st, ok, s.stored(true))
	}
}
