package main

// -sess-out and -sess-in: a client session saved to a file between runs, as
// `openssl s_client -sess_out/-sess_in` does. The file is PEM ("SANSTLS
// CLIENT SESSION") around machine.ClientSession's encoding, which holds the
// master secret: it is written with mode 0600.

import (
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/sanstls/sanstls/machine"
)

const sessionPEMType = "SANSTLS CLIENT SESSION"

// writeSessionFile writes the session the client stored last.
func writeSessionFile(path string, cache machine.ClientSessionCache) error {
	rc, ok := cache.(*recordingCache)
	if !ok || rc.last == nil {
		return errors.New("the server offered no resumable session (no ticket, no session ID)")
	}
	der, err := rc.last.MarshalBinary()
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: sessionPEMType, Bytes: der}), 0o600)
}

// readSessionFile reads a session written by writeSessionFile.
func readSessionFile(path string) (*machine.ClientSession, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != sessionPEMType {
		return nil, fmt.Errorf("%s: no %s PEM block", path, sessionPEMType)
	}
	s := new(machine.ClientSession)
	if err := s.UnmarshalBinary(block.Bytes); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}
