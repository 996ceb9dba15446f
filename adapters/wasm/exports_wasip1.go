//go:build wasip1

package wasm

import (
	"crypto/rand"
	"time"
)

// module is the one Module of this wasm instance. Randomness comes from WASI
// random_get (crypto/rand) and the default clock from WASI clock_time_get
// (time.Now); sanstls_set_time overrides the clock per connection.
var module = NewModule(rand.Reader, time.Now)

// Addresses cross the ABI as uint32 (wasm i32): linear memory is below 4 GiB,
// so the conversions from and to uintptr lose nothing.

//go:wasmexport sanstls_alloc
func wasmAlloc(size int32) uint32 { return uint32(module.Alloc(size)) }

//go:wasmexport sanstls_free
func wasmFree(p uint32) int32 { return module.Free(uintptr(p)) }

//go:wasmexport sanstls_client
func wasmClient(cfgPtr uint32, cfgLen int32) int32 { return module.Client(uintptr(cfgPtr), cfgLen) }

//go:wasmexport sanstls_server
func wasmServer(cfgPtr uint32, cfgLen int32) int32 { return module.Server(uintptr(cfgPtr), cfgLen) }

//go:wasmexport sanstls_destroy
func wasmDestroy(h int32) int32 { return module.Destroy(h) }

//go:wasmexport sanstls_set_time
func wasmSetTime(h int32, unixMilli int64) int32 { return module.SetTime(h, unixMilli) }

//go:wasmexport sanstls_start
func wasmStart(h int32) int32 { return module.Start(h) }

//go:wasmexport sanstls_receive
func wasmReceive(h int32, p uint32, n int32) int32 { return module.Receive(h, uintptr(p), n) }

//go:wasmexport sanstls_receive_eof
func wasmReceiveEOF(h int32) int32 { return module.ReceiveEOF(h) }

//go:wasmexport sanstls_send
func wasmSend(h int32, p uint32, n int32) int32 { return module.Send(h, uintptr(p), n) }

//go:wasmexport sanstls_close
func wasmClose(h int32) int32 { return module.Close(h) }

//go:wasmexport sanstls_next_event
func wasmNextEvent(h int32) int32 { return module.NextEvent(h) }

//go:wasmexport sanstls_event_ptr
func wasmEventPtr(h int32) uint32 { return uint32(module.EventPtr(h)) }

//go:wasmexport sanstls_event_len
func wasmEventLen(h int32) int32 { return module.EventLen(h) }

//go:wasmexport sanstls_event_alert
func wasmEventAlert(h int32) int32 { return module.EventAlert(h) }

//go:wasmexport sanstls_out_ptr
func wasmOutPtr(h int32) uint32 { return uint32(module.OutPtr(h)) }

//go:wasmexport sanstls_out_len
func wasmOutLen(h int32) int32 { return module.OutLen(h) }

//go:wasmexport sanstls_need_bytes
func wasmNeedBytes(h int32) int32 { return module.NeedBytes(h) }

//go:wasmexport sanstls_state
func wasmState(h int32) int32 { return module.State(h) }

//go:wasmexport sanstls_text_ptr
func wasmTextPtr() uint32 { return uint32(module.TextPtr()) }

//go:wasmexport sanstls_text_len
func wasmTextLen() int32 { return module.TextLen() }
