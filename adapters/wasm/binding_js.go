//go:build js && wasm

package wasm

import (
	"crypto/rand"
	"encoding/json"
	"syscall/js"
	"time"
)

// ServeJS installs the binding for JavaScript hosts and never returns. It
// builds the raw API object and hands it to globalThis.__sanstlsReady (the
// loader, js/sanstls.js, sets that function before it runs the module),
// or, without one, stores it as globalThis.__sanstls.
//
// Every function of the raw API returns at once: none blocks, sleeps or
// waits for JavaScript, so they may be called from any callback. Flights
// return {out: Uint8Array} and, on failure, also {error, code}; the loader
// turns those into exceptions. decode names and decodes traced messages.
func ServeJS(decode Decoder) {
	m := NewModule(rand.Reader, time.Now)
	m.EnableTrace(decode)
	api := js.Global().Get("Object").New()
	def := func(name string, f func(args []js.Value) any) {
		api.Set(name, js.FuncOf(func(_ js.Value, args []js.Value) any { return f(args) }))
	}
	handle := func(args []js.Value) int32 {
		if len(args) == 0 || args[0].Type() != js.TypeNumber {
			return 0 // no handle is 0: the call reports CodeBadHandle
		}
		return int32(args[0].Int())
	}
	flight := func(call func(int32) ([]byte, error)) func([]js.Value) any {
		return func(args []js.Value) any { return flightResult(call(handle(args))) }
	}
	withBytes := func(call func(int32, []byte) ([]byte, error)) func([]js.Value) any {
		return func(args []js.Value) any {
			b, err := bytesArg(args, 1)
			if err != nil {
				return errorResult(err)
			}
			return flightResult(call(handle(args), b))
		}
	}

	def("create", func(args []js.Value) any {
		if len(args) != 2 || args[1].Type() != js.TypeString {
			return errorResult(errBadArgs)
		}
		h, code, err := m.createFrom([]byte(args[1].String()), args[0].Truthy())
		if err != nil {
			return js.ValueOf(map[string]any{"error": err.Error(), "code": code})
		}
		return js.ValueOf(map[string]any{"handle": h})
	})
	def("start", flight(m.StartFlight))
	def("receive", withBytes(m.ReceiveFlight))
	def("send", withBytes(m.SendFlight))
	def("close", flight(m.CloseFlight))
	def("renegotiate", flight(m.RenegotiateFlight))
	def("receiveEOF", func(args []js.Value) any {
		return flightResult(nil, m.ReceiveEOFErr(handle(args)))
	})
	def("setTime", func(args []js.Value) any {
		if len(args) != 2 || args[1].Type() != js.TypeNumber {
			return errorResult(errBadArgs)
		}
		if code := m.SetTime(handle(args), int64(args[1].Float())); code != CodeOK {
			return js.ValueOf(map[string]any{"error": string(m.text), "code": code})
		}
		return js.ValueOf(map[string]any{})
	})
	def("events", func(args []js.Value) any {
		evs, err := m.TakeEvents(handle(args))
		if err != nil {
			return errorResult(err)
		}
		list := make([]any, len(evs))
		for i := range evs {
			list[i] = eventValue(&evs[i])
		}
		return js.ValueOf(map[string]any{"events": list})
	})
	def("state", func(args []js.Value) any {
		st, err := m.ConnStateOf(handle(args))
		if err != nil {
			return errorResult(err)
		}
		doc, err := json.Marshal(st)
		if err != nil {
			return errorResult(err)
		}
		return js.ValueOf(map[string]any{"json": string(doc)})
	})
	def("keyLog", func(args []js.Value) any {
		kl, err := m.KeyLog(handle(args))
		if err != nil {
			return errorResult(err)
		}
		return js.ValueOf(map[string]any{"text": kl})
	})
	def("pending", func(args []js.Value) any {
		n, err := m.Pending(handle(args))
		if err != nil {
			return errorResult(err)
		}
		return js.ValueOf(map[string]any{"bytes": n})
	})
	def("destroy", func(args []js.Value) any {
		if code := m.Destroy(handle(args)); code != CodeOK {
			return js.ValueOf(map[string]any{"error": string(m.text), "code": code})
		}
		return js.ValueOf(map[string]any{})
	})
	def("suites", func([]js.Value) any {
		var list []any
		for _, s := range machineSuites() {
			list = append(list, map[string]any{"id": int(s.ID), "name": s.Name, "openssl": s.OpenSSLName, "default": s.Default})
		}
		return js.ValueOf(list)
	})

	if ready := js.Global().Get("__sanstlsReady"); ready.Type() == js.TypeFunction {
		ready.Invoke(api)
	} else {
		js.Global().Set("__sanstls", api)
	}
	select {} // keep the Go side alive for the callbacks
}

// bytesArg copies args[i], a Uint8Array, into Go memory.
func bytesArg(args []js.Value, i int) ([]byte, error) {
	if len(args) <= i || args[i].Type() != js.TypeObject || !args[i].InstanceOf(js.Global().Get("Uint8Array")) {
		return nil, errBadArgs
	}
	b := make([]byte, args[i].Get("length").Int())
	js.CopyBytesToGo(b, args[i])
	return b, nil
}

// uint8Array copies b into a new Uint8Array.
func uint8Array(b []byte) js.Value {
	u := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u, b)
	return u
}

func errorResult(err error) js.Value {
	return js.ValueOf(map[string]any{"error": err.Error(), "code": codeOf(err)})
}

// flightResult is {out} or {out, error, code}: a failed flight may still
// hold bytes to send (the fatal alert).
func flightResult(out []byte, err error) js.Value {
	r := map[string]any{"out": uint8Array(out)}
	if err != nil {
		r["error"] = err.Error()
		r["code"] = codeOf(err)
	}
	return js.ValueOf(r)
}

func eventValue(e *HostEvent) any {
	v := map[string]any{"kind": e.Kind}
	switch e.Kind {
	case KindMessage:
		fields := make([]any, len(e.Fields))
		for i, f := range e.Fields {
			fields[i] = map[string]any{"name": f.Name, "value": f.Value}
		}
		v["sent"] = e.Sent
		v["contentType"] = int(e.ContentType)
		v["name"] = e.Name
		v["raw"] = uint8Array(e.Raw)
		v["encrypted"] = e.Encrypted
		v["fields"] = fields
	case KindData:
		v["data"] = uint8Array(e.Raw)
	case KindWarningAlert:
		v["alert"] = int(e.Alert)
		v["alertName"] = e.AlertName
	case KindError:
		v["message"] = e.Message
		v["code"] = int(e.Code)
		v["reason"] = e.Reason
		if e.AlertName != "" {
			v["alert"] = int(e.Alert)
			v["alertName"] = e.AlertName
			v["remote"] = e.Remote
		}
	}
	return v
}
