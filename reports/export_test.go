package reports

// WithStreamChunk makes s stream the register n rows per query, so a test
// walks several chunks.
func (s *Service) WithStreamChunk(n int) *Service {
	c := *s
	c.chunk = n
	return &c
}
