package box

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
)

// clusterStore is the freshness store of a box cluster: every state change
// is a raft log entry, durable on a majority of boxes before the box
// answers, applied by every member in log order (clusterFSM). Only the
// leader serves: it keeps the states in memory ahead of the log the way the
// single box does (its own writes, and commits set before their lazy write),
// starting from the applied states once a barrier shows it has applied
// everything an earlier leader committed. A follower answers ErrNotLeader.
type clusterStore struct {
	cfg    *ClusterConfig
	log    *slog.Logger
	raft   *raft.Raft
	fsm    *clusterFSM
	logs   *raftboltdb.BoltStore
	trans  *raft.NetworkTransport
	lock   *os.File
	notify chan bool
	done   chan struct{}

	mu    sync.Mutex
	cache map[string]meterState
	// gen counts the terms this box served in; 0 serving is false.
	gen     uint64
	leading bool

	closeOnce sync.Once
	closeErr  error
	// lastDurable is when a write was last committed on a majority (Unix
	// nanoseconds; 0 none yet).
	lastDurable atomic.Int64
}

// Raft timing: a leader that dies is replaced within about a second (the
// follower's heartbeat timeout, then an election), and a leader cut off
// from the majority stops serving after its lease. applyTimeout bounds the
// wait for a write's majority.
const (
	raftHeartbeat = 500 * time.Millisecond
	raftElection  = 500 * time.Millisecond
	raftLease     = 250 * time.Millisecond
	applyTimeout  = 5 * time.Second
	barrierWait   = 10 * time.Second
)

func openClusterStore(ops KeyOps, cfg *ClusterConfig, stateDir string, log *slog.Logger) (_ *clusterStore, err error) {
	lock, err := lockDir(stateDir)
	if err != nil {
		return nil, err
	}
	s := &clusterStore{cfg: cfg, log: log, lock: lock, fsm: newClusterFSM(ops, log),
		notify: make(chan bool, 1), done: make(chan struct{}), cache: map[string]meterState{}}
	defer func() {
		if err != nil {
			s.shut()
		}
	}()
	if err := os.MkdirAll(cfg.RaftDir, 0o700); err != nil {
		return nil, fmt.Errorf("box: cluster: raft dir: %w", err)
	}
	hlog := hclog.New(&hclog.LoggerOptions{Name: "box-raft-" + cfg.NodeID, Level: hclog.Warn, Output: os.Stderr, JSONFormat: true})
	if s.logs, err = raftboltdb.New(raftboltdb.Options{Path: filepath.Join(cfg.RaftDir, "raft.db")}); err != nil {
		return nil, fmt.Errorf("box: cluster: raft log: %w", err)
	}
	snaps, err := raft.NewFileSnapshotStoreWithLogger(cfg.RaftDir, 2, hlog)
	if err != nil {
		return nil, fmt.Errorf("box: cluster: snapshots: %w", err)
	}
	has, err := raft.HasExistingState(s.logs, s.logs, snaps)
	if err != nil {
		return nil, fmt.Errorf("box: cluster: %w", err)
	}
	if !has {
		if err := refuseSingleBoxStates(stateDir); err != nil {
			return nil, err
		}
	}
	stream, err := newTLSStream(ops, cfg)
	if err != nil {
		return nil, err
	}
	s.trans = raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{Stream: stream, MaxPool: 4, Timeout: 5 * time.Second, Logger: hlog})
	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(cfg.NodeID)
	rc.Logger = hlog
	rc.HeartbeatTimeout, rc.ElectionTimeout, rc.LeaderLeaseTimeout = raftHeartbeat, raftElection, raftLease
	// Concurrent purchases' writes share one append to the log (one fsync)
	// and one replication round.
	rc.MaxAppendEntries, rc.BatchApplyCh = 512, true
	rc.NotifyCh = s.notify
	rc.NoLegacyTelemetry = true
	if s.raft, err = raft.NewRaft(rc, s.fsm, s.logs, s.logs, snaps, s.trans); err != nil {
		return nil, fmt.Errorf("box: cluster: %w", err)
	}
	go s.watch() // shut waits for it once raft exists
	if !has {
		// Every member bootstraps with the same configuration; the ones
		// that find a cluster already formed are told so and go on.
		conf := raft.Configuration{}
		for _, p := range cfg.Peers {
			conf.Servers = append(conf.Servers, raft.Server{Suffrage: raft.Voter, ID: raft.ServerID(p.ID), Address: raft.ServerAddress(p.Addr)})
		}
		if err := s.raft.BootstrapCluster(conf).Error(); err != nil && !errors.Is(err, raft.ErrCantBootstrap) {
			return nil, fmt.Errorf("box: cluster: bootstrap: %w", err)
		}
	}
	return s, nil
}

