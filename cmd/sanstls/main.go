package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

const usage = `usage: sanstls <command> [flags]

commands:
  demo     run a TLS 1.2 client and server in memory and print the handshake
  server   serve TLS 1.2 on a TCP address (echo or a small status page)
  client   connect to a TLS 1.2 server; stdin to the connection, the connection to stdout
  list     list the supported cipher suites, groups and signature schemes
  sim      simulate many connections on a network on virtual time; report, HTML plots, replay
  web      serve a page that runs the handshake in the browser (WebAssembly)

Run "sanstls <command> -h" for a command's flags.
`

// run executes one command line and returns the process exit status: 0 on
// success, 1 when the command failed, 2 for a bad command line. ctx ends a
// running server (main cancels it on SIGINT and SIGTERM).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "demo":
		err = demoCommand(args[1:], stdout, stderr, getenv)
	case "server":
		err = serverCommand(ctx, args[1:], stderr, getenv)
	case "client":
		err = clientCommand(ctx, args[1:], stdin, stdout, stderr, getenv)
	case "list":
		err = listCommand(args[1:], stdout, stderr)
	case "sim":
		err = simCommand(args[1:], stdout, stderr)
	case "web":
		err = webCommand(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "sanstls: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "sanstls %s: %v\n", args[0], err)
		return 2
	case errors.Is(err, errFlagParse):
		return 2 // the flag package has printed the problem and the usage
	}
	fmt.Fprintf(stderr, "sanstls %s: %v\n", args[0], err)
	return 1
}
