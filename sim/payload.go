package sim

// payloadByte is byte off of the application data side sends on
// connection idx: a keyed function of the position, so that the receiver
// checks every byte it is handed without anyone storing the stream.
func payloadByte(idx int, side Side, off int64) byte {
	x := uint64(idx)<<34 ^ uint64(side)<<33 ^ uint64(off>>3)
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return byte(x >> (8 * (off & 7)))
}

// fillPayload writes the n bytes from offset off into buf.
func fillPayload(buf []byte, idx int, side Side, off int64) []byte {
	for i := range buf {
		buf[i] = payloadByte(idx, side, off+int64(i))
	}
	return buf
}

// fnv64 extends an FNV-1a hash.
func fnv64(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

const fnvOffset = 14695981039346656037

// fnvUint extends an FNV-1a hash with v, little-endian.
func fnvUint(h, v uint64) uint64 {
	for range 8 {
		h ^= v & 0xff
		h *= 1099511628211
		v >>= 8
	}
	return h
}
