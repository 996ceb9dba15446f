package machine

// SetCertCache switches the process-wide certificate cache on or off and
// empties it, for tests and for benchmarks that compare both.
func SetCertCache(on bool) {
	certCacheOn.Store(on)
	for i := range parsedCerts {
		parsedCerts[i].Store(nil)
		verifiedChains[i].Store(nil)
	}
}
