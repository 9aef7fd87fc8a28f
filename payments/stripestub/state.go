package stripestub

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
)

// stateLine is one line of the state file: the objects a request created or
// changed, the answer kept for its idempotency key, and the test cards of new
// payment methods. Replaying the lines in order rebuilds the stand-in.
type stateLine struct {
	Objects map[string]obj      `json:"o,omitempty"`
	Cards   map[string]TestCard `json:"c,omitempty"`
	Idem    *stateIdem          `json:"i,omitempty"`
	Charged int                 `json:"n,omitempty"`
}

type stateIdem struct {
	Key    string `json:"k"`
	Status int    `json:"s"`
	Body   []byte `json:"b"`
}

func (s *Stub) put(id string, o obj) {
	s.objects[id] = o
	s.dirty[id] = true
}

// persist appends what the last request changed; s.mu is held. A write error
// is logged: the stand-in keeps answering from memory.
func (s *Stub) persist(idem *stateIdem) {
	if s.state == nil || (len(s.dirty) == 0 && idem == nil) {
		clear(s.dirty)
		return
	}
	l := stateLine{Objects: map[string]obj{}, Cards: map[string]TestCard{}, Idem: idem, Charged: s.charges}
	for id := range s.dirty {
		l.Objects[id] = s.objects[id]
		if c, ok := s.cards[id]; ok {
			l.Cards[id] = c
		}
	}
	clear(s.dirty)
	b, err := json.Marshal(l)
	if err != nil {
		slog.Error("stripestub: encode state", "err", err)
		return
	}
	if _, err := s.state.Write(append(b, '\n')); err != nil {
		slog.Error("stripestub: write state", "file", s.opt.StateFile, "err", err)
	}
}

// load replays the state file; a torn last line (a crash mid-write) is skipped.
func (s *Stub) load() error {
	f, err := os.Open(s.opt.StateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("stripestub: read state: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		var l stateLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			slog.Warn("stripestub: skipping a damaged state line", "file", s.opt.StateFile, "err", err)
			continue
		}
		for id, o := range l.Objects {
			s.objects[id] = o
		}
		for id, c := range l.Cards {
			s.cards[id] = c
		}
		if l.Idem != nil {
			s.idem[l.Idem.Key] = cached{l.Idem.Status, l.Idem.Body}
		}
		if l.Charged > s.charges {
			s.charges = l.Charged
		}
	}
	return sc.Err()
}