// refuseSingleBoxStates stops a box that held meters alone from joining a
// new cluster with an empty store: its meters would all look unknown, which
// is tamper. Moving a single box's states into a cluster is not supported.
func refuseSingleBoxStates(stateDir string) error {
	if _, err := os.Stat(filepath.Join(stateDir, freshLogName)); err != nil {
		return nil
	}
	l, states, err := openFreshLog(stateDir)
	if err != nil {
		return fmt.Errorf("box: cluster: %w", err)
	}
	l.close()
	if len(states) > 0 {
		return fmt.Errorf("box: cluster: %s holds a single box's freshness store (%d meters); a new cluster starts empty: use another BOX_STATE_DIR", stateDir, len(states))
	}
	return nil
}

// watch follows this box's leadership.
func (s *clusterStore) watch() {
	defer close(s.done)
	for leader := range s.notify {
		if !leader {
			s.mu.Lock()
			s.leading = false
			s.mu.Unlock()
			s.log.Warn("box: cluster: no longer the leader", "node", s.cfg.NodeID)
			continue
		}
		// Serve only once every entry an earlier leader committed is
		// applied here, so the states start from the cluster's latest.
		if err := s.raft.Barrier(barrierWait).Error(); err != nil {
			s.log.Warn("box: cluster: leader barrier failed", "node", s.cfg.NodeID, "err", err)
			continue
		}
		if missing := s.fsm.missingMACs(); len(missing) > 0 {
			// Its records would not verify on the others: hand the lead on.
			s.log.Error("box: cluster: leader lacks record-MAC key versions; handing leadership on", "node", s.cfg.NodeID, "missing", missing)
			if err := s.raft.LeadershipTransfer().Error(); err != nil {
				s.log.Warn("box: cluster: leadership transfer failed", "node", s.cfg.NodeID, "err", err)
			}
			continue
		}
		s.mu.Lock()
		if s.raft.State() == raft.Leader {
			s.cache = s.fsm.clone()
			s.gen++
			s.leading = true
		}
		s.mu.Unlock()
		s.log.Info("box: cluster: leader", "node", s.cfg.NodeID, "meters", len(s.cache))
	}
}

// notLeader is the answer of a box that does not serve, naming the leader.
func (s *clusterStore) notLeader() error {
	addr, id := s.raft.LeaderWithID()
	if id == "" || string(id) == s.cfg.NodeID {
		return fmt.Errorf("box %s: %w; no leader is known yet", s.cfg.NodeID, ErrNotLeader)
	}
	return fmt.Errorf("box %s: %w; the leader is %s (%s)", s.cfg.NodeID, ErrNotLeader, id, addr)
}

func (s *clusterStore) serving() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.leading {
		return s.notLeader()
	}
	return nil
}

// confirmLeader asks the majority whether this box still leads; a verdict
// of tamper is given only then, so a leader cut off from the others never
// takes a record the new leader made for a replay.
func (s *clusterStore) confirmLeader() error {
	if err := s.raft.VerifyLeader().Error(); err != nil {
		return fmt.Errorf("box %s: %w (%v)", s.cfg.NodeID, ErrNotLeader, err)
	}
	return nil
}

func (s *clusterStore) get(serial string) (meterState, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.leading {
		return meterState{}, false, s.notLeader()
	}
	st, ok := s.cache[serial]
	return st, ok, nil
}

func (s *clusterStore) setCached(serial string, st meterState) {
	s.mu.Lock()
	s.cache[serial] = st
	s.mu.Unlock()
}

// apply starts the raft write of one state. It is called with the meter's
// lock held, so one meter's entries enter the log in the order its
// requests changed it.
func (s *clusterStore) apply(serial string, st meterState) (raft.ApplyFuture, uint64, error) {
	buf, err := encodeRecord([]byte{entryStates}, serial, st)
	if err != nil {
		return nil, 0, fmt.Errorf("box: cluster: %w", err)
	}
	s.mu.Lock()
	gen, leading := s.gen, s.leading
	s.mu.Unlock()
	if !leading {
		return nil, 0, s.notLeader()
	}
	return s.raft.Apply(buf, applyTimeout), gen, nil
}

