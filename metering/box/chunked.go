package box

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"time"

	"indicia/metering/indicium"
)

// A dispense answered in chunks. A big batch (10,000 pieces, 20,000
// signatures) keeps the box busy for most of a second, and the caller then
// stores as long again. Answered in chunks, the caller stores the first
// pieces while the box signs the next ones. It is still one step: the
// freshness write and the meter record are exactly those of Dispense, the
// first chunk leaves only once the step is durable, and the record, which
// the caller needs to commit, comes last, after every chunk. A caller that
// loses the answer part way stores nothing and commits nothing, which the
// next request resolves as a rollback, as for a lost Dispense answer.

// OpDispenseChunked is Dispense answered in chunks of ChunkPieces pieces.
const OpDispenseChunked = "DispenseChunked"

// ChunkPieces is how many signed pieces one chunk of a DispenseChunked
// answer carries.
const ChunkPieces = 1000

// DispenseChunked is Dispense handing the signed pieces to emit as they are
// signed, ChunkPieces at a time, in two passes over the pieces in request
// order: first each piece's indicium with its transaction record not yet
// signed (Signature nil), at positions 0 to n-1, then each piece's signed
// transaction record (Indicium nil), at positions n to 2n-1; at is the
// position of the chunk's first piece. It returns the new record once every
// chunk was emitted. An error from emit stops the signing: the step stays
// pending and is never answered.
func (b *Box) DispenseChunked(rec Record, pieces []Piece, emit func(at int, ps []DispensedPiece) error) (Record, error) {
	if emit == nil {
		return Record{}, badRequest("chunked dispense without a receiver")
	}
	res, err := b.dispenseTo(rec, pieces, false, emit)
	return res.Record, err
}

// signInChunks signs the pieces a chunk at a time, each chunk's signatures
// spread over the CPUs, and emits each chunk as soon as it is signed: first
// every piece's indicium (with its transaction record, not yet signed),
// then every piece's signed transaction record, so the caller stores the
// heavier indicia rows while the box signs the records. The first chunk
// leaves only once the step is durable, so no signature of a step the box
// could forget leaves it.
func signInChunks(key *ecdsa.PrivateKey, fields []indicium.Fields, txs []*TxRecord, durable func() error, emit func(int, []DispensedPiece) error) error {
	n := len(fields)
	for _, indicia := range []bool{true, false} {
		for first := 0; first < n; first += ChunkPieces {
			ps := make([]DispensedPiece, min(ChunkPieces, n-first))
			err := parallel(len(ps), func(k int) error {
				i := first + k
				if indicia {
					in, err := indicium.Sign(fields[i], key)
					ps[k].Indicium, ps[k].Tx = in.Bytes(), *txs[i]
					return err
				}
				sig, err := signRS(key, txs[i].Hash)
				txs[i].Signature = sig
				ps[k].Tx = *txs[i]
				return err
			})
			if err != nil {
				return err
			}
			at := first // where the chunk is in the answer: indicia, then records
			if !indicia {
				at += n
			}
			if at == 0 {
				if err := durable(); err != nil {
					return err
				}
			}
			if err := emit(at, ps); err != nil {
				return fmt.Errorf("box: chunk at %d: %w", at, err)
			}
		}
	}
	return nil
}

// handleChunked serves a DispenseChunked request, sending each chunk to
// send as a partial answer; it returns the final answer (the record, or the
// error).
func (b *Box) handleChunked(req *request, send func(*response)) response {
	resp := response{ID: req.ID}
	if err := b.store.serving(); err != nil {
		resp.Err = toWire(err)
		return resp
	}
	rec, err := b.DispenseChunked(req.Record, req.Pieces, func(at int, ps []DispensedPiece) error {
		send(&response{ID: req.ID, Partial: true, First: at, Pieces: ps})
		return nil
	})
	b.logTamper(err)
	resp.Record, resp.Err = rec, toWire(err)
	return resp
}

