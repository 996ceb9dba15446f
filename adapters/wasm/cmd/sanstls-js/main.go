//go:build js && wasm

// Command sanstls-js is the sanstls module for JavaScript hosts (browsers,
// Node): the GOOS=js binding of package
// github.com/sanstls/sanstls/adapters/wasm with a decoder that shows every
// handshake message's fields. Build it with
//
//	GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o sanstls.wasm ./adapters/wasm/cmd/sanstls-js
//
// and load it with adapters/wasm/js/sanstls.js (which needs Go's
// wasm_exec.js, from $(go env GOROOT)/lib/wasm/wasm_exec.js of the same Go
// release). `sanstls web` builds and serves it.
//
// The decoder lives here, not in the adapter package, because adapters
// import only the machine; a program may link the message parsers too.
package main

import "github.com/sanstls/sanstls/adapters/wasm"

func main() { wasm.ServeJS(decode) }