// wait turns a write's outcome into the box's answer. A write that failed
// may still be committed by the next leader; nobody is answered on it, and
// the next request resolves it by the record it presents, as after a
// single box's crash.
func (s *clusterStore) wait(f raft.ApplyFuture) error {
	err := f.Error()
	if err == nil {
		s.lastDurable.Store(time.Now().UnixNano())
		if rerr, ok := f.Response().(error); ok {
			return rerr
		}
		return nil
	}
	return fmt.Errorf("box %s: freshness write not made durable on a majority: %w (%v)", s.cfg.NodeID, ErrNotLeader, err)
}

func (s *clusterStore) put(serial string, st meterState) <-chan error {
	errc := make(chan error, 1)
	f, gen, err := s.apply(serial, st)
	if err != nil {
		errc <- err
		return errc
	}
	go func() {
		err := s.wait(f)
		if err == nil {
			s.mu.Lock()
			if s.gen == gen && s.leading {
				s.cache[serial] = st
			}
			s.mu.Unlock()
		}
		errc <- err
	}()
	return errc
}

func (s *clusterStore) putEarly(serial string, st meterState) <-chan error {
	s.setCached(serial, st)
	errc := make(chan error, 1)
	f, _, err := s.apply(serial, st)
	if err != nil {
		errc <- err
		return errc
	}
	go func() { errc <- s.wait(f) }()
	return errc
}

// putLazy starts the write and does not wait for it (its future's channel
// is buffered, so nothing is left blocked).
func (s *clusterStore) putLazy(serial string, st meterState) {
	if _, _, err := s.apply(serial, st); err != nil {
		s.log.Debug("box: cluster: lazy write not started", "serial", serial, "err", err)
	}
}

// addMACVersion replicates a new record-MAC key version: the leader has
// its keystore export the key (wrapped), and every member imports it as it
// applies the entry, this one before the answer.
func (s *clusterStore) addMACVersion(ops KeyOps, version string) error {
	if err := s.serving(); err != nil {
		return err
	}
	wrapped, err := ops.ExportNewMACVersion(version)
	if err != nil {
		return fmt.Errorf("box: cluster: record-MAC key %s: %w", version, err)
	}
	return s.wait(s.raft.Apply(encodeMACEntry(version, wrapped), applyTimeout))
}

func (s *clusterStore) status() ClusterStatus {
	st := ClusterStatus{Clustered: true, NodeID: s.cfg.NodeID, State: s.raft.State().String(),
		LastIndex: s.raft.LastIndex(), AppliedIndex: s.raft.AppliedIndex()}
	addr, id := s.raft.LeaderWithID()
	st.LeaderID, st.LeaderAddr = string(id), string(addr)
	st.CommitIndex, _ = strconv.ParseUint(s.raft.Stats()["commit_index"], 10, 64)
	if f := s.raft.GetConfiguration(); f.Error() == nil {
		for _, srv := range f.Configuration().Servers {
			st.Members = append(st.Members, ClusterPeer{ID: string(srv.ID), Addr: string(srv.Address)})
		}
	}
	s.mu.Lock()
	st.Serving = s.leading
	s.mu.Unlock()
	st.MissingMACVersions = s.fsm.missingMACs()
	return st
}

func (s *clusterStore) shut() {
	if s.raft != nil {
		if err := s.raft.Shutdown().Error(); err != nil {
			s.closeErr = err
		}
		close(s.notify) // raft no longer sends on it
		<-s.done
	}
	if s.trans != nil {
		s.trans.Close()
	}
	if s.logs != nil {
		if err := s.logs.Close(); err != nil && s.closeErr == nil {
			s.closeErr = err
		}
	}
	s.lock.Close()
}

func (s *clusterStore) close() error {
	s.closeOnce.Do(s.shut)
	return s.closeErr
}

func (s *clusterStore) lastDurableWrite() time.Time {
	if ns := s.lastDurable.Load(); ns != 0 {
		return time.Unix(0, ns).UTC()
	}
	return time.Time{}
}