// errChunkOrder is an answer whose chunks do not follow one another.
var errChunkOrder = errors.New("box: chunked answer out of order")

// DispenseChunked is Dispense with the pieces handed to onChunk in order,
// a chunk at a time, while the box signs the next ones: the indicia first,
// then the signed transaction records (positions as Box.DispenseChunked
// gives them). It returns the new record after the last chunk. The
// caller stores the chunks in its transaction and commits only once the
// record is back. An error of onChunk ends the call with that error; the
// box's step is then left pending, as when a Dispense answer is lost.
func (c *Client) DispenseChunked(ctx context.Context, rec Record, pieces []Piece, onChunk func(at int, ps []DispensedPiece) error) (Record, error) {
	req := &request{Op: opDispenseChunked, Record: rec, Pieces: pieces}
	deadline := time.Now().Add(failoverWait)
	for tries := 1; ; tries++ {
		at := c.target.Load()
		resp, got, err := c.streamOnce(ctx, req, onChunk)
		var te *transportError
		// Another member is asked only while nothing was handed to onChunk:
		// a box that answered chunks and then failed is not asked again.
		if err == nil || got > 0 || len(c.paths) == 1 || !(errors.Is(err, ErrNotLeader) || errors.As(err, &te)) {
			return resp.Record, err
		}
		c.target.CompareAndSwap(at, (at+1)%uint32(len(c.paths)))
		if time.Now().After(deadline) {
			return Record{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		if tries%len(c.paths) == 0 {
			select {
			case <-ctx.Done():
				return Record{}, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// streamOnce sends req to the box the client is at and hands each partial
// answer's pieces to onChunk until the final answer, which it returns with
// how many entries (indicia and records) were handed over.
func (c *Client) streamOnce(ctx context.Context, req *request, onChunk func(int, []DispensedPiece) error) (response, int, error) {
	mc, err := c.conn(&c.slots[c.next.Add(1)%poolSize])
	if err != nil {
		return response{}, 0, err
	}
	req.ID = c.ids.Add(1)
	// Room for every chunk and the final answer, so the connection's reader
	// never waits on a slow receiver (other requests share the connection).
	ch := make(chan *response, 2*((len(req.Pieces)+ChunkPieces-1)/ChunkPieces)+1)
	mc.mu.Lock()
	if mc.err != nil {
		mc.mu.Unlock()
		return response{}, 0, &transportError{mc.err}
	}
	mc.pending[req.ID] = ch
	mc.mu.Unlock()
	forget := func() {
		mc.mu.Lock()
		delete(mc.pending, req.ID)
		mc.mu.Unlock()
	}
	select {
	case mc.sendq <- req:
	case <-mc.dead:
	case <-ctx.Done():
	}
	got := 0
	for {
		select {
		case resp, ok := <-ch:
			switch {
			case !ok:
				mc.mu.Lock()
				defer mc.mu.Unlock()
				if errors.Is(mc.err, ErrRefused) {
					return response{}, got, mc.err
				}
				return response{}, got, &transportError{mc.err}
			case resp.Err != nil:
				return *resp, got, resp.Err.err()
			case !resp.Partial:
				if got != 2*len(req.Pieces) {
					return response{}, got, fmt.Errorf("box: chunked dispense: %d of %d entries answered", got, 2*len(req.Pieces))
				}
				return *resp, got, nil
			case resp.First != got || got+len(resp.Pieces) > 2*len(req.Pieces) || (got < len(req.Pieces)) != (got+len(resp.Pieces) <= len(req.Pieces)):
				forget()
				return response{}, got, fmt.Errorf("%w: chunk at %d of %d pieces after %d", errChunkOrder, resp.First, len(resp.Pieces), got)
			}
			if err := onChunk(resp.First, resp.Pieces); err != nil {
				forget()
				return response{}, got, err
			}
			got += len(resp.Pieces)
		case <-ctx.Done():
			forget()
			return response{}, got, ctx.Err()
		}
	}
}
