package sim

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
	"time"
)

// palette colours series in the plots (colour-blind safe, Okabe-Ito).
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"}

// outcomeColour gives OK green, stalls grey, truncations orange and
// resets pink (a shade per side), and each alert label (i is its rank
// among the alert labels) its own colour.
func outcomeColour(label string, i int) string {
	switch label {
	case "ok":
		return "#009E73"
	case "stalled":
		return "#999999"
	case "truncated at client":
		return "#E69F00"
	case "truncated at server":
		return "#F0C75E"
	case "reset at client":
		return "#CC79A7"
	case "reset at server":
		return "#E9B7D3"
	}
	if strings.HasPrefix(label, "alert") {
		alerts := []string{"#0072B2", "#D55E00", "#56B4E9", "#882255", "#332288", "#AA4499", "#117733", "#44AA99",
			"#661100", "#6699CC", "#999933", "#CC6677", "#88CCEE", "#000000"}
		return alerts[i%len(alerts)]
	}
	return "#000000"
}

// WriteHTML writes the report as a self-contained HTML page: the summary
// tables and three inline SVG plots (latency CDF per handshake kind,
// outcomes by fault, bytes per handshake). It loads nothing from
// elsewhere.
func (r *Report) WriteHTML(w io.Writer) error {
	var b strings.Builder
	var text strings.Builder
	r.Format(&text)
	fmt.Fprintf(&b, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sanstls sim — seed %d, %d connections</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:22px 0 6px}
.sub{color:#555;margin-bottom:14px}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:18px}
.card{border:1px solid #ddd;border-radius:8px;padding:12px 14px;background:#fff}
table{border-collapse:collapse;font-size:13px;width:100%%} th,td{padding:3px 8px;text-align:right;border-bottom:1px solid #eee}
th:first-child,td:first-child{text-align:left}
pre{font-size:12px;background:#f7f7f7;padding:10px;border-radius:6px;overflow:auto}
.ok{color:#007a55;font-weight:600} .bad{color:#b00;font-weight:600}
svg text{font:12px system-ui,sans-serif;fill:#333}
</style></head><body>
`, r.Scenario.Seed, len(r.Conns))
	sc := r.Scenario
	fmt.Fprintf(&b, "<h1>sanstls sim: %d connections, seed %d</h1>\n", len(r.Conns), sc.Seed)
	fmt.Fprintf(&b, `<div class="sub">%s arrivals · RTT %v · jitter %v · %s · MTU %d · resume %.0f%% (%s) · client auth %.0f%% · renegotiate %.0f%% · faults %.1f%% · virtual time %s ms · digest %016x</div>`+"\n",
		sc.Arrival.Kind, sc.Network.RTT, sc.Network.Jitter, bandwidth(sc.Network.Bandwidth), sc.Network.MTU,
		100*sc.Resume, sc.ResumeBy, 100*sc.ClientAuth, 100*sc.Renegotiate, 100*sc.Faults, ms(r.VirtualTime), r.Digest)
	ok := 0
	for _, c := range r.Conns {
		if c.Outcome.Kind == OK {
			ok++
		}
	}
	cls := "ok"
	if r.Altered > 0 {
		cls = "bad"
	}
	fmt.Fprintf(&b, `<div class="sub"><span class="ok">%d ok</span> of %d · <span class="%s">altered plaintext delivered: %d</span>`, ok, len(r.Conns), cls, r.Altered)
	if sc.HeapInUse != nil {
		fmt.Fprintf(&b, " · retained heap per idle endpoint: <b>%.0f B</b> (%d endpoints)", r.HeapPerEndpoint, r.IdleEndpoints)
	}
	b.WriteString("</div>\n<div class=\"grid\">\n")
	b.WriteString(`<div class="card"><h2>Handshake latency (CDF, virtual time)</h2>`)
	r.latencyCDF(&b)
	b.WriteString("</div>\n")
	b.WriteString(`<div class="card"><h2>Outcomes by fault</h2>`)
	r.faultBars(&b)
	b.WriteString("</div>\n")
	b.WriteString(`<div class="card"><h2>Bytes on the wire per handshake</h2>`)
	r.bytesBars(&b)
	b.WriteString("</div>\n")
	b.WriteString(`<div class="card"><h2>Handshakes</h2>`)
	r.kindTable(&b)
	b.WriteString("</div>\n</div>\n")
	fmt.Fprintf(&b, "<h2>Report</h2>\n<pre>%s</pre>\n</body></html>\n", html.EscapeString(text.String()))
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *Report) kindTable(b *strings.Builder) {
	b.WriteString("<table><tr><th>kind</th><th>count</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>p50 RTT</th><th>bytes</th><th>records</th>")
	if r.Scenario.CPUTime != nil {
		b.WriteString("<th>CPU µs</th>")
	}
	b.WriteString("</tr>\n")
	for _, k := range r.Kinds {
		if k.Count == 0 {
			continue
		}
		fmt.Fprintf(b, "<tr><td>%s</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%.2f</td><td>%.0f</td><td>%.1f</td>",
			k.Kind, k.Count, ms(k.Latency.P50), ms(k.Latency.P90), ms(k.Latency.P99), ms(k.Latency.Max), r.RTTs(k.Latency.P50), k.Bytes, k.Records)
		if r.Scenario.CPUTime != nil {
			fmt.Fprintf(b, "<td>%.0f</td>", float64(k.CPU)/float64(time.Microsecond))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>\n<h2>Outcomes</h2><table><tr><th>outcome</th><th>connections</th><th>share</th></tr>\n")
	for _, o := range r.Outcomes {
		fmt.Fprintf(b, "<tr><td>%s</td><td>%d</td><td>%.2f%%</td></tr>\n", html.EscapeString(o.Label), o.N, 100*float64(o.N)/float64(len(r.Conns)))
	}
	b.WriteString("</table>\n")
}

// plot geometry
const (
	plotW, plotH           = 540, 300
	padL, padR, padT, padB = 56, 16, 12, 44
)

func (r *Report) latencyCDF(b *strings.Builder) {
	var maxD time.Duration
	for _, k := range r.Kinds {
		if k.Count > 0 {
			maxD = max(maxD, k.Latency.P99+k.Latency.P99/10)
		}
	}
	if maxD == 0 {
		b.WriteString("<p>no completed handshake</p>")
		return
	}
	xmax := niceCeil(float64(maxD) / float64(time.Millisecond))
	iw, ih := float64(plotW-padL-padR), float64(plotH-padT-padB)
	x := func(v float64) float64 { return padL + iw*math.Min(v/xmax, 1) }
	y := func(f float64) float64 { return padT + ih*(1-f) }
	fmt.Fprintf(b, `<svg viewBox="0 0 %d %d" width="100%%" role="img" aria-label="latency CDF">`, plotW, plotH)
	axes(b, xmax, "handshake latency (ms)", "fraction ≤ x", func(v float64) float64 { return x(v) }, func(f float64) float64 { return y(f) })
	// RTT multiples as guides.
	rtt := float64(r.Scenario.Network.RTT) / float64(time.Millisecond)
	for m := 1.0; m*rtt <= xmax; m++ {
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%.1f" stroke="#bbb" stroke-dasharray="4 3"/><text x="%.1f" y="%d" text-anchor="middle" fill="#777">%g RTT</text>`,
			x(m*rtt), padT, x(m*rtt), padT+ih, x(m*rtt), padT+10, m)
	}
	li := 0
	for i, k := range r.Kinds {
		if k.Count == 0 {
			continue
		}
		var pts []string
		n := len(k.Latencies)
		step := max(1, n/400)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(0), y(0)))
		for j := 0; j < n; j += step {
			v := float64(k.Latencies[j]) / float64(time.Millisecond)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f %.1f,%.1f", x(v), y(float64(j)/float64(n)), x(v), y(float64(j+1)/float64(n))))
		}
		last := float64(k.Latencies[n-1]) / float64(time.Millisecond)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f %.1f,%.1f", x(last), y(1), x(xmax), y(1)))
		c := palette[i%len(palette)]
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, c, strings.Join(pts, " "))
		ly := padT + 22 + float64(li)*18
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="12" height="12" fill="%s"/><text x="%.1f" y="%.1f">%s (%d, p50 %s ms)</text>`,
			x(0)+10, ly, c, x(0)+26, ly+10, k.Kind, k.Count, ms(k.Latency.P50))
		li++
	}
	b.WriteString("</svg>\n")
}

func (r *Report) faultBars(b *strings.Builder) {
	rows := r.FaultTable()
	labels := map[string]int{} // colour index: rank among the alert labels
	var order []string
	for _, o := range r.Outcomes {
		if strings.HasPrefix(o.Label, "alert") {
			labels[o.Label] = len(labels)
		}
		order = append(order, o.Label)
	}
	rowH := 26.0
	h := padT + int(rowH)*len(rows) + 30 + 16*((len(order)+1)/2)
	iw := float64(plotW - 110 - padR)
	fmt.Fprintf(b, `<svg viewBox="0 0 %d %d" width="100%%" role="img" aria-label="outcomes by fault">`, plotW, h)
	for i, row := range rows {
		total := 0
		for _, o := range row.Outcomes {
			total += o.N
		}
		yy := float64(padT) + rowH*float64(i)
		fmt.Fprintf(b, `<text x="102" y="%.1f" text-anchor="end">%s (%d)</text>`, yy+15, row.Kind, total)
		xx := 110.0
		for _, o := range row.Outcomes {
			wd := iw * float64(o.N) / float64(total)
			fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s × %d</title></rect>`,
				xx, yy+2, wd, rowH-6, outcomeColour(o.Label, labels[o.Label]), row.Kind, html.EscapeString(o.Label), o.N)
			xx += wd
		}
	}
	ly := float64(padT) + rowH*float64(len(rows)) + 14
	for i, l := range order {
		lx := 10 + float64(i%2)*265
		yy := ly + 16*float64(i/2)
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="11" height="11" fill="%s"/><text x="%.1f" y="%.1f" style="font-size:11px">%s</text>`,
			lx, yy, outcomeColour(l, labels[l]), lx+15, yy+10, html.EscapeString(l))
	}
	b.WriteString("</svg>\n")
}

func (r *Report) bytesBars(b *strings.Builder) {
	maxB := 0.0
	n := 0
	for _, k := range r.Kinds {
		if k.Count > 0 {
			maxB = max(maxB, k.Bytes)
			n++
		}
	}
	if n == 0 {
		b.WriteString("<p>no completed handshake</p>")
		return
	}
	ymax := niceCeil(maxB * 1.1)
	iw, ih := float64(plotW-padL-padR), float64(plotH-padT-padB)
	y := func(v float64) float64 { return padT + ih*(1-v/ymax) }
	fmt.Fprintf(b, `<svg viewBox="0 0 %d %d" width="100%%" role="img" aria-label="bytes per handshake">`, plotW, plotH)
	for i := 0; i <= 4; i++ {
		v := ymax * float64(i) / 4
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/><text x="%d" y="%.1f" text-anchor="end">%g</text>`,
			padL, y(v), padL+iw, y(v), padL-6, y(v)+4, v)
	}
	fmt.Fprintf(b, `<text x="14" y="%.1f" transform="rotate(-90 14 %.1f)" text-anchor="middle">bytes (both directions)</text>`, padT+ih/2, padT+ih/2)
	slot := iw / float64(n)
	j := 0
	for _, k := range r.Kinds {
		if k.Count == 0 {
			continue
		}
		x0 := padL + slot*float64(j) + slot*0.2
		wd := slot * 0.6
		cy := y(k.BytesBySide[Client])
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>client → server %.0f B</title></rect>`,
			x0, cy, wd, padT+ih-cy, palette[0], k.BytesBySide[Client])
		sy := y(k.BytesBySide[Client] + k.BytesBySide[Server])
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>server → client %.0f B</title></rect>`,
			x0, sy, wd, cy-sy, palette[1], k.BytesBySide[Server])
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%.0f B, %.1f records</text>`, x0+wd/2, sy-5, k.Bytes, k.Records)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x0+wd/2, padT+ih+18, k.Kind)
		j++
	}
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">client → server</text>`, padL+8, plotH-16, palette[0], padL+24, plotH-6)
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">server → client</text>`, padL+150, plotH-16, palette[1], padL+166, plotH-6)
	b.WriteString("</svg>\n")
}

// axes draws a frame with five ticks on each axis (y is a fraction).
func axes(b *strings.Builder, xmax float64, xlabel, ylabel string, x, y func(float64) float64) {
	for i := 0; i <= 5; i++ {
		v := xmax * float64(i) / 5
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/><text x="%.1f" y="%.1f" text-anchor="middle">%g</text>`,
			x(v), y(0), x(v), y(1), x(v), y(0)+16, v)
	}
	for i := 0; i <= 4; i++ {
		f := float64(i) / 4
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/><text x="%.1f" y="%.1f" text-anchor="end">%g</text>`,
			x(0), y(f), x(xmax), y(f), x(0)-6, y(f)+4, f)
	}
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#444"/>`, x(0), y(0), x(xmax), y(0))
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#444"/>`, x(0), y(0), x(0), y(1))
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, (x(0)+x(xmax))/2, y(0)+34, xlabel)
	fmt.Fprintf(b, `<text x="14" y="%.1f" transform="rotate(-90 14 %.1f)" text-anchor="middle">%s</text>`, (y(0)+y(1))/2, (y(0)+y(1))/2, ylabel)
}

// niceCeil rounds v up to a round multiple of a power of ten
func niceCeil(v float64) float64 { // (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8)
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}
