// Command sanstls-wasm is the sanstls WebAssembly module: a WASI reactor that
// exports the sanstls_* functions of package
// github.com/sanstls/sanstls/adapters/wasm. Build it with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o sanstls.wasm ./adapters/wasm/cmd/sanstls-wasm
//
// and, in the host, call the module's _initialize export once (Node's
// WASI.initialize does) before any sanstls_* function. main never runs in a
// reactor; built for any other platform the program does nothing.
package main

import _ "github.com/sanstls/sanstls/adapters/wasm" // the exports live there

func main() {}
