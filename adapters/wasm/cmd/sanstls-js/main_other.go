//go:build !(js && wasm)

package main

import "os"

// Built for another platform the program only says how to build it.
func main() {
	os.Stderr.WriteString("sanstls-js is a WebAssembly module: build it with GOOS=js GOARCH=wasm\n")
	os.Exit(2)
}
