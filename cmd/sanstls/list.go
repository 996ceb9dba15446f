package main

// `sanstls list`: what the machine implements.

import (
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/sanstls/sanstls/machine"
)

// listCommand prints the supported cipher suites (code, IANA and OpenSSL
// names, and whether they are on by default), groups and signature schemes.
func listCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sanstls list\n\nLists the supported cipher suites, groups and signature schemes.\n")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	writeList(stdout)
	return nil
}

func writeList(w io.Writer) {
	fmt.Fprintf(w, "Protocol versions:\n  TLS 1.2 (0x0303) only\n\n")
	fmt.Fprintf(w, "Cipher suites (server preference order of the defaults; * = enabled by default):\n")
	suites := machine.SupportedCipherSuites()
	slices.SortStableFunc(suites, func(a, b machine.CipherSuiteInfo) int {
		return defaultRank(a.ID) - defaultRank(b.ID)
	})
	for _, s := range suites {
		mark := " "
		if slices.Contains(machine.DefaultCipherSuites(), s.ID) {
			mark = "*"
		}
		fmt.Fprintf(w, "  %s 0x%04x  %-46s %s\n", mark, s.ID, s.Name, s.OpenSSLName)
	}
	fmt.Fprintf(w, "\nGroups (default preference order; P-521 only when listed; the ffdhe groups serve DHE suites, RFC 7919):\n")
	for _, g := range supportedGroups {
		fmt.Fprintf(w, "    %-9s %-10s (%d)\n", groupName(g), g, uint16(g))
	}
	fmt.Fprintf(w, "\nSuite shorthands for -suites: DEFAULT (the starred suites), ALL, LEGACY (the unstarred ones)\n")
	fmt.Fprintf(w, "\nSignature schemes (default preference order):\n")
	for _, s := range supportedSigAlgs {
		note := ""
		if !slices.Contains(machine.DefaultSignatureSchemes(), s) {
			note = "  (only when listed with -sigalgs)"
		}
		fmt.Fprintf(w, "    0x%04x  %s%s\n", uint16(s), s, note)
	}
}

// defaultRank orders suites by their place in DefaultCipherSuites; others
// come last, in the machine's order.
func defaultRank(id uint16) int {
	if i := slices.Index(machine.DefaultCipherSuites(), id); i >= 0 {
		return i
	}
	return len(machine.DefaultCipherSuites())
}
